"""Settings kept in the database (the 设置 page): the current values, a change of several values for
one actor in one transaction, and the history of who changed what and when.

Each change adds a row (append-only); a key's current value is its newest row, and an empty value means
"back to the default". Every value is checked (``domain.app_settings.validate``) before anything is
written: one bad value and nothing is stored. Each save is also recorded in the audit log, secrets only
by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from school_water_map.domain.app_settings import label, validate
from school_water_map.domain.users import ADMIN, ROLE_ZH, User
from school_water_map.errors import AuthError
from school_water_map.store import audit
from school_water_map.store.database import Store
from school_water_map.store.db.models import AppSettingRow


@dataclass(frozen=True)
class SettingChange:
    at: datetime
    key: str
    value: str  # empty: back to the default
    changed_by: str


def current(store: Store) -> dict[str, str]:
    """The current value of every key that has one (a key cleared back to its default is left out)."""
    with store.session() as session:
        return _current(session)


def set_values(store: Store, changes: Mapping[str, str], *, actor: User | str, client: str = "",
               now: datetime | None = None) -> list[str]:
    """Store the changed values (checked first, all or nothing) for ``actor`` (an account, which must be
    an active 管理员, or a name such as the command line's); gives the keys whose value changed."""
    if isinstance(actor, User) and not (actor.active and actor.role == ADMIN):
        raise AuthError(f"只有{ROLE_ZH[ADMIN]}可以修改设置")
    who = actor.username if isinstance(actor, User) else actor
    checked = {key: validate(key, value) for key, value in changes.items()}
    moment = now or datetime.now(UTC)
    with store.session() as session:
        held = _current(session)
        changed = [key for key, value in checked.items() if held.get(key, "") != value]
        if not changed:
            return []
        session.add_all(AppSettingRow(key=key, value=checked[key], changed_by=who[:128], changed_at=moment)
                        for key in changed)
        audit.record(session, "settings_changed", actor=who, client=client, now=moment,
                     detail="、".join(label(key) for key in changed))
    return changed


def history(store: Store, *, limit: int = 200) -> list[SettingChange]:
    """The newest changes first."""
    query = select(AppSettingRow).order_by(AppSettingRow.id.desc()).limit(limit)
    with store.session() as session:
        return [SettingChange(at=_utc(row.changed_at), key=row.key, value=row.value, changed_by=row.changed_by)
                for row in session.scalars(query)]


def _current(session: Session) -> dict[str, str]:
    newest = select(AppSettingRow.key, func.max(AppSettingRow.id).label("id")).group_by(AppSettingRow.key).subquery()
    query = select(AppSettingRow).join(newest, AppSettingRow.id == newest.c.id)
    return {row.key: row.value for row in session.scalars(query) if row.value}


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
