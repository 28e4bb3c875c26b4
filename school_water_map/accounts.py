"""Accounts and roles: 管理员 (the bureau: everything), 乡镇巡查员 (reads and inspects its own township's
sites only), 查看 (read-only). Passwords are hashed with Argon2id (argon2-cffi).

Township scoping is enforced here, in the store, by :func:`require_site_write`: a screen that hides a
button is not a permission check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from school_water_map.db.models import UserRow
from school_water_map.entities import TOWNSHIPS
from school_water_map.store import Store

ROLES = ("admin", "patrol", "viewer")
ROLE_ZH = {"admin": "管理员", "patrol": "乡镇巡查员", "viewer": "查看"}
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}$")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("school-water-map: no such user")


class AuthError(PermissionError):
    """Not allowed: wrong password, disabled account, or outside the user's township (Chinese message)."""


class AccountError(ValueError):
    """A bad account request: duplicate name, short password, unknown role or township."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    township: str | None
    active: bool

    @property
    def label(self) -> str:
        where = f"，{self.township}" if self.township else ""
        return f"{self.display_name or self.username}（{ROLE_ZH[self.role]}{where}）"

    def can_read(self, township: str | None) -> bool:
        """Patrols see their own township's sites; the bureau and viewers see all."""
        return self.active and (self.role != "patrol" or township == self.township)

    def can_write(self, township: str | None) -> bool:
        """Admins write everywhere; patrols only in their township; viewers nowhere."""
        return self.active and (self.role == "admin" or (self.role == "patrol" and township == self.township))


def add_user(store: Store, username: str, password: str, role: str, *, township: str | None = None,
             display_name: str = "") -> User:
    """Create an account (validated; the password is stored only as an Argon2id hash)."""
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise AccountError(f"用户名“{username}”无效：2–32 个字符，可用字母、数字、汉字、_ . -")
    if role not in ROLES:
        raise AccountError(f"角色“{role}”无效：可选 admin（管理员）、patrol（乡镇巡查员）、viewer（查看）")
    if role == "patrol" and township not in TOWNSHIPS:
        raise AccountError(f"乡镇巡查员必须指定所属乡镇，可选：{'、'.join(TOWNSHIPS)}")
    if role != "patrol" and township is not None and township not in TOWNSHIPS:
        raise AccountError(f"未知的乡镇“{township}”")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")
    row = UserRow(username=username, display_name=display_name.strip(), role=role, township=township,
                  password_hash=_HASHER.hash(password), active=True, created_at=datetime.now(UTC))
    try:
        with store.session() as session:
            session.add(row)
            session.flush()
            return _user(row)
    except IntegrityError as exc:
        raise AccountError(f"用户名“{username}”已存在") from exc


def list_users(store: Store) -> list[User]:
    with store.session() as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.id))]


def get_user(store: Store, username: str) -> User:
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
        if row is None:
            raise AccountError(f"找不到用户“{username}”")
        return _user(row)


def disable_user(store: Store, username: str) -> User:
    """Disable an account (kept, with its inspections; it can no longer log in or write)."""
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
        if row is None:
            raise AccountError(f"找不到用户“{username}”")
        row.active = False
        row.disabled_at = datetime.now(UTC)
        return _user(row)


def set_password(store: Store, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
        if row is None:
            raise AccountError(f"找不到用户“{username}”")
        row.password_hash = _HASHER.hash(password)


def authenticate(store: Store, username: str, password: str) -> User:
    """The user, if the password matches and the account is active; else :class:`AuthError`."""
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
        try:
            _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
            raise AuthError("用户名或密码错误") from exc
        if row is None:
            raise AuthError("用户名或密码错误")
        if not row.active:
            raise AuthError("该账号已停用，请联系管理员")
        if _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = _HASHER.hash(password)
        return _user(row)


def require_site_write(user: User, township: str | None, what: str) -> None:
    """Raise :class:`AuthError` unless ``user`` may write data for a site in ``township``."""
    if user.can_write(township):
        return
    if not user.active:
        raise AuthError("该账号已停用，不能记录")
    if user.role == "viewer":
        raise AuthError("“查看”账号只能查看，不能记录")
    raise AuthError(f"无权为{township or '乡镇待确认'}的{what}记录（本账号属于{user.township}）")


def _user(row: UserRow) -> User:
    return User(id=row.id, username=row.username, display_name=row.display_name, role=row.role,
                township=row.township, active=row.active)
