"""Geocoded candidates awaiting a person's decision (the run that collects them: ``pipeline.geocoding``).

Every provider answer is kept (query, raw answer, WGS-84 point) as a ``pending`` candidate in the
store (``candidates`` table). Nothing is confirmed automatically: confirming a candidate
records a ``geocoded`` position through the one locate path; rejecting it only marks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from school_water_map.domain.candidates import Candidate, CandidateRecord
from school_water_map.domain.entities import Resolution
from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.positions import PositionRecord, PositionStore
from school_water_map.domain.users import User
from school_water_map.errors import PROVIDER_ZH, PositionError
from school_water_map.store.database import Store
from school_water_map.store.db.models import CandidateRow

STATUS_ZH = {"pending": "待确认", "confirmed": "已确认", "rejected": "已否决"}


class CandidateStore:
    """Candidates in the store's ``candidates`` table: added, then decided once, in transactions."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self) -> list[CandidateRecord]:
        with self._store.session() as session:
            return [_candidate(row) for row in session.scalars(select(CandidateRow).order_by(CandidateRow.id))]

    def add(self, entity_id: str, answers: Iterable[Candidate]) -> list[CandidateRecord]:
        now = _now()
        with self._store.session() as session:
            rows = [CandidateRow(entity_id=entity_id, provider=a.provider, query=a.query, name=a.name,
                                 address=a.address, lon=a.lon, lat=a.lat, answer_crs=a.answer_crs, raw=dict(a.raw),
                                 status="pending", created_at=now, decided_by="", decided_at="") for a in answers]
            session.add_all(rows)
            session.flush()
            return [_candidate(row) for row in rows]

    def decide(self, candidate_id: int, status: str, by: str,
               on_confirm: Callable[[CandidateRecord], object] | None = None) -> CandidateRecord:
        """Mark a pending candidate; ``on_confirm`` runs first, and if it fails nothing is marked."""
        if status not in ("confirmed", "rejected"):
            raise PositionError(f"无效的决定“{status}”")
        with self._store.session() as session:
            row = session.get(CandidateRow, candidate_id, with_for_update=True)
            if row is None:
                raise PositionError(f"找不到候选位置 #{candidate_id}")
            if row.status != "pending":
                raise PositionError(f"候选位置 #{candidate_id} {STATUS_ZH[row.status]}，不能再次处理")
            row.status, row.decided_by, row.decided_at = status, by, _now()
            decided = _candidate(row)
            if status == "confirmed" and on_confirm is not None:
                on_confirm(decided)
            return decided

    def decline_others(self, candidate_id: int, by: str) -> list[CandidateRecord]:
        """After a person confirmed ``candidate_id``: its entity's other pending candidates are rejected by the
        same choice (one position per confirmation; a later search brings new candidates)."""
        with self._store.session() as session:
            chosen = session.get(CandidateRow, candidate_id)
            if chosen is None or chosen.status != "confirmed":
                raise PositionError(f"候选位置 #{candidate_id} 尚未确认")
            rows = session.scalars(select(CandidateRow).where(CandidateRow.entity_id == chosen.entity_id,
                                                              CandidateRow.status == "pending")).all()
            now = _now()
            for row in rows:
                row.status, row.decided_by, row.decided_at = "rejected", by, now
            return [_candidate(row) for row in rows]


def confirm(store: CandidateStore, candidate_id: int, *, by: str, resolution: Resolution, area: BaseGeometry,
            positions: PositionStore, user: User | None = None,
            adjusted: tuple[float, float, str] | None = None) -> PositionRecord:
    """Confirm a candidate: its point becomes the entity's ``geocoded`` position (with the answer kept).

    ``adjusted`` (lon, lat, CRS of the basemap clicked): the person moved the point before confirming; that
    point is recorded instead (converted to WGS-84 on the way in) and the candidate's own is kept in the note.
    With a ``user`` (the app, once accounts exist) the entity must be within the user's township
    (``AuthError`` otherwise, and the candidate stays pending)."""
    stored: list[PositionRecord] = []

    def record_position(candidate: CandidateRecord) -> None:
        source = f"{PROVIDER_ZH.get(candidate.provider, candidate.provider)}：{candidate.name} {candidate.address}"
        note = f"候选 #{candidate.candidate_id}，查询“{candidate.query}”，经 {by} 确认"
        lon, lat, crs = adjusted or (candidate.lon, candidate.lat, "WGS84")
        if adjusted:
            source += "（人工点选调整）"
            note += f"；调整前 经度 {candidate.lon:.6f}、纬度 {candidate.lat:.6f}（WGS-84）"
        request = LocateRequest(entity=candidate.entity_id, geometry=Point(lon, lat), crs=crs, source=source,
                                author=by, method="geocoder", precision="geocoded", note=note)
        stored.extend(record([request], resolution, area, positions, user=user))

    store.decide(candidate_id, "confirmed", by, on_confirm=record_position)
    return stored[0]


def _candidate(row: CandidateRow) -> CandidateRecord:
    return CandidateRecord(candidate_id=row.id, entity_id=row.entity_id, provider=row.provider, query=row.query,
                           name=row.name, address=row.address, lon=row.lon, lat=row.lat, answer_crs=row.answer_crs,
                           raw=dict(row.raw), status=row.status, created_at=row.created_at,
                           decided_by=row.decided_by, decided_at=row.decided_at)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
