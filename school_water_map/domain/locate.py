"""Recording a located position: resolve the entity, convert the CRS, check the area, store it.

This is the one way a coordinate enters the system (CLI now; the app and importers later). Input in
GCJ-02 or BD-09 is converted to WGS-84 here, on the way in, and the original text is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from school_water_map.domain.entities import Resolution
from school_water_map.domain.positions import PositionRecord, PositionStore, new_record
from school_water_map.domain.scope import require_place
from school_water_map.domain.users import User
from school_water_map.errors import PositionError, UnknownPlaceError
from school_water_map.geo.crs import crs_code, to_wgs84

#: How far outside the district outline a position may fall (schools near the border, outline error).
AREA_MARGIN_DEG = 0.05


@dataclass(frozen=True)
class LocateRequest:
    """A person's request to place a school or water body."""

    entity: str  # id or name
    geometry: BaseGeometry  # in ``crs``
    crs: str
    source: str
    author: str
    method: str
    precision: str = "surveyed"
    accuracy_m: float | None = None
    note: str = ""


def entity_id(resolution: Resolution, key: str) -> str:
    """The id of a school or water body given by id or unambiguous name."""
    try:
        return resolution.school(key).school_id
    except UnknownPlaceError:
        pass
    try:
        return resolution.water(key).water_id
    except UnknownPlaceError:
        raise UnknownPlaceError("学校或水体", key) from None


def prepare(requests: Sequence[LocateRequest], resolution: Resolution, area: BaseGeometry, *,
            user: User | None = None) -> list[PositionRecord]:
    """Validate every request and build its record; raises on the first bad one, storing nothing.

    With a ``user`` (the app, once accounts exist), each entity must be within the user's township
    (:func:`school_water_map.domain.scope.require_place`, raising ``AuthError``); the CLI passes none."""
    allowed = area.buffer(AREA_MARGIN_DEG)
    records = []
    for number, request in enumerate(requests, start=1):
        try:
            records.append(_prepare_one(request, resolution, allowed, user))
        except PositionError as exc:
            where = f"第 {number} 条（{request.entity}）" if len(requests) > 1 else f"“{request.entity}”"
            raise PositionError(f"{where}：{exc}") from exc
    return records


def _prepare_one(request: LocateRequest, resolution: Resolution, allowed: BaseGeometry,
                 user: User | None) -> PositionRecord:
    ident = entity_id(resolution, request.entity)
    if user is not None:
        require_place(user, resolution, ident)
    code = crs_code(request.crs)
    wgs = shapely.transform(request.geometry, lambda xy: _convert(xy, code))
    if not allowed.contains(wgs):
        raise PositionError("位置不在本区范围内：请检查经纬度是否颠倒、坐标系是否选对")
    if ident in resolution.schools and not isinstance(wgs, Point):
        raise PositionError("学校的位置必须是一个点")
    return new_record(ident, wgs, precision=request.precision, source=request.source, author=request.author,
                      method=request.method, input_crs=code, input_text=request.geometry.wkt,
                      accuracy_m=request.accuracy_m, note=request.note)


def record(requests: Sequence[LocateRequest], resolution: Resolution, area: BaseGeometry,
           store: PositionStore, *, user: User | None = None) -> list[PositionRecord]:
    """Validate all requests (and the ``user``'s township, when given), then store them in one
    atomic write (all or nothing)."""
    return store.add(prepare(requests, resolution, area, user=user))


def _convert(xy: npt.NDArray[np.float64], code: str) -> npt.NDArray[np.float64]:
    lon, lat = to_wgs84(xy[:, 0], xy[:, 1], code)
    out = xy.copy()
    out[:, 0], out[:, 1] = lon, lat
    return out
