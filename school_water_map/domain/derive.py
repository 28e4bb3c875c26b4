"""Derived water positions: from a located school plus the annex's direction and distance.

One direction gives a point; ``南北`` gives two points; no direction gives a ring of that radius
(two rings for a nearest/farthest range); ``校门口`` with no number gives the school's own point.
A direction without a distance (row 16's 学校向南) cannot be placed. All geometry is geodesic on
WGS-84, so no metres are ever computed in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from school_water_map.domain.reported import AZIMUTH, COMPASS_ZH, ReportedDistance, format_metres

_GEOD = Geod(ellps="WGS84")
_RING_VERTICES = 72


@dataclass(frozen=True)
class Derivation:
    """A derived geometry (WGS-84) and how it was made, or ``geometry=None`` with the reason why not."""

    geometry: BaseGeometry | None
    shape: str  # "point", "points", "ring", "rings", "gate" or "none"
    explanation: str


def derive_water_geometry(school: Point, reported: ReportedDistance, *,
                          distance_m: float | None = None, distance_max_m: float | None = None) -> Derivation:
    """Place a water body relative to its school from what the annex reports.

    ``distance_m``/``distance_max_m`` override the cell's own values (the note may supply a range).
    """
    near = reported.distance_m if distance_m is None else distance_m
    far = reported.distance_max_m if distance_max_m is None else distance_max_m
    where = "、".join(COMPASS_ZH[d] for d in reported.directions)
    if near is None:
        if reported.at_gate:
            return Derivation(school, "gate", "附件称在校门口，未报距离：取学校位置")
        return Derivation(None, "none", "附件未报距离，无法推算位置")
    if near <= 0:
        return Derivation(school, "gate", "附件距离为 0 米：取学校位置")
    if reported.directions:
        points = [_forward(school, AZIMUTH[d], near) for d in reported.directions]
        geometry: BaseGeometry = points[0] if len(points) == 1 else MultiPoint(points)
        shape = "point" if len(points) == 1 else "points"
        return Derivation(geometry, shape, f"按附件方向（{where}）和距离 {format_metres(near)} 米推算")
    rings = [_ring(school, near)] + ([_ring(school, far)] if far is not None and far > near else [])
    if len(rings) == 1:
        return Derivation(rings[0], "ring", f"附件未报方向：以学校为圆心、半径 {format_metres(near)} 米的圆")
    return Derivation(MultiLineString(rings), "rings",
                      f"附件未报方向：半径 {format_metres(near)}～{format_metres(far)} 米的两个圆之间")


def _forward(origin: Point, azimuth: float, distance_m: float) -> Point:
    lon, lat, _ = _GEOD.fwd(origin.x, origin.y, azimuth, distance_m)
    return Point(lon, lat)


def _ring(origin: Point, radius_m: float) -> LineString:
    azimuths = np.linspace(0.0, 360.0, _RING_VERTICES, endpoint=False)
    lons, lats, _ = _GEOD.fwd(np.full_like(azimuths, origin.x), np.full_like(azimuths, origin.y),
                              azimuths, np.full_like(azimuths, radius_m))
    coords = list(zip(lons, lats, strict=True))
    return LineString([*coords, coords[0]])
