"""``positions.json``: the file of recorded positions used before the database, written atomically.

Read once to move its records into the store (``school_water_map.store.database``); kept as a
:class:`~school_water_map.domain.positions.PositionStore` of its own (append-only, all or nothing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from school_water_map.domain.positions import PositionRecord, current_positions
from school_water_map.errors import DataFileError
from school_water_map.store.atomic import locked, write_json

_SCHEMA = 1


class PositionFile:
    """``positions.json``, the file store used before the database: read once to move it into the store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[PositionRecord]:
        if not self.path.exists():
            return []
        try:
            payload = json.loads(self.path.read_text(encoding="utf-8"))
            return [PositionRecord(**item) for item in payload["records"]]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataFileError(f"位置文件已损坏，无法读取：{self.path}（{exc}）") from exc

    def add(self, records: Sequence[PositionRecord]) -> list[PositionRecord]:
        """Append records in one atomic write: all are stored, or none."""
        with locked(self.path):
            existing = self.load()
            next_id = max((r.record_id for r in existing), default=0) + 1
            latest = current_positions(existing)
            stored = []
            for offset, record in enumerate(records):
                previous = latest.get(record.entity_id)
                stored_record = replace(record, record_id=next_id + offset,
                                        supersedes=previous.record_id if previous else None)
                latest[record.entity_id] = stored_record
                stored.append(stored_record)
            write_json(self.path, {"schema": _SCHEMA, "records": [asdict(r) for r in [*existing, *stored]]})
        return stored

    def history(self, entity_id: str) -> list[PositionRecord]:
        return [r for r in self.load() if r.entity_id == entity_id]
