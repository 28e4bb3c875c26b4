"""Every exception the project raises on purpose, with one common base: ``SwmapError``.

Each is also a small builtin subclass (``ValueError``, ``PermissionError`` …) and carries a Chinese
message for people: the CLI prints it as ``错误：…``, the app shows it as it is. Anything that is not a
``SwmapError`` is translated by ``failures.describe`` (the cause in Chinese, the details in the log).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

#: The online geocoders, by their key in settings, as people name them.
PROVIDER_ZH = {"tianditu": "天地图", "amap": "高德", "nominatim": "Nominatim（OpenStreetMap）"}


class SwmapError(Exception):
    """The common base: a failure whose message is already Chinese for a person."""


class AnnexParseError(SwmapError, ValueError):
    """A cell of an annex row could not be read unambiguously.

    ``str(error)`` is the Chinese message for users; ``row``, ``field`` and ``text`` name the culprit;
    ``line`` is the line in the file, named when the row has no usable 序号.
    """

    def __init__(self, *, row: int | str | None, field: str, text: str, reason: str,
                 line: int | None = None) -> None:
        self.row = row
        self.field = field
        self.text = text
        self.reason = reason
        self.line = line
        where = f"第 {row} 行" if row is not None else (f"文件第 {line} 行" if line is not None else "输入")
        super().__init__(f"{where}“{field}”无法识别：“{text}”（{reason}）")


class UnknownPlaceError(SwmapError, LookupError):
    """A school, water body or anchor that the register does not know."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"找不到{kind}：“{key}”")

    def __str__(self) -> str:  # LookupError would repr() the argument
        return str(self.args[0])


class PositionError(SwmapError, ValueError):
    """A position that cannot be recorded: bad coordinates, CRS, precision or source."""


class RulesError(SwmapError, ValueError):
    """The risk rules file is malformed."""


class DataFileError(SwmapError, ValueError):
    """A curated or user data file is malformed (names the file and the row)."""


class MissingGlyphError(SwmapError, ValueError):
    """Text for a printed notice has characters that the shipped font cannot draw (they would print blank)."""

    def __init__(self, characters: str, *, document: str) -> None:
        self.characters = characters
        self.document = document
        codes = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in characters)
        super().__init__(f"{document}中有字体无法显示的字符：{codes}；请改用常用写法后再打印")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable: a batch's worker process raises it to the caller
        return partial(MissingGlyphError, document=self.document), (self.characters,)


class SettingsError(SwmapError, ValueError):
    """An environment variable with a value the settings cannot use (names the variable)."""


class StoredTextError(SwmapError, ValueError):
    """Text the store refuses to keep: a NUL character (PostgreSQL cannot store it); names the field."""


class AuthError(SwmapError, PermissionError):
    """Not allowed: wrong password, disabled account, or outside the user's township (Chinese message)."""


class AccountError(SwmapError, ValueError):
    """A bad account request: duplicate name, short password, unknown role or township."""


class MissingAssetError(SwmapError, ValueError):
    """A map element needs a browser asset that has no local copy (the map would be blank offline)."""


class PasswordPolicyError(SwmapError, ValueError):
    """A password the policy refuses (Chinese message)."""


class InputLimitError(DataFileError):
    """A file over one of the limits above (Chinese message naming the file and the limit)."""


class InspectionError(SwmapError, ValueError):
    """An inspection that cannot be recorded as given (Chinese message); nothing was written."""


class TaskError(SwmapError, ValueError):
    """A rectification task cannot be raised or changed this way (the message says why)."""


class AnnexRowsError(DataFileError):
    """Several rows are bad; ``errors`` lists each one, ``str()`` joins their Chinese messages."""

    def __init__(self, errors: Sequence[AnnexParseError]) -> None:
        self.errors = list(errors)
        super().__init__("附件有 {} 处错误：\n{}".format(len(self.errors), "\n".join(map(str, self.errors))))

    def records(self) -> list[dict[str, object]]:
        """Each problem as plain data (for JSON): 序号 (None when unusable), file line, column, text, reason."""
        return [{"row": e.row, "line": e.line, "field": e.field, "text": e.text, "reason": e.reason,
                 "message": str(e)} for e in self.errors]


class GeometryImportError(PositionError):
    """A geometry file that cannot be imported; ``problems`` lists every bad feature (Chinese)."""

    def __init__(self, filename: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "；".join(self.problems[:10]) + ("……" if len(self.problems) > 10 else "")
        super().__init__(f"{filename} 未导入（共 {len(self.problems)} 处问题，须全部改正后再导入）：{shown}")


class PhotoError(SwmapError, ValueError):
    """A photo that cannot be taken or kept (Chinese message naming the cause); nothing was kept."""


class ProviderError(SwmapError, RuntimeError):
    """A provider call that failed; ``kind`` is key, quota, timeout, malformed, unavailable or config."""

    def __init__(self, provider: str, kind: str, detail: str) -> None:
        self.provider = provider
        self.kind = kind
        self.detail = detail
        reason = {"key": "密钥无效或无权限", "quota": "调用次数超出配额或频率限制", "timeout": "请求超时",
                  "malformed": "返回内容无法解析", "unavailable": "服务暂不可用",
                  "config": "未配置"}[kind]
        super().__init__(f"{PROVIDER_ZH.get(provider, provider)}：{reason}（{detail}）")


class PositionCsvError(PositionError):
    """A position file that cannot be imported; ``problems`` lists every bad row (Chinese)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "；".join(self.problems[:10]) + ("……" if len(self.problems) > 10 else "")
        super().__init__(f"文件未导入（共 {len(self.problems)} 处问题，须全部改正后再导入）：{shown}")


class OwnersFileError(DataFileError):
    """A 责任人 file that cannot be imported; ``problems`` lists every bad row (Chinese). Nothing was saved."""

    def __init__(self, filename: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "；".join(self.problems[:10]) + ("……" if len(self.problems) > 10 else "")
        super().__init__(f"{filename} 未导入（共 {len(self.problems)} 处问题，须全部改正后再导入，"
                         f"所有责任人均未修改）：{shown}")
