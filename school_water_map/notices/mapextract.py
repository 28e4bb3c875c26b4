"""A map extract for a located school, drawn from the repository's own layers (no tiles, no network).

``build_map_extract`` (context step) projects the district outline, the Yellow River, the school and the
water near it (recorded geometry, else derived from the annex) to metres around the school, clipped to a
square; ``map_svg`` (render step) draws that as an SVG. Nothing is drawn for a school that is not located.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from school_water_map.domain.colour import text_on_any
from school_water_map.domain.register import Register
from school_water_map.geo.layers import ContextLayers

FONT_FAMILY = "SWM Noto Sans SC"
MIN_HALF_M = 600.0
MAX_HALF_M = 3300.0
ZONE_M = 200.0
_SVG = 300.0  # viewBox size
_WGS84 = "EPSG:4326"
_XY = Callable[[float, float], tuple[float, float]]


@dataclass(frozen=True)
class MapFeature:
    role: str                    # outline, river, water (recorded geometry) or derived
    geometry: BaseGeometry       # metres, school at (0, 0), y to the north
    number: int | None = None    # the water's number in the letter
    colour: str = "#1f5fbf"


@dataclass(frozen=True)
class MapExtract:
    half_size_m: float
    features: tuple[MapFeature, ...]


def build_map_extract(register: Register, school_id: str, layers: ContextLayers | None,
                      numbers: Mapping[int, int], colours: Mapping[int, str]) -> MapExtract | None:
    """The extract around a located school (None when it is not located).

    ``numbers``/``colours`` map an annex row to the water's number and risk colour in the letter.
    """
    school = register.schools.at[school_id, "geometry"]
    if school is None:
        return None
    local = f"+proj=aeqd +lat_0={shapely.get_y(school)} +lon_0={shapely.get_x(school)} +datum=WGS84 +units=m"
    pairs = register.pairs.loc[register.pairs["school_id"] == school_id]
    half = _half_size(pairs["distance_max_m"].fillna(pairs["distance_m"]).dropna().tolist())
    box = shapely.box(-half, -half, half, half)
    features: list[MapFeature] = []
    if layers is not None:
        features += _layer(layers.outline.boundary, local, box, "outline")
        features += _layer(layers.river.geometry, local, box, "river")
    for rec in pairs.to_dict("records"):
        water_id, row = rec["water_id"], int(rec["row"])
        if not isinstance(water_id, str) or row not in numbers:
            continue
        own = register.waters.at[water_id, "geometry"]
        derived = register.derived.at[row, "geometry"] if row in register.derived.index else None
        geometry, role = (own, "water") if own is not None else (derived, "derived")
        if geometry is None:
            continue
        for item in _layer(gpd.GeoSeries([geometry], crs=_WGS84), local, box, role):
            features.append(MapFeature(role, item.geometry, numbers[row], colours.get(row, "#1f5fbf")))
    return MapExtract(half_size_m=half, features=tuple(features))


def map_svg(extract: MapExtract, *, width_mm: float = 78.0) -> str:
    """The extract as an inline SVG: north up, a scale bar, the 200 m school zone dotted."""
    scale = _SVG / (2 * extract.half_size_m)

    def xy(x: float, y: float) -> tuple[float, float]:
        return _SVG / 2 + x * scale, _SVG / 2 - y * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="map-extract" viewBox="0 0 {_SVG:g} {_SVG:g}" '
             f'width="{width_mm:g}mm" height="{width_mm:g}mm" font-family="{FONT_FAMILY}">',
             f'<rect x="0" y="0" width="{_SVG:g}" height="{_SVG:g}" fill="#f7f5ef" stroke="#333333" '
             'stroke-width="1"/>']
    styles = {"outline": 'fill="none" stroke="#7a7a7a" stroke-width="1.6" stroke-dasharray="8 3 2 3"',
              "river": 'fill="none" stroke="#3b7dd8" stroke-width="4"'}
    for feature in extract.features:
        if feature.role in styles:
            parts.append(f'<path class="{feature.role}" d="{_path(feature.geometry, xy)}" {styles[feature.role]}/>')
    zone = ZONE_M * scale
    parts.append(f'<circle class="zone" cx="{_SVG / 2:g}" cy="{_SVG / 2:g}" r="{zone:.2f}" fill="none" '
                 'stroke="#555555" stroke-width="0.8" stroke-dasharray="2 2"/>')
    for feature in extract.features:
        if feature.role in ("water", "derived"):
            parts += _water(feature, xy)
    parts += [f'<rect class="school" x="{_SVG / 2 - 5:g}" y="{_SVG / 2 - 5:g}" width="10" height="10" '
              'fill="#0b4f9c" stroke="#ffffff" stroke-width="1"/>',
              f'<text x="{_SVG / 2 - 8:g}" y="{_SVG / 2 - 8:g}" font-size="9" font-weight="bold" text-anchor="end" '
              'fill="#0b4f9c">学校</text>']
    parts += _north_arrow() + _scale_bar(extract.half_size_m, scale)
    parts.append("</svg>")
    return "".join(parts)


def _half_size(distances: list[float]) -> float:
    farthest = max(distances, default=0.0)
    return min(max(farthest * 1.15, MIN_HALF_M), MAX_HALF_M)


def _layer(series: gpd.GeoSeries, local: str, box: BaseGeometry, role: str) -> list[MapFeature]:
    out = []
    for geometry in series.to_crs(local):
        if geometry is None or geometry.is_empty:
            continue
        clipped = shapely.intersection(geometry, box)
        if not clipped.is_empty:
            out.append(MapFeature(role, clipped))
    return out


def _water(feature: MapFeature, xy: _XY) -> list[str]:
    colour = escape(feature.colour, quote=True)
    dashed = ' stroke-dasharray="5 3"' if feature.role == "derived" else ""
    out = [f'<g class="{feature.role}" data-number="{feature.number}">']
    anchor = None
    for part in shapely.get_parts(feature.geometry):
        if part.geom_type == "Point":
            x, y = xy(part.x, part.y)
            fill = "#ffffff" if feature.role == "derived" else colour
            out.append(f'<circle cx="{x:.2f}" cy="{y:.2f}" r="7" fill="{fill}" stroke="{colour}" stroke-width="2"'
                       f"{dashed}/>")
            anchor = anchor or (x, y)
        else:
            area = part.geom_type == "Polygon"
            fill = f'fill="{colour}" fill-opacity="0.25"' if area else 'fill="none"'
            out.append(f'<path d="{_path(part, xy)}" {fill} stroke="{colour}" stroke-width="2"{dashed}/>')
            rep = part.exterior.coords[0] if area else part.coords[0]
            anchor = anchor or xy(rep[0], rep[1])
    if anchor is not None:
        fg = "#000000" if feature.role == "derived" else text_on_any(feature.colour)  # readable on the fill
        out.append(f'<text x="{anchor[0]:.2f}" y="{anchor[1] + 3.3:.2f}" font-size="9.5" font-weight="bold" '
                   f'text-anchor="middle" fill="{fg}" stroke="none">{feature.number}</text>')
    out.append("</g>")
    return out


def _path(geometry: BaseGeometry, xy: _XY) -> str:
    commands = []
    for part in shapely.get_parts(geometry):
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            coords = [xy(x, y) for x, y, *_ in ring.coords]
            if coords:
                commands.append("M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in coords))
    return " ".join(commands)


def _north_arrow() -> list[str]:
    return ['<polygon points="278,14 285,34 278,29 271,34" fill="#000000"/>',
            '<text x="278" y="48" font-size="11" font-weight="bold" text-anchor="middle">北</text>']


def _scale_bar(half_m: float, scale: float) -> list[str]:
    target = half_m / 2.5
    step = 10 ** math.floor(math.log10(target))
    length = max(s * step for s in (1, 2, 5) if s * step <= target)
    px = length * scale
    label = f"{length / 1000:g} 公里" if length >= 1000 else f"{length:g} 米"
    return [f'<rect x="12" y="282" width="{px:.1f}" height="4" fill="#000000"/>',
            f'<text x="12" y="276" font-size="9">{label}</text>']

