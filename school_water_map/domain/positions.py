"""Recorded positions of schools and water bodies: who placed what, where, when and how well.

Precision levels (DESIGN.md): ``surveyed`` (GPS at the place, or staff placing it on imagery),
``gazetteer`` (a curated file with source and licence), ``geocoded`` (an online provider's answer,
unconfirmed), ``small_scale`` (a line from a small-scale map in ``geodata/``, the Yellow River: within
about a kilometre; never recorded, a recorded position replaces it), ``derived`` (computed from a
located school and the annex; never recorded here) and ``unplaced``. Nothing gets coordinates without a source.

Records are only appended: the history of every entity is kept, and the latest record is the current
one. A record of precision ``unplaced`` (``WITHDRAWN_WKT``; written only when the bureau rejects a patrol's
position that had nothing before it, ``domain.patrol_place.rejection``) takes the entity off the map again.
They live in the store (``school_water_map.store.database``); ``store.position_file.PositionFile`` is the JSON
file used before the database existed, read once to move its records in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import shapely
from shapely.geometry.base import BaseGeometry

from school_water_map.errors import PositionError

PRECISIONS = ("surveyed", "gazetteer", "geocoded", "small_scale", "derived", "unplaced")
RECORDABLE = ("surveyed", "gazetteer", "geocoded")
PRECISION_ZH = {"surveyed": "实测", "gazetteer": "地名库", "geocoded": "地理编码（未确认）",
                "small_scale": "小比例尺地图（约 ±1 公里）", "derived": "推算", "unplaced": "未定位"}
#: How far a ``small_scale`` line (a 1:1M–1:3M map, ``geodata/``) may be from the real bank: its distances
#: carry this on top of the rules' disagreement tolerance.
SMALL_SCALE_UNCERTAINTY_M = 1000.0
METHOD_ZH = {"click": "地图点选", "typed": "输入坐标", "gps": "平板GPS", "csv": "CSV导入", "import": "文件导入",
             "geocoder": "在线地理编码", "file": "数据文件", "trace": "描绘水体", "reject": "否决巡查定位"}
#: The geometry of a record that withdraws a position (precision ``unplaced``).
WITHDRAWN_WKT = "GEOMETRYCOLLECTION EMPTY"


@dataclass(frozen=True)
class PositionRecord:
    """One recorded position. ``wkt`` is WGS-84 lon/lat; ``input_text`` keeps what the person entered."""

    entity_id: str
    wkt: str
    precision: str
    source: str
    author: str
    method: str
    recorded_at: str = ""
    input_crs: str = "WGS84"
    input_text: str = ""
    accuracy_m: float | None = None
    note: str = ""
    record_id: int = 0
    supersedes: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def geometry(self) -> BaseGeometry:
        return shapely.from_wkt(self.wkt)


def new_record(entity_id: str, geometry: BaseGeometry, *, precision: str, source: str, author: str,
               method: str, input_crs: str = "WGS84", input_text: str = "", accuracy_m: float | None = None,
               note: str = "", now: datetime | None = None) -> PositionRecord:
    """Validate and build a record (not yet stored)."""
    if precision not in RECORDABLE:
        raise PositionError(f"精度“{precision}”不能直接录入：只能是 实测、地名库 或 地理编码")
    if not source.strip():
        raise PositionError("位置必须注明来源")
    if not author.strip():
        raise PositionError("位置必须注明录入人")
    if geometry.is_empty or not geometry.is_valid:
        raise PositionError("几何图形为空或无效")
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return PositionRecord(entity_id=entity_id, wkt=geometry.wkt, precision=precision, source=source.strip(),
                          author=author.strip(), method=method, recorded_at=stamp, input_crs=input_crs,
                          input_text=input_text, accuracy_m=accuracy_m, note=note)


def current_positions(records: Sequence[PositionRecord]) -> dict[str, PositionRecord]:
    """The latest record of each entity (records are kept in the order they were added), leaving out the
    entities whose latest record withdraws their position."""
    latest: dict[str, PositionRecord] = {}
    for record in records:
        latest[record.entity_id] = record
    return {entity: record for entity, record in latest.items() if record.precision != "unplaced"}


class PositionStore(Protocol):
    """Where recorded positions live: the database store (``school_water_map.store.database``) in the app and CLI."""

    def load(self) -> list[PositionRecord]: ...

    def add(self, records: Sequence[PositionRecord]) -> list[PositionRecord]: ...

    def history(self, entity_id: str) -> list[PositionRecord]: ...
