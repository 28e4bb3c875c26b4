"""Geocoded candidates awaiting a person's decision, and the run that collects them.

Every provider answer is kept (query, raw answer, WGS-84 point) as a ``pending`` candidate in
``candidates.json`` in the data directory. Nothing is confirmed automatically: confirming a candidate
records a ``geocoded`` position through the one locate path; rejecting it only marks it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from school_water_map.accounts import User
from school_water_map.atomic import locked, write_json
from school_water_map.entities import Resolution
from school_water_map.errors import DataFileError, PositionError
from school_water_map.geocode import PROVIDER_ZH, Candidate, Provider, ProviderError
from school_water_map.locate import LocateRequest, record
from school_water_map.positions import PositionRecord, PositionStore
from school_water_map.register import Register

STATUS_ZH = {"pending": "待确认", "confirmed": "已确认", "rejected": "已否决"}


@dataclass(frozen=True)
class CandidateRecord:
    candidate_id: int
    entity_id: str
    provider: str
    query: str
    name: str
    address: str
    lon: float
    lat: float
    answer_crs: str
    raw: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    created_at: str = ""
    decided_by: str = ""
    decided_at: str = ""


@dataclass(frozen=True)
class QueryOutcome:
    entity_id: str
    query: str
    candidates: int = 0
    error: str = ""


class CandidateStore:
    """``candidates.json``: append and decide, each change one atomic write."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[CandidateRecord]:
        if not self.path.exists():
            return []
        try:
            return [CandidateRecord(**item) for item in json.loads(self.path.read_text(encoding="utf-8"))["records"]]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataFileError(f"候选位置文件已损坏：{self.path}（{exc}）") from exc

    def add(self, entity_id: str, answers: Iterable[Candidate]) -> list[CandidateRecord]:
        with locked(self.path):
            existing = self.load()
            start = max((c.candidate_id for c in existing), default=0) + 1
            now = _now()
            new = [CandidateRecord(candidate_id=start + i, entity_id=entity_id, provider=a.provider, query=a.query,
                                   name=a.name, address=a.address, lon=a.lon, lat=a.lat, answer_crs=a.answer_crs,
                                   raw=dict(a.raw), created_at=now) for i, a in enumerate(answers)]
            self._write([*existing, *new])
        return new

    def decide(self, candidate_id: int, status: str, by: str,
               on_confirm: Callable[[CandidateRecord], object] | None = None) -> CandidateRecord:
        """Mark a pending candidate; ``on_confirm`` runs inside the lock before the mark is saved."""
        if status not in ("confirmed", "rejected"):
            raise PositionError(f"无效的决定“{status}”")
        with locked(self.path):
            records = self.load()
            found = next((c for c in records if c.candidate_id == candidate_id), None)
            if found is None:
                raise PositionError(f"找不到候选位置 #{candidate_id}")
            if found.status != "pending":
                raise PositionError(f"候选位置 #{candidate_id} {STATUS_ZH[found.status]}，不能再次处理")
            decided = replace(found, status=status, decided_by=by, decided_at=_now())
            if status == "confirmed" and on_confirm is not None:
                on_confirm(decided)
            self._write([decided if c.candidate_id == candidate_id else c for c in records])
        return decided

    def _write(self, records: list[CandidateRecord]) -> None:
        write_json(self.path, {"schema": 1, "records": [asdict(c) for c in records]})


def geocode_entities(register: Register, provider: Provider, store: CandidateStore, *,
                     only_unplaced: bool = False, limit: int | None = None) -> list[QueryOutcome]:
    """Ask ``provider`` for every named school and water body; keep every answer as a candidate.

    Generic names (水渠…) are skipped: a place search cannot tell one school's canal from another.
    A key or quota error stops the run (the next query would fail the same way); stored candidates stay.
    """
    outcomes = []
    for entity_id, query in _queries(register, only_unplaced)[:limit]:
        try:
            answers = provider.search(query)
        except ProviderError as exc:
            outcomes.append(QueryOutcome(entity_id, query, error=str(exc)))
            if exc.kind in ("key", "quota", "config"):
                break
            continue
        store.add(entity_id, answers)
        outcomes.append(QueryOutcome(entity_id, query, candidates=len(answers)))
    return outcomes


def confirm(store: CandidateStore, candidate_id: int, *, by: str, resolution: Resolution, area: BaseGeometry,
            positions: PositionStore, user: User | None = None) -> PositionRecord:
    """Confirm a candidate: its point becomes the entity's ``geocoded`` position (with the answer kept).

    With a ``user`` (the app, once accounts exist) the entity must be within the user's township
    (``AuthError`` otherwise, and the candidate stays pending)."""
    stored: list[PositionRecord] = []

    def record_position(candidate: CandidateRecord) -> None:
        request = LocateRequest(
            entity=candidate.entity_id, geometry=Point(candidate.lon, candidate.lat), crs="WGS84",
            source=f"{PROVIDER_ZH.get(candidate.provider, candidate.provider)}：{candidate.name} {candidate.address}",
            author=by, method="geocoder", precision="geocoded",
            note=f"候选 #{candidate.candidate_id}，查询“{candidate.query}”，经 {by} 确认")
        stored.extend(record([request], resolution, area, positions, user=user))

    store.decide(candidate_id, "confirmed", by, on_confirm=record_position)
    return stored[0]


def _queries(register: Register, only_unplaced: bool) -> list[tuple[str, str]]:
    out = []
    for frame, key in ((register.schools, "school_id"), (register.waters, "water_id")):
        for row in frame.itertuples():
            if only_unplaced and row.precision != "unplaced":
                continue
            if key == "water_id" and isinstance(row.scope_school_id, str):
                continue  # a generic name: not searchable
            out.append((getattr(row, key), str(row.name)))
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
