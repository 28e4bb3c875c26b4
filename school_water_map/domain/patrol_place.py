"""A patrol places what it stands at (pure): at a site whose school or water body has no position yet, a
GPS fix good enough (``PatrolRules.place_accuracy_m``) becomes a ``surveyed`` position of the school (我在
学校门口) or of the water body (我在水边), authored by the patrol, its source 巡查定位 and its accuracy kept.
It is recorded through the one locate path (``domain.locate.record``), which refuses a patrol outside its
township; from then on the site's presence check works.

The bureau can reject such a position (``rejection``): a new record restores what the entity had before
it, or takes it off the map when it had nothing (records are only appended; the rejected one stays in the
history)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from shapely.geometry import Point

from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.locate import LocateRequest
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.positions import WITHDRAWN_WKT, PositionRecord
from school_water_map.domain.sites import Site
from school_water_map.errors import PositionError
from school_water_map.geo.crs import WGS84

SCHOOL_GATE, WATER_EDGE = "school", "water"
#: What the patrol says, by the place its fix stands for.
SPOTS = {SCHOOL_GATE: "我在学校门口", WATER_EDGE: "我在水边"}
SOURCE = "巡查定位"


def placement(site: Site, spot: str, fix: DevicePosition, rules: PatrolRules, *, author: str) -> LocateRequest:
    """The position ``fix`` gives the site's school (``SCHOOL_GATE``) or water body (``WATER_EDGE``), or a
    Chinese :class:`PositionError` when the fix is not good enough to place anything."""
    if spot not in SPOTS:
        raise ValueError(f"unknown spot {spot!r}")
    if fix.accuracy_m is None or fix.accuracy_m > rules.place_accuracy_m:
        shown = "未知" if fix.accuracy_m is None else f"±{fix.accuracy_m:.0f} 米"
        raise PositionError(f"定位精度{shown}，达不到定位所需的 ±{rules.place_accuracy_m:g} 米："
                            "请到开阔处重新获取位置后再定位")
    entity = site.school_id if spot == SCHOOL_GATE else site.water_id
    where = f"{site.school}校门口" if spot == SCHOOL_GATE else f"{site.water}水边"
    return LocateRequest(entity=entity, geometry=Point(fix.lon, fix.lat), crs=WGS84, author=author, method="gps",
                         source=f"{SOURCE}（{where}，点位 {site.site_id}，GPS 精度 ±{fix.accuracy_m:.0f} 米）",
                         precision="surveyed", accuracy_m=fix.accuracy_m)


def is_patrol_placed(record: PositionRecord) -> bool:
    """Whether ``record`` is a position a patrol recorded at its site."""
    return record.source.startswith(SOURCE)


def rejection(history: Sequence[PositionRecord], *, author: str, reason: str,
              now: datetime | None = None) -> PositionRecord:
    """The record that rejects the entity's current position (the last of ``history``), a patrol's: it
    restores the record before it, or withdraws the position when there was none. A Chinese
    :class:`PositionError` when the current position is not a patrol's, or the reason or author is missing."""
    standing = _standing(history)
    if not standing or not is_patrol_placed(standing[-1]):
        raise PositionError("该学校或水体的当前位置不是巡查定位，无需否决")
    if not reason.strip():
        raise PositionError("请填写否决理由（例如：点位在河对岸，不是校门口）")
    if not author.strip():
        raise PositionError("否决须注明录入人")
    rejected, before = standing[-1], (standing[-2] if len(standing) > 1 else None)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    note = f"否决巡查定位（记录 {rejected.record_id}，{rejected.author}）：{reason.strip()}"
    if before is None or before.precision == "unplaced":
        return PositionRecord(entity_id=rejected.entity_id, wkt=WITHDRAWN_WKT, precision="unplaced",
                              source="否决巡查定位", author=author.strip(), method="reject", recorded_at=stamp,
                              note=f"{note}；恢复为未定位")
    return PositionRecord(entity_id=rejected.entity_id, wkt=before.wkt, precision=before.precision,
                          source=before.source, author=author.strip(), method="reject", recorded_at=stamp,
                          input_crs=before.input_crs, input_text=before.input_text, accuracy_m=before.accuracy_m,
                          note=f"{note}；恢复记录 {before.record_id} 的位置")


def _standing(history: Sequence[PositionRecord]) -> list[PositionRecord]:
    """The records still in force, oldest first: each rejection undoes the one it rejected (so rejecting a
    restored patrol position goes back past it, never forward to what was rejected before)."""
    standing: list[PositionRecord] = []
    for record in history:
        if record.method == "reject":
            if standing:
                standing.pop()
        else:
            standing.append(record)
    return standing
