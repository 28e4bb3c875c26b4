"""Login throttling, per account and per client, decided before any password hash runs.

Every attempt is a row of ``login_attempts``, kept in the store (so it holds across sessions,
processes and both back-ends). Within the lockout window (15 minutes by default):

- after the n-th consecutive failure of an account (n ≥ 2) its next attempt must wait
  ``delay_s · 2^(n-2)`` seconds (1, 2, 4 s); a first typo costs nothing;
- ``max_failures`` failures (5) lock the account until the oldest of them leaves the window;
- ``max_client_failures`` failures from one client (20, whatever the accounts: an office behind one
  address has several people) lock that client the same way.

A successful login clears its account's failures (not its client's). An attempt being checked counts
as a failure until it is decided, so concurrent guesses are throttled as well; the attempt is
recorded and counted in one transaction (under an advisory lock on PostgreSQL; SQLite takes its
write lock at the insert), so two processes cannot both slip under the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from school_water_map.settings import Settings
from school_water_map.store import audit
from school_water_map.store.database import Store
from school_water_map.store.db.models import LoginAttemptRow

_LOCK_KEY = 7_302_641  # pg_advisory_xact_lock key of the attempt bookkeeping
_KEEP = timedelta(days=2)  # attempts older than this are deleted (the audit log keeps the history)
_COUNTED = ("pending", "failed")


@dataclass(frozen=True)
class ThrottleRules:
    max_failures: int = 5  # per account within the window, then locked out
    max_client_failures: int = 20  # per client within the window, then locked out
    lockout_s: float = 15 * 60.0  # the window, and so the longest lockout
    delay_s: float = 1.0  # the first growing delay (after the second failure)

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottleRules:
        return cls(max_failures=settings.login_max_failures, lockout_s=settings.login_lockout_minutes * 60,
                   delay_s=settings.login_delay_s)


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may check its password; if not, how long to wait and why."""

    allowed: bool
    wait_s: float = 0.0
    locked: bool = False  # a lockout (else a growing delay)
    by_client: bool = False

    @property
    def message(self) -> str:
        if self.locked:
            who = "此设备" if self.by_client else ""
            return f"{who}登录失败次数过多，请 {max(1, math.ceil(self.wait_s / 60))} 分钟后再试"
        return f"登录过于频繁，请 {max(1, math.ceil(self.wait_s))} 秒后再试"


def begin_attempt(store: Store, username: str, client: str, rules: ThrottleRules, *,
                  now: datetime | None = None) -> tuple[int, Verdict]:
    """Record an attempt and decide whether its password may be checked (no hashing happens here).
    A refused attempt is recorded as such, with an audit entry; an allowed one stays ``pending`` until
    :func:`finish_attempt`."""
    now = now or datetime.now(UTC)
    name, client = account_key(username), client[:64]
    with store.session() as session:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
        row = LoginAttemptRow(at=now, username=name, client=client, outcome="pending")
        session.add(row)  # first: on SQLite this takes the write lock, so the counts below are current
        session.flush()
        since = now - timedelta(seconds=rules.lockout_s)
        verdict = _verdict(_account_failures(session, name, since, row.id), rules.max_failures, rules, now,
                           delays=True)
        if verdict.allowed:
            verdict = _verdict(_client_failures(session, client, since, row.id), rules.max_client_failures, rules,
                               now, delays=False, by_client=True)
        if not verdict.allowed:
            row.outcome = "refused"
            audit.record(session, "login_refused", actor=username.strip(), target=username.strip(), client=client,
                         detail=verdict.message, now=now)
        session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < now - _KEEP))
        return row.id, verdict


def finish_attempt(store: Store, attempt_id: int, outcome: str, *, username: str, client: str, detail: str = "",
                   now: datetime | None = None) -> None:
    """The password was checked: ``ok``, ``failed`` (counts towards a lockout) or ``refused`` (busy)."""
    with store.session() as session:
        row = session.get(LoginAttemptRow, attempt_id)
        if row is not None:
            row.outcome = outcome
        action = {"ok": "login_ok", "failed": "login_failed"}.get(outcome, "login_refused")
        audit.record(session, action, actor=username.strip(), target=username.strip(), client=client[:64],
                     detail=detail, now=now)


def account_key(username: str) -> str:
    """The throttled name: as typed, stripped and lower-cased (so case variants share one counter)."""
    return username.strip().lower()[:64]


def _account_failures(session: Session, name: str, since: datetime, own: int) -> list[datetime]:
    last_ok = session.scalar(select(func.max(LoginAttemptRow.at))
                             .where(LoginAttemptRow.username == name, LoginAttemptRow.outcome == "ok"))
    start = max(since, _utc(last_ok)) if last_ok is not None else since
    return _times(session, LoginAttemptRow.username == name, start, own)


def _client_failures(session: Session, client: str, since: datetime, own: int) -> list[datetime]:
    return _times(session, LoginAttemptRow.client == client, since, own)


def _times(session: Session, which: ColumnElement[bool], start: datetime, own: int) -> list[datetime]:
    rows = session.scalars(select(LoginAttemptRow.at).where(which, LoginAttemptRow.at > start,
                                                            LoginAttemptRow.outcome.in_(_COUNTED),
                                                            LoginAttemptRow.id != own)
                           .order_by(LoginAttemptRow.at))
    return [_utc(at) for at in rows]


def _verdict(failures: list[datetime], limit: int, rules: ThrottleRules, now: datetime, *, delays: bool,
             by_client: bool = False) -> Verdict:
    """Failures (oldest first, all inside the window) → the verdict for the next attempt."""
    if len(failures) >= limit:
        until = failures[-limit] + timedelta(seconds=rules.lockout_s)  # when fewer than ``limit`` remain
        return Verdict(False, (until - now).total_seconds(), locked=True, by_client=by_client)
    if delays and len(failures) >= 2:
        until = failures[-1] + timedelta(seconds=rules.delay_s * 2 ** (len(failures) - 2))
        if until > now:
            return Verdict(False, (until - now).total_seconds())
    return Verdict(True)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
