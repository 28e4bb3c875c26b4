"""``swmap user add|list|disable|password``: accounts managed from the command line."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from school_water_map.accounts import ROLE_ZH, ROLES, AccountError, add_user, disable_user, list_users, set_password
from school_water_map.entities import TOWNSHIPS
from school_water_map.settings import Settings
from school_water_map.store import open_store


def add_user_commands(sub: Any) -> None:
    user = sub.add_parser("user", help="账号管理：add（新增）、list（列表）、disable（停用）、password（改密码）")
    user.add_argument("action", choices=("add", "list", "disable", "password"))
    user.add_argument("username", nargs="?", help="用户名")
    user.add_argument("--role", choices=ROLES, default="patrol", help="admin 管理员 / patrol 乡镇巡查员 / viewer 查看")
    user.add_argument("--township", choices=TOWNSHIPS, help="所属乡镇（乡镇巡查员必填）")
    user.add_argument("--name", default="", help="姓名")
    user.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（不回显提示）")
    user.set_defaults(run=_user)


def _user(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    if args.action == "list":
        for u in list_users(store):
            state = "" if u.active else "（已停用）"
            print(f"{u.username}\t{u.display_name}\t{ROLE_ZH[u.role]}\t{u.township or '全区'}{state}")
        return 0
    if not args.username:
        print("错误：请给出用户名", file=sys.stderr)
        return 2
    if args.action == "disable":
        disable_user(store, args.username)
        print(f"已停用账号 {args.username}")
        return 0
    password = _password(args)
    if args.action == "password":
        set_password(store, args.username, password)
        print(f"已修改 {args.username} 的密码")
        return 0
    user = add_user(store, args.username, password, args.role, township=args.township, display_name=args.name)
    print(f"已新增账号 {user.username}：{user.label}")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise AccountError("两次输入的密码不一致")
    return first
