"""Sessions that last a working day: a random token per login, kept by the browser as a cookie.

The token (``secrets.token_urlsafe(32)``, 256 random bits) is the only secret: the store keeps just its
SHA-256, so a copy of the database signs nobody in, and a token can be neither guessed nor forged. A
session ends when it expires (``session_hours``, default 12), at logout, and for every session of an
account when that account is disabled or its password changed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from school_water_map.store import audit
from school_water_map.store.database import Store
from school_water_map.store.db.models import AuthSessionRow, UserRow

COOKIE = "swmap_session"
_TOUCH = timedelta(minutes=5)  # last_seen_at is written at most this often per session


@dataclass(frozen=True)
class SessionInfo:
    username: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    client: str


def create(store: Store, user_id: int, *, hours: float, client: str = "", now: datetime | None = None) -> str:
    """A new session for the account; the token to give the browser (never stored as such)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    with store.session() as session:
        session.add(AuthSessionRow(token_hash=token_hash(token), user_id=user_id, created_at=now,
                                   expires_at=now + timedelta(hours=hours), last_seen_at=now, client=client[:64]))
    return token


def resume(store: Store, token: str, *, now: datetime | None = None) -> str | None:
    """The username of a live session (known, not expired, not revoked, its account active), else None."""
    if not token:
        return None
    now = now or datetime.now(UTC)
    with store.session() as session:
        found = session.execute(select(AuthSessionRow, UserRow).join(UserRow, UserRow.id == AuthSessionRow.user_id)
                                .where(AuthSessionRow.token_hash == token_hash(token))).first()
        if found is None:
            return None
        row, user = found
        if row.revoked_at is not None or _utc(row.expires_at) <= now or not user.active:
            return None
        if now - _utc(row.last_seen_at) >= _TOUCH:
            row.last_seen_at = now
        return user.username


def revoke(store: Store, token: str, *, client: str = "", now: datetime | None = None) -> None:
    """End one session (logout); an unknown or already ended token is ignored."""
    now = now or datetime.now(UTC)
    with store.session() as session:
        found = session.execute(select(AuthSessionRow, UserRow).join(UserRow, UserRow.id == AuthSessionRow.user_id)
                                .where(AuthSessionRow.token_hash == token_hash(token),
                                       AuthSessionRow.revoked_at.is_(None))).first()
        if found is None:
            return
        row, user = found
        row.revoked_at = now
        audit.record(session, "logout", actor=user.username, target=user.username, client=client, now=now)


def revoke_all(session: Session, user_id: int, *, now: datetime) -> int:
    """End every live session of an account, in the caller's transaction; how many were live."""
    result = session.execute(update(AuthSessionRow)
                             .where(AuthSessionRow.user_id == user_id, AuthSessionRow.revoked_at.is_(None),
                                    AuthSessionRow.expires_at > now)
                             .values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def live_sessions(store: Store, *, now: datetime | None = None) -> list[SessionInfo]:
    """Sessions that would still sign someone in, newest first."""
    now = now or datetime.now(UTC)
    with store.session() as session:
        rows = session.execute(select(AuthSessionRow, UserRow).join(UserRow, UserRow.id == AuthSessionRow.user_id)
                               .where(AuthSessionRow.revoked_at.is_(None), AuthSessionRow.expires_at > now,
                                      UserRow.active.is_(True))
                               .order_by(AuthSessionRow.id.desc())).all()
        return [SessionInfo(username=user.username, created_at=_utc(row.created_at), expires_at=_utc(row.expires_at),
                            last_seen_at=_utc(row.last_seen_at), client=row.client) for row, user in rows]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
