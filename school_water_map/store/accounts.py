"""Accounts and roles: 管理员 (the bureau: everything), 乡镇巡查员 (reads and inspects its own township's
sites only), 查看 (read-only). Passwords are hashed with Argon2id (argon2-cffi) and must pass the policy
of :mod:`school_water_map.domain.passwords`.

Township scoping is enforced in the store, with ``domain.users.require_site_write`` called before
every write: a screen that hides a button is not a permission check. Logins are throttled
(:mod:`school_water_map.store.throttle`) before any hash runs, and at most ``MAX_VERIFYING`` hashes
run at once in a process. Every login and account change is written to the audit log
(:mod:`school_water_map.store.audit`).
"""

from __future__ import annotations

import functools
import re
import threading
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from school_water_map.domain.entities import TOWNSHIPS
from school_water_map.domain.passwords import MIN_LENGTH, check_password
from school_water_map.domain.users import PATROL, ROLE_ZH, ROLES, User
from school_water_map.errors import AccountError, AuthError, PasswordPolicyError
from school_water_map.store import audit, sessions
from school_water_map.store.database import Store
from school_water_map.store.db.models import UserRow
from school_water_map.store.throttle import ThrottleRules, begin_attempt, finish_attempt

MIN_PASSWORD = MIN_LENGTH
MAX_VERIFYING = 2  # Argon2 verifications at once per process (each ≈ 0.4 s of one core)
VERIFY_WAIT_S = 20.0  # a login waiting longer than this for a free verifier is refused as busy
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}$")
_HASHER = PasswordHasher()
_VERIFYING = threading.BoundedSemaphore(MAX_VERIFYING)


def add_user(store: Store, username: str, password: str, role: str, *, township: str | None = None,
             display_name: str = "", actor: str = audit.CLI_ACTOR, client: str = "") -> User:
    """Create an account (validated; the password is stored only as an Argon2id hash)."""
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise AccountError(f"用户名“{username}”无效：2–32 个字符，可用字母、数字、汉字、_ . -")
    if role not in ROLES:
        raise AccountError(f"角色“{role}”无效：可选 admin（管理员）、patrol（乡镇巡查员）、viewer（查看）")
    if role == PATROL and township not in TOWNSHIPS:
        raise AccountError(f"乡镇巡查员必须指定所属乡镇，可选：{'、'.join(TOWNSHIPS)}")
    if role != PATROL and township is not None and township not in TOWNSHIPS:
        raise AccountError(f"未知的乡镇“{township}”")
    _check_password(password, username)
    row = UserRow(username=username, display_name=display_name.strip(), role=role, township=township,
                  password_hash=_HASHER.hash(password), active=True, created_at=datetime.now(UTC))
    try:
        with store.session() as session:
            session.add(row)
            session.flush()
            audit.record(session, "user_added", actor=actor, target=username, client=client,
                         detail=f"{ROLE_ZH[role]}{('，' + township) if township else ''}")
            return _user(row)
    except IntegrityError as exc:
        raise AccountError(f"用户名“{username}”已存在") from exc


def list_users(store: Store) -> list[User]:
    with store.session() as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.id))]


def get_user(store: Store, username: str) -> User:
    with store.session() as session:
        return _user(_row(session, username))


def disable_user(store: Store, username: str, *, actor: str = audit.CLI_ACTOR, client: str = "") -> User:
    """Disable an account (kept, with its inspections; it can no longer log in or write) and end its sessions."""
    now = datetime.now(UTC)
    with store.session() as session:
        row = _row(session, username)
        row.active = False
        row.disabled_at = now
        ended = sessions.revoke_all(session, row.id, now=now)
        audit.record(session, "user_disabled", actor=actor, target=row.username, client=client,
                     detail=f"结束登录会话 {ended} 个", now=now)
        return _user(row)


def set_password(store: Store, username: str, password: str, *, actor: str = audit.CLI_ACTOR,
                 client: str = "") -> None:
    """Change an account's password (policy-checked) and end all its sessions: it logs in again."""
    _check_password(password, username)
    now = datetime.now(UTC)
    with store.session() as session:
        row = _row(session, username)
        row.password_hash = _HASHER.hash(password)
        ended = sessions.revoke_all(session, row.id, now=now)
        audit.record(session, "password_reset", actor=actor, target=row.username, client=client,
                     detail=f"结束登录会话 {ended} 个", now=now)


def revoke_sessions(store: Store, username: str, *, actor: str = audit.CLI_ACTOR, client: str = "") -> int:
    """End every session of an account (it must log in again); how many were live."""
    now = datetime.now(UTC)
    with store.session() as session:
        row = _row(session, username)
        ended = sessions.revoke_all(session, row.id, now=now)
        audit.record(session, "session_revoked", actor=actor, target=row.username, client=client,
                     detail=f"结束登录会话 {ended} 个", now=now)
        return ended


def authenticate(store: Store, username: str, password: str, *, client: str = "",
                 rules: ThrottleRules | None = None, now: datetime | None = None) -> User:
    """The user, if the password matches and the account is active; else :class:`AuthError`.

    A throttled account or client is refused at once, before any hash runs; the attempt and its
    outcome go to the store (throttling) and the audit log."""
    attempt, verdict = begin_attempt(store, username, client, rules or ThrottleRules(), now=now)
    if not verdict.allowed:
        raise AuthError(verdict.message)
    outcome, detail = "failed", ""
    try:
        user = _verify(store, username, password)
        outcome = "ok"
        return user
    except _BusyError as exc:
        outcome = "refused"
        raise AuthError("服务器繁忙，请稍后再试") from exc
    except _LoginError as exc:
        detail = exc.detail
        raise
    finally:
        finish_attempt(store, attempt, outcome, username=username, client=client, detail=detail, now=now)


def _user(row: UserRow) -> User:
    return User(id=row.id, username=row.username, display_name=row.display_name, role=row.role,
                township=row.township, active=row.active)


class _BusyError(RuntimeError):
    """No verifier became free in time."""


class _LoginError(AuthError):
    """A refused login; ``detail`` says why, for the audit log only (the user is told less)."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def _verify(store: Store, username: str, password: str) -> User:
    """Check the password (an unknown user costs a hash too, so timing tells nothing)."""
    if not _VERIFYING.acquire(timeout=VERIFY_WAIT_S):
        raise _BusyError
    try:
        with store.session() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
            try:
                _HASHER.verify(row.password_hash if row else _dummy_hash(), password)
            except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
                raise _LoginError("用户名或密码错误", "无此用户" if row is None else "密码错误") from exc
            if row is None:
                raise _LoginError("用户名或密码错误", "无此用户")
            if not row.active:
                raise _LoginError("该账号已停用，请联系管理员", "账号已停用")
            if _HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = _HASHER.hash(password)
            return _user(row)
    finally:
        _VERIFYING.release()


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash("school-water-map: no such user")


def _check_password(password: str, username: str) -> None:
    try:
        check_password(password, username)
    except PasswordPolicyError as exc:
        raise AccountError(str(exc)) from exc


def _row(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
    if row is None:
        raise AccountError(f"找不到用户“{username}”")
    return row
