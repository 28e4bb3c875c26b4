"""Small user preferences kept in the store (today: the chosen basemap).

Each preference has a global value (key ``basemap``), set by the bureau (an 管理员, or anyone in open
mode, where there are no accounts and so one shared choice), and may have a per-account value
(key ``user:<account id>:basemap``) that a 查看 or 乡镇巡查员 sets for itself only: its choice never
changes anyone else's map. An account with no value of its own gets the global one.

A missing or unreadable value gives the default: a preference is never worth an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import select

from school_water_map.domain.users import ADMIN, User
from school_water_map.geo.basemaps import OFFLINE
from school_water_map.store.database import Store
from school_water_map.store.db.models import PrefRow

#: Roles whose choice is the global one (and open mode, with no account at all).
GLOBAL_ROLES = frozenset({ADMIN})


@dataclass(frozen=True)
class Prefs:
    basemap: str = OFFLINE


def owner(user: User | None) -> int | None:
    """Whose preferences a person changes: None (the global ones) for open mode and an 管理员, else the
    account's own id."""
    return None if user is None or user.role in GLOBAL_ROLES else user.id


def pref_key(name: str, user_id: int | None = None) -> str:
    """The ``prefs`` row key of one preference: ``basemap`` (global) or ``user:7:basemap``."""
    return name if user_id is None else f"user:{user_id}:{name}"


class PrefsStore:
    """Preferences in the store's ``prefs`` table (one row per preference and owner)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self, user_id: int | None = None) -> Prefs:
        """The global preferences, overlaid with ``user_id``'s own where it has set one."""
        names = [f.name for f in fields(Prefs)]
        wanted = {pref_key(name): name for name in names}
        if user_id is not None:
            wanted |= {pref_key(name, user_id): name for name in names}
        with self._store.session() as session:
            rows = {row.key: row.value for row in session.scalars(select(PrefRow).where(PrefRow.key.in_(wanted)))}
        values = {name: rows[pref_key(name)] for name in names if pref_key(name) in rows}
        if user_id is not None:
            values |= {name: rows[pref_key(name, user_id)] for name in names if pref_key(name, user_id) in rows}
        return Prefs(**values)

    def update(self, user_id: int | None = None, **changes: Any) -> Prefs:
        """Change some preferences of ``user_id`` (None: the global ones) in one transaction; returns
        that owner's preferences after the change."""
        prefs = replace(self.load(user_id), **changes)
        with self._store.session() as session:
            for name, value in changes.items():
                key = pref_key(name, user_id)
                row = session.get(PrefRow, key)
                if row is None:
                    session.add(PrefRow(key=key, value=str(value)))
                else:
                    row.value = str(value)
        return prefs
