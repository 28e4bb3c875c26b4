"""``swmap user add|list|disable|password|sessions|revoke|log``: accounts managed from the command line.

Every change is written to the audit log with the operating-system user who ran the command."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from typing import Any

from school_water_map.domain.entities import TOWNSHIPS
from school_water_map.domain.inspections import LOCAL_TIME
from school_water_map.domain.passwords import MIN_LENGTH
from school_water_map.domain.users import PATROL, ROLE_ZH, ROLES
from school_water_map.errors import AccountError
from school_water_map.settings import Settings
from school_water_map.store import audit
from school_water_map.store.accounts import add_user, disable_user, list_users, revoke_sessions, set_password
from school_water_map.store.database import Store, open_store
from school_water_map.store.sessions import live_sessions

ACTIONS = ("add", "list", "disable", "password", "sessions", "revoke", "log")


def add_user_commands(sub: Any) -> None:
    user = sub.add_parser("user", help="账号管理：add（新增）、list（列表）、disable（停用）、password（改密码）、"
                                       "sessions（登录会话）、revoke（结束某账号的全部会话）、log（操作记录）")
    user.add_argument("action", choices=ACTIONS)
    user.add_argument("username", nargs="?", help="用户名")
    user.add_argument("--role", choices=ROLES, default=PATROL, help="admin 管理员 / patrol 乡镇巡查员 / viewer 查看")
    user.add_argument("--township", choices=TOWNSHIPS, help="所属乡镇（乡镇巡查员必填）")
    user.add_argument("--name", default="", help="姓名")
    user.add_argument("--password-stdin", action="store_true",
                      help=f"从标准输入读取密码（至少 {MIN_LENGTH} 位，不能含用户名，不能是常见密码）")
    user.set_defaults(run=_user)


def _user(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    if args.action in ("list", "sessions", "log"):
        _show(store, args.action, args.username)
        return 0
    if not args.username:
        print("错误：请给出用户名", file=sys.stderr)
        return 2
    actor = f"{audit.CLI_ACTOR}（{_os_user()}）"
    if args.action == "disable":
        disable_user(store, args.username, actor=actor)
        print(f"已停用账号 {args.username}，其登录会话已全部结束")
        return 0
    if args.action == "revoke":
        print(f"已结束 {args.username} 的 {revoke_sessions(store, args.username, actor=actor)} 个登录会话")
        return 0
    password = _password(args)
    if args.action == "password":
        set_password(store, args.username, password, actor=actor)
        print(f"已修改 {args.username} 的密码，其登录会话已全部结束")
        return 0
    user = add_user(store, args.username, password, args.role, township=args.township, display_name=args.name,
                    actor=actor)
    print(f"已新增账号 {user.username}：{user.label}")
    return 0


def _show(store: Store, what: str, username: str | None) -> None:
    """``list``: the accounts; ``sessions``: live logins; ``log``: the audit log, newest first."""
    if what == "list":
        for u in list_users(store):
            state = "" if u.active else "（已停用）"
            print(f"{u.username}\t{u.display_name}\t{ROLE_ZH[u.role]}\t{u.township or '全区'}{state}")
    elif what == "sessions":
        for s in live_sessions(store):
            if username in (None, s.username):
                print(f"{s.username}\t登录于 {_local(s.created_at)}\t最近 {_local(s.last_seen_at)}\t"
                      f"到期 {_local(s.expires_at)}\t{s.client}")
    else:
        for e in audit.entries(store, target=username):
            print(f"{_local(e.at)}\t{e.label}\t{e.target}\t{e.actor}\t{e.client}\t{e.detail}")


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return "?"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise AccountError("两次输入的密码不一致")
    return first
