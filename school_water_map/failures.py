"""Low-level failures in Chinese: the disk, the database server, a file. One place translates them.

``describe`` walks an exception, what it wraps (SQLAlchemy's ``orig``) and its causes, and returns the
first cause it recognises (disk full, connection refused, no write permission, ...) as a short Chinese
phrase for a person; the English details and the traceback go to the log, never to the person. A file
is named by its name only, never by a server path.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import PurePath

#: Said when nothing in the exception is recognised (the log has the details).
UNKNOWN = "发生了内部错误，详细信息已记入日志，请联系管理员"

DISK_FULL = "磁盘空间不足，请清理磁盘后重试"
REFUSED = "连接被拒绝，请检查数据库服务是否运行"
_NUL = "文本中含有空字符（U+0000），无法保存"

_ERRNO = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: "磁盘配额已用完，请清理后重试",
    errno.EACCES: "没有读写权限，请检查数据目录的权限",
    errno.EPERM: "没有读写权限，请检查数据目录的权限",
    errno.EROFS: "没有写入权限：所在磁盘为只读",
    errno.ECONNREFUSED: REFUSED,
    errno.ETIMEDOUT: "连接超时，请检查网络和数据库服务",
    errno.EIO: "读写磁盘出错，请检查磁盘",
    errno.EPIPE: "输出已中断（接收输出的程序已关闭）",
}
_ERRNO_FILE = {
    errno.ENOENT: "找不到文件“{name}”",
    errno.ENOTDIR: "“{name}”所在的路径不是文件夹",
    errno.EISDIR: "“{name}”是文件夹，不是文件",
}
#: SQLite's primary result codes (``sqlite_errorcode & 0xFF``).
_SQLITE = {
    3: "没有权限访问数据库文件",  # SQLITE_PERM
    5: "数据库正忙（其他程序正在写入），请稍后重试",  # SQLITE_BUSY
    6: "数据库正忙（其他程序正在写入），请稍后重试",  # SQLITE_LOCKED
    8: "没有写入权限：数据库文件或数据目录为只读",  # SQLITE_READONLY
    10: "读写磁盘出错，请检查磁盘",  # SQLITE_IOERR
    11: "数据库文件已损坏",  # SQLITE_CORRUPT
    13: DISK_FULL,  # SQLITE_FULL
    14: "无法打开数据库文件：数据目录不存在或没有读写权限",  # SQLITE_CANTOPEN
    26: "数据库文件已损坏或不是数据库文件",  # SQLITE_NOTADB
}
#: PostgreSQL SQLSTATE codes (server-side errors).
_SQLSTATE = {
    "28P01": "数据库用户名或密码错误",
    "28000": "数据库拒绝了该用户的登录",
    "3D000": "数据库不存在，请检查数据库地址中的库名",
    "42501": "数据库用户没有所需的权限",
    "53100": "数据库服务器磁盘空间不足",
    "53300": "数据库连接数已满，请稍后重试",
    "57P01": "数据库服务正在关闭或重启，请稍后重试",
    "57P03": "数据库服务正在启动，请稍后重试",
}
#: Connection failures have no SQLSTATE: recognised by libpq's (English) message.
_LIBPQ = (
    ("connection refused", REFUSED),
    ("no such file or directory", REFUSED),  # a Unix socket with no server behind it
    ("timeout expired", "连接数据库超时，请检查网络和数据库服务"),
    ("could not translate host name", "找不到数据库服务器：主机名无法解析"),
    ("name or service not known", "找不到数据库服务器：主机名无法解析"),
    ("password authentication failed", "数据库用户名或密码错误"),
    ("does not exist", "数据库或数据库用户不存在，请检查数据库地址"),
    ("server closed the connection", "与数据库的连接意外中断，请稍后重试"),
    ("terminating connection", "与数据库的连接意外中断，请稍后重试"),
    ("cannot contain nul", _NUL),
    ("no space left on device", DISK_FULL),
)


def describe(exc: BaseException) -> str:
    """The cause of ``exc`` in Chinese for a person (``UNKNOWN`` when nothing is recognised)."""
    for error in _chain(exc):
        found = _os(error) or _sqlite(error) or _postgres(error) or _sqlalchemy(error)
        if found:
            return found
    return UNKNOWN


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what it wraps and what caused it, each once, nearest first."""
    seen: set[int] = set()
    queue: list[BaseException] = [exc]
    while queue:
        error = queue.pop(0)
        if id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        orig = getattr(error, "orig", None)  # sqlalchemy.exc.DBAPIError: the driver's exception
        queue += [e for e in (orig, error.__cause__, error.__context__) if isinstance(e, BaseException)]


def _os(error: BaseException) -> str | None:
    if not isinstance(error, OSError):
        return None
    if isinstance(error, TimeoutError) and error.errno is None:
        return "等待超时：另一个进程正在使用数据库，请稍后重试"
    if error.errno in _ERRNO:
        return _ERRNO[error.errno]
    if error.errno in _ERRNO_FILE:
        name = PurePath(str(error.filename)).name if error.filename else "（未知）"
        return _ERRNO_FILE[error.errno].format(name=name)
    return None


def _sqlite(error: BaseException) -> str | None:
    if not isinstance(error, sqlite3.Error):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE:
        return _SQLITE[code & 0xFF]
    return DISK_FULL if "disk is full" in str(error) else None


def _postgres(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str) and state in _SQLSTATE:
        return _SQLSTATE[state]
    message = str(error).lower()
    if type(error).__module__.split(".")[0] not in ("psycopg", "psycopg2"):
        # psycopg refuses a NUL character with a plain ValueError before sending anything
        return _NUL if isinstance(error, ValueError) and "cannot contain nul" in message else None
    return next((text for needle, text in _LIBPQ if needle in message), None)


def _sqlalchemy(error: BaseException) -> str | None:
    name = type(error).__name__
    if type(error).__module__ != "sqlalchemy.exc":
        return None
    if name == "NoSuchModuleError":
        return "不支持的数据库类型，请使用 postgresql://… 或 sqlite:///…"
    if name == "ArgumentError":
        return "数据库地址的格式有误，应形如 postgresql://用户:密码@主机/库名"
    return None
