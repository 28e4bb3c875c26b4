"""Small user preferences kept in the data directory (today: the chosen basemap).

``prefs.json`` is rewritten atomically under a lock (``school_water_map.atomic``), so a crash leaves
the previous version. A missing or unreadable file gives the defaults: a preference is never worth an error page.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from school_water_map.atomic import locked, write_json
from school_water_map.basemaps import OFFLINE


@dataclass(frozen=True)
class Prefs:
    basemap: str = OFFLINE


class PrefsStore:
    """The file store of preferences (the only writer of ``prefs.json``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Prefs:
        try:
            payload = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Prefs()
        if not isinstance(payload, dict):
            return Prefs()
        known = {f.name for f in fields(Prefs)}
        return Prefs(**{k: str(v) for k, v in payload.items() if k in known})

    def update(self, **changes: Any) -> Prefs:
        """Change some preferences and write the file atomically; returns the new preferences."""
        with locked(self.path):
            prefs = replace(self.load(), **changes)
            write_json(self.path, asdict(prefs))
        return prefs
