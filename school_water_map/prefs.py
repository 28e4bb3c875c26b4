"""Small user preferences kept in the store (today: the chosen basemap).

A missing or unreadable value gives the default: a preference is never worth an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import select

from school_water_map.basemaps import OFFLINE
from school_water_map.db.models import PrefRow
from school_water_map.store import Store


@dataclass(frozen=True)
class Prefs:
    basemap: str = OFFLINE


class PrefsStore:
    """Preferences in the store's ``prefs`` table (one row per preference)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self) -> Prefs:
        known = {f.name for f in fields(Prefs)}
        with self._store.session() as session:
            values = {row.key: row.value for row in session.scalars(select(PrefRow)) if row.key in known}
        return Prefs(**values)

    def update(self, **changes: Any) -> Prefs:
        """Change some preferences in one transaction; returns the new preferences."""
        prefs = replace(self.load(), **changes)
        with self._store.session() as session:
            for key, value in changes.items():
                row = session.get(PrefRow, key)
                if row is None:
                    session.add(PrefRow(key=key, value=str(value)))
                else:
                    row.value = str(value)
        return prefs
