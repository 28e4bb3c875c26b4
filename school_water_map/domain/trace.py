"""Tracing a water body on imagery: what a person drew (Leaflet.draw's GeoJSON) → one locate request.

Which shape each kind of water is drawn as is declared as data (``SHAPES``): a canal, ditch or river is a
line along it, a pond, lake, reservoir or park water an outline; a wide river may also be outlined.
The drawing is checked here (shape for the kind, vertices, a valid outline); the district and the
conversion from the basemap's CRS (GCJ-02 on 高德) are checked where every position is, in
``domain.locate.prepare``. A water body shared by several schools (秦渠) is one entity: traced once, its
geometry gives every pair of it a computed distance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.errors import GEOSException
from shapely.geometry import MultiLineString, MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

from school_water_map import limits
from school_water_map.domain.entities import KIND_ZH, WaterBody
from school_water_map.domain.locate import LocateRequest
from school_water_map.errors import PositionError

LINE = "line"
AREA = "area"


@dataclass(frozen=True)
class Shape:
    """A way to draw water: its code, its name for people, and the GeoJSON types it is drawn with."""

    code: str
    label: str
    geom_types: tuple[str, ...]
    hint: str


SHAPE_BY_CODE = {
    LINE: Shape(LINE, "线", ("LineString", "MultiLineString"), "沿水体中心线逐点点按，点按最后一点结束"),
    AREA: Shape(AREA, "面", ("Polygon", "MultiPolygon"), "沿岸线逐点点按，点按第一点闭合"),
}
#: Water kind → the shapes it may be traced as, the first one offered first.
SHAPES: Mapping[str, tuple[str, ...]] = {
    "river": (LINE, AREA), "main_canal": (LINE,), "branch_canal": (LINE,), "drainage_ditch": (LINE,),
    "lake": (AREA,), "park_water": (AREA,), "pond": (AREA,), "reservoir": (AREA,),
}
_GEOD = Geod(ellps="WGS84")
_AT = re.compile(r"\[(-?[\d.]+) (-?[\d.]+)\]")


def shapes_for(kind: str) -> tuple[Shape, ...]:
    """The shapes a water body of ``kind`` may be traced as."""
    return tuple(SHAPE_BY_CODE[code] for code in SHAPES[kind])


def trace_request(drawings: Sequence[Mapping[str, Any]], water: WaterBody, *, crs: str, source: str,
                  author: str, precision: str = "surveyed") -> LocateRequest:
    """The request to place ``water`` at what was drawn (GeoJSON features in the basemap's ``crs``); raises
    ``PositionError`` naming the problem when the drawing cannot be the water body's shape."""
    geometry = drawn_geometry(drawings)
    check_shape(geometry, water)
    parts = len(getattr(geometry, "geoms", [geometry]))
    return LocateRequest(entity=water.water_id, geometry=geometry, crs=crs, source=source, author=author,
                         method="trace", precision=precision, note=f"描绘 {parts} 段" if parts > 1 else "")


def drawn_geometry(drawings: Sequence[Mapping[str, Any]]) -> BaseGeometry:
    """One geometry from the drawn features: lines merged into one (Multi)LineString, outlines into one
    (Multi)Polygon; a point, a mixture of lines and outlines, or too many vertices is refused."""
    if not drawings:
        raise PositionError("还没有描绘：请先用地图左上角的工具画出水体")
    geoms = [_feature_geometry(number, feature) for number, feature in enumerate(drawings, start=1)]
    types = {_family(g) for g in geoms}
    if len(types) > 1:
        raise PositionError("同时画了线和面：一处水体只能是一种，请删除多余的图形")
    vertices = int(sum(shapely.get_num_coordinates(g) for g in geoms))
    if vertices > limits.TRACE_VERTICES:
        raise PositionError(f"描绘的图形有 {vertices:,} 个顶点，超过上限 {limits.TRACE_VERTICES:,} 个")
    if types == {LINE}:
        lines = [part for g in geoms for part in getattr(g, "geoms", [g])]
        return shapely.line_merge(MultiLineString(lines)) if len(lines) > 1 else lines[0]
    polygons = [part for g in geoms for part in getattr(g, "geoms", [g])]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def check_shape(geometry: BaseGeometry, water: WaterBody) -> None:
    """Refuse a shape the water body's kind is not drawn as (a canal traced as an outline, a pond as a line)."""
    allowed = shapes_for(water.kind)
    if any(geometry.geom_type in s.geom_types for s in allowed):
        return
    drawn = SHAPE_BY_CODE[_family(geometry)].label
    wanted = "或".join(s.label for s in allowed)
    raise PositionError(f"“{water.name}”是{KIND_ZH[water.kind]}，应描绘为{wanted}，不能是{drawn}："
                        "请删除该图形后重画")


def describe(geometry: BaseGeometry) -> str:
    """What a WGS-84 traced geometry is, for the person about to save it: shape, vertices, geodesic size."""
    vertices = int(shapely.get_num_coordinates(geometry))
    parts = len(getattr(geometry, "geoms", [geometry]))
    pieces = f"{parts} 段，" if parts > 1 else ""
    if _family(geometry) == LINE:
        return f"线，{pieces}{vertices} 个顶点，长约 {_GEOD.geometry_length(geometry):,.0f} 米"
    area = abs(_GEOD.geometry_area_perimeter(geometry)[0])
    return f"面，{pieces}{vertices} 个顶点，面积约 {area:,.0f} 平方米"


def _feature_geometry(number: int, feature: Mapping[str, Any]) -> BaseGeometry:
    where = f"第 {number} 个图形"
    raw = feature.get("geometry") if isinstance(feature, Mapping) else None
    if not isinstance(raw, Mapping):
        raise PositionError(f"{where}：没有几何图形")
    kind = raw.get("type")
    if kind not in (*SHAPE_BY_CODE[LINE].geom_types, *SHAPE_BY_CODE[AREA].geom_types):
        raise PositionError(f"{where}是“{kind}”：水体只能描绘为线或面，不能是点或圆")
    try:
        geom = shapely.force_2d(shape(dict(raw)))
    except (ValueError, TypeError, AttributeError, GEOSException) as exc:
        raise PositionError(f"{where}：坐标无法读取") from exc
    _check_drawn(where, geom)
    return geom


def _check_drawn(where: str, geom: BaseGeometry) -> None:
    if geom.is_empty or not np.isfinite(shapely.get_coordinates(geom)).all():
        raise PositionError(f"{where}：坐标为空或无效")
    if _family(geom) == LINE and geom.length == 0:
        raise PositionError(f"{where}是只有一个点的线：请至少点按两个不同的点")
    if _family(geom) == AREA and not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        found = _AT.search(reason)
        at = f"（在经度 {float(found[1]):.6f}、纬度 {float(found[2]):.6f} 附近）" if found else ""
        raise PositionError(f"{where}的边线自相交或重叠{at}：请拖动顶点使边线不交叉")


def _family(geom: BaseGeometry) -> str:
    return LINE if "LineString" in geom.geom_type else AREA
