"""A patrol places what it stands at (pure): at a site whose school or water body has no position yet, a
GPS fix good enough (``PatrolRules.place_accuracy_m``) becomes a ``surveyed`` position of the school (我在
学校门口) or of the water body (我在水边), authored by the patrol, its source 巡查定位 and its accuracy kept.
It is recorded through the one locate path (``domain.locate.record``), which refuses a patrol outside its
township; from then on the site's presence check works."""

from __future__ import annotations

from shapely.geometry import Point

from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.locate import LocateRequest
from school_water_map.domain.patrol import PatrolRules
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
