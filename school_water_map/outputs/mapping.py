"""The map: the register and the context layers drawn as a ``folium.Map`` (pure; no Streamlit).

Layers, bottom to top: the basemap tiles (none offline), the district outline and its neighbours,
the Yellow River and the reference points (the map's bearings when no tile loads), each located
school's 200 m safety zone, water bodies (their own recorded position where it exists, else the
position derived from the school and the annex: points, or dashed rings without a direction), and
the schools, solid when surveyed or from a gazetteer and dashed when unconfirmed. Colours are the
risk levels of ``risk_rules.toml``; a plain HTML legend explains them. On a GCJ-02 basemap (高德)
every overlay is shifted to GCJ-02 so that it lines up with the tiles.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import folium
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template
from shapely.geometry import MultiPoint, Point, mapping
from shapely.geometry.base import BaseGeometry

from school_water_map.domain.entities import site_id
from school_water_map.domain.register import Register
from school_water_map.domain.reported import format_metres
from school_water_map.domain.risk import Rules
from school_water_map.geo.basemaps import Basemap, basemaps
from school_water_map.geo.crs import WGS84, from_wgs84
from school_water_map.geo.layers import ContextLayers, round_coordinates
from school_water_map.outputs.colours import ANCHOR_COLOUR, NONE_COLOUR, risk_colours
from school_water_map.outputs.html_text import html_text
from school_water_map.outputs.register_view import PairFilter, directions_text, filter_pairs, reasons_text

ZONE_COLOUR = "#2471a3"
SOLID = ("surveyed", "gazetteer")
MAX_FOCUS_ZOOM = 16

#: Overlay names (the layer control shows them).
LAYER_OUTLINE = "区界与周边区县"
LAYER_RIVER = "黄河"
LAYER_ANCHORS = "参考地点"
#: A reference place within ANCHOR_LABEL_GAP_DEG (about 2 km) of one already labelled is labelled above its
#: point, not beside it; within ANCHOR_SAME_PLACE_DEG (about 700 m) it is the same place: tooltip only.
ANCHOR_LABEL_GAP_DEG = 0.02
ANCHOR_SAME_PLACE_DEG = 0.007
LAYER_ZONES = "学校周边200米安全区域"
LAYER_WATER_OWN = "水体（已定位）"
LAYER_WATER_DERIVED = "水体（推算位置）"
LAYER_SCHOOLS = "学校"
LAYER_PENDING = "待保存的位置"
LAYER_CANDIDATES = "地理编码候选"

Shift = Callable[[BaseGeometry], BaseGeometry]


#: A popup taller than this scrolls: the map's frames are 300–520 px high, and a school with many waters
#: would otherwise push its name out of view.
POPUP_MAX_HEIGHT = 360


@dataclass(frozen=True)
class MapView:
    """What to show: filters (None = all) and an optional focus (an annex row or an entity id)."""

    townships: Collection[str] | None = None  # township labels, 待确认 included
    levels: Collection[str] | None = None  # risk level codes
    focus_row: int | None = None
    focus_entity: str | None = None
    focus_points: tuple[tuple[float, float], ...] = ()  # more WGS-84 (lon, lat) to fit in view (candidates)
    notice_url: str | None = None  # the app's 告知书 page: popups link to a school's letter and a site's notice
    open_popup: bool = False  # with focus_entity: that school's or water body's popup is open on load (a search)


def build_map(register: Register, context: ContextLayers, *, basemap: Basemap | None = None,
              view: MapView | None = None) -> folium.Map:
    """The map of the register, filtered and focused as ``view`` says."""
    basemap = basemap or basemaps()[0]
    view = view or MapView()
    shift = _shifter(basemap.crs)
    pairs = visible_pairs(register.pairs, view)
    bounds = _bounds(register, context, view, shift)               # the focus, or the whole district
    fmap = _base_map(basemap, bounds)                              # tiles, or none offline
    _add_context(fmap, context, shift)                             # outline, neighbours, river, anchors
    _add_zones(fmap, register, pairs, shift)                       # the notice's 200 m safety zones
    opened = view.focus_entity if view.open_popup else None
    water = _add_own_waters(fmap, register, pairs, shift, view.notice_url, opened)  # with their own position
    _add_derived_waters(fmap, register, pairs, shift, view.notice_url)  # placed from the school and the annex
    school = _add_schools(fmap, register, pairs, shift, view.notice_url, opened)  # by precision and risk
    fmap.add_child(Legend(register.rules, zone_radius_m=register.rules.zone_radius_m))
    folium.LayerControl(collapsed=True).add_to(fmap)
    # points under review keep clear of the edges (their labels) and of the legend in the lower left
    padding = {"padding_top_left": (40, 50), "padding_bottom_right": (60, 190)} if view.focus_points else {}
    fmap.fit_bounds(bounds, max_zoom=MAX_FOCUS_ZOOM, **padding)
    for layer in (water, school):
        if layer is not None:
            _OpenPopup(layer).add_to(fmap)  # once every layer is on the map and the view is set
    return fmap


def _popup(html: str) -> folium.Popup:
    return folium.Popup(html, max_width=320, max_height=POPUP_MAX_HEIGHT)


class _OpenPopup(MacroElement):
    """Open ``layer``'s popup when the map loads (a search's answer). folium's ``Popup(show=True)`` opens it
    while its group is not yet on the map, so Leaflet ignores it: this runs after the whole map script."""

    _template = Template("""{% macro script(this, kwargs) %}{{ this.layer.get_name() }}.openPopup();{% endmacro %}""")

    def __init__(self, layer: Element) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "OpenPopup"
        self.layer = layer


def visible_pairs(pairs: pd.DataFrame, view: MapView) -> pd.DataFrame:
    """The pairs that pass the view's township and risk-level filters."""
    return filter_pairs(pairs, PairFilter(townships=view.townships, levels=view.levels))


def pending_layer(lon: float, lat: float, basemap: Basemap | None = None, *, label: str = LAYER_PENDING
                  ) -> folium.FeatureGroup:
    """A marker at a WGS-84 position awaiting confirmation (drawn without reloading the map)."""
    point = _shifter((basemap or basemaps()[0]).crs)(Point(lon, lat))
    group = folium.FeatureGroup(name=label)
    folium.Marker(_latlon(point), tooltip=_tooltip(label)).add_to(group)
    return group


def candidate_layer(points: Sequence[tuple[float, float, str]], basemap: Basemap | None = None, *,
                    label: str = LAYER_CANDIDATES) -> folium.FeatureGroup:
    """A marker per WGS-84 (lon, lat, text), the text always shown beside it (candidates under review)."""
    shift = _shifter((basemap or basemaps()[0]).crs)
    group = folium.FeatureGroup(name=label)
    for lon, lat, text in points:
        folium.Marker(_latlon(shift(Point(lon, lat))), tooltip=_tooltip(text, permanent=True)).add_to(group)
    return group


class Legend(MacroElement):
    """A plain HTML legend in the map's corner (no branca colormap: st_folium would load d3 from a CDN)."""

    _template = Template("""{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomleft"});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "swm-legend");
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
    {% endmacro %}""")

    def __init__(self, rules: Rules, *, zone_radius_m: float) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.html = _legend_html(rules, zone_radius_m)


#: The map's own CSS: the legend, and Leaflet's controls enlarged to 44 px touch targets for tablets.
MAP_CSS = (
    ".swm-legend{background:rgba(255,255,255,.92);padding:0 8px 6px;border-radius:6px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.45 sans-serif;max-width:min(300px,60vw)}"
    ".swm-legend summary{cursor:pointer;min-height:44px;line-height:44px}"
    ".swm-lv{display:inline-block;margin-right:6px;white-space:nowrap}"
    ".swm-lv i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:3px;vertical-align:-1px}"
    ".swm-row{display:flex;gap:4px;align-items:center}"
    ".leaflet-bar a,.leaflet-touch .leaflet-bar a{width:44px;height:44px;line-height:44px;font-size:22px}"
    ".leaflet-control-layers-toggle,.leaflet-touch .leaflet-control-layers-toggle{width:44px;height:44px}"
    ".leaflet-control-layers label{min-height:36px;display:flex;align-items:center}"
    ".leaflet-popup-content{font-size:13px;line-height:1.5}"
    ".swm-print{display:inline-flex;align-items:center;min-height:44px;padding:0 4px;font-weight:600}"
)


class _MapStyle(MacroElement):
    """Adds ``MAP_CSS`` to the map's document (the map runs in its own frame, out of the app's CSS)."""

    _template = Template("""{% macro script(this, kwargs) %}
        (function () {
            var style = document.createElement("style");
            style.textContent = {{ this.css|tojson }};
            document.head.appendChild(style);
        })();
    {% endmacro %}""")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MapStyle"
        self.css = MAP_CSS


class _MetricScale(MacroElement):
    """A scale bar in metres and kilometres only."""

    _template = Template("""{% macro script(this, kwargs) %}
        L.control.scale({imperial: false, position: "bottomright"}).addTo({{ this._parent.get_name() }});
    {% endmacro %}""")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MetricScale"


def _legend_html(rules: Rules, zone_radius_m: float) -> str:
    levels = [(level.label, level.colour) for level in sorted(rules.levels, key=lambda lv: lv.rank)]
    levels.append(("无上报水域", NONE_COLOUR))
    swatches = "".join(f'<span class="swm-lv"><i style="background:{colour}"></i>{html_text(label)}</span>'
                       for label, colour in levels)
    rows = [
        (_svg_circle(fill=True, dashed=False), "学校：已定位（实测/地名库）"),
        (_svg_circle(fill=False, dashed=True), "学校：位置未确认"),
        (_svg_circle(fill=False, dashed=True, small=True), "水体：按附件方向和距离推算"),
        ('<svg width="18" height="12"><path d="M1 6 H17" stroke="#555" stroke-width="2" stroke-dasharray="4 3"/>'
         "</svg>", "水体：未报方向，推算距离圈"),
        (f'<svg width="18" height="12"><circle cx="9" cy="6" r="5" fill="{ZONE_COLOUR}" fill-opacity="0.15" '
         f'stroke="{ZONE_COLOUR}"/></svg>', f"学校周边 {format_metres(zone_radius_m)} 米安全区域"),
        (f'<svg width="18" height="12"><circle cx="9" cy="6" r="4" fill="{ANCHOR_COLOUR}"/></svg>',
         "参考地点（公开地名数据，误差约 1–2 公里；不是学校或水体）"),
    ]
    lines = "".join(f'<div class="swm-row">{icon}<span>{html_text(text)}</span></div>' for icon, text in rows)
    return f"<details open><summary><b>图例</b></summary><div>风险等级：{swatches}</div>{lines}</details>"


def _svg_circle(*, fill: bool, dashed: bool, small: bool = False) -> str:
    radius = 3.5 if small else 5
    fill_attr = 'fill="#555"' if fill else 'fill="none"'
    dash = ' stroke-dasharray="2 2"' if dashed else ""
    return (f'<svg width="18" height="12"><circle cx="9" cy="6" r="{radius}" {fill_attr} stroke="#555" '
            f'stroke-width="1.6"{dash}/></svg>')


def _shifter(crs: str) -> Shift:
    if crs == WGS84:
        return lambda geometry: geometry

    def shift(geometry: BaseGeometry) -> BaseGeometry:
        def convert(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            lon, lat = from_wgs84(xy[:, 0], xy[:, 1], crs)
            return np.column_stack([lon, lat])
        return shapely.transform(geometry, convert)

    return shift


def _base_map(basemap: Basemap, bounds: list[list[float]]) -> folium.Map:
    (south, west), (north, east) = bounds
    # keyboard=False: Leaflet focuses the map on a press, which scrolls the page under a finger mid-tap
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=10, tiles=None, keyboard=False)
    fmap.add_child(_MapStyle())
    fmap.add_child(_MetricScale())
    for number, tiles in enumerate(basemap.tiles):
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution, name=basemap.label, subdomains=tiles.subdomains,
                         max_zoom=tiles.max_zoom, max_native_zoom=tiles.max_native_zoom, overlay=number > 0,
                         control=False).add_to(fmap)
    return fmap


def _add_context(fmap: folium.Map, context: ContextLayers, shift: Shift) -> None:
    drawn = context.display  # simplified for display, coordinates rounded (after the basemap's shift too)

    def shown(geometry: BaseGeometry) -> BaseGeometry:
        return round_coordinates(shift(geometry))

    group = folium.FeatureGroup(name=LAYER_OUTLINE).add_to(fmap)
    for name, geometry, label_at in drawn.neighbours:
        if name == "利通区":
            continue
        _geojson(shown(geometry), {"color": "#95a5a6", "weight": 1.5, "fill": False}, tooltip=name).add_to(group)
        _label(shift(label_at), name, colour="#7f8c8d").add_to(group)
    _geojson(shown(drawn.outline), {"color": "#34495e", "weight": 3, "fill": False}, tooltip="利通区").add_to(group)
    river = folium.FeatureGroup(name=LAYER_RIVER).add_to(fmap)
    for geometry in drawn.river:
        _geojson(shown(geometry), {"color": "#2e86c1", "weight": 4, "opacity": 0.8}, tooltip="黄河").add_to(river)
    anchors = folium.FeatureGroup(name=LAYER_ANCHORS).add_to(fmap)
    labelled: list[BaseGeometry] = []
    for anchor in context.anchors.itertuples():
        point = shift(anchor.geometry)
        gap = min((point.distance(other) for other in labelled), default=1.0)
        tip = f"{anchor.name}（参考位置，误差约 {format_metres(anchor.uncertainty_m)} 米）"
        folium.CircleMarker(_latlon(point), radius=4, color=ANCHOR_COLOUR, fill=True, fill_color=ANCHOR_COLOUR,
                            fill_opacity=0.9, weight=1, tooltip=_tooltip(tip), class_name="swm-anchor").add_to(anchors)
        if gap >= ANCHOR_SAME_PLACE_DEG:  # a second point for the same place (two city centres) goes unlabelled
            labelled.append(point)
            side = "above" if gap < ANCHOR_LABEL_GAP_DEG else "right"
            _label(point, str(anchor.name), colour=ANCHOR_COLOUR, beside=side).add_to(anchors)


def _add_zones(fmap: folium.Map, register: Register, pairs: pd.DataFrame, shift: Shift) -> None:
    group = folium.FeatureGroup(name=LAYER_ZONES).add_to(fmap)
    radius = register.rules.zone_radius_m
    for school_id, geometry in _located(register.schools, pairs["school_id"]):
        point = shift(geometry)
        tip = f"{register.schools.at[school_id, 'name']} 周边 {format_metres(radius)} 米安全区域"
        folium.Circle(_latlon(point), radius=radius, color=ZONE_COLOUR, weight=1.5, fill=True, fill_opacity=0.08,
                      tooltip=_tooltip(tip),
                      class_name="swm-zone").add_to(group)


def _add_schools(fmap: folium.Map, register: Register, pairs: pd.DataFrame, shift: Shift,
                 notice_url: str | None, opened: str | None = None) -> Element | None:
    """The schools' markers; gives the one of ``opened`` (its popup opens on load), if drawn."""
    group = folium.FeatureGroup(name=LAYER_SCHOOLS).add_to(fmap)
    found = None
    colours = risk_colours(register.rules)
    for school_id, geometry in _located(register.schools, pairs["school_id"]):
        school = register.schools.loc[school_id]
        own_pairs = register.pairs[register.pairs["school_id"] == school_id]
        top = pairs[pairs["school_id"] == school_id].iloc[0]  # pairs are ranked: the first is the riskiest
        solid = school["precision"] in SOLID
        point = shift(geometry)
        marker = folium.CircleMarker(
            _latlon(point), radius=9, color=colours[top["risk_level"]], weight=3, fill=True,
            fill_opacity=0.9 if solid else 0.25, dash_array=None if solid else "5 4",
            class_name="swm-school" if solid else "swm-school swm-unconfirmed",
            tooltip=_tooltip(f"{school['name']}（{top['risk_level_label']}）"),
            popup=_popup(_school_popup(school, own_pairs)
                         + _notice_link(notice_url, "打印致家长告知书", school=school_id)),
        ).add_to(group)
        if school_id == opened:
            found = marker
    return found


def _add_own_waters(fmap: folium.Map, register: Register, pairs: pd.DataFrame, shift: Shift,
                    notice_url: str | None, opened: str | None = None) -> Element | None:
    """The water bodies with a position of their own; gives the layer of ``opened`` (its popup opens on load)."""
    group = folium.FeatureGroup(name=LAYER_WATER_OWN).add_to(fmap)
    colours = risk_colours(register.rules)
    found = None
    for water_id, geometry in _located(register.waters, pairs["water_id"].dropna()):
        water = register.waters.loc[water_id]
        top = pairs[pairs["water_id"] == water_id].iloc[0]
        colour, solid = colours[top["risk_level"]], water["precision"] in SOLID
        popup = (_water_popup(water, register.pairs[register.pairs["water_id"] == water_id])
                 + _notice_link(notice_url, "打印警示告示", water=water_id))  # the page offers each school's site
        shape, tip = shift(geometry), f"{water['name']}（{water['kind_label']}）"
        if isinstance(shape, (Point, MultiPoint)):
            layers = [folium.CircleMarker(_latlon(part), radius=7, color=colour, weight=3, fill=True,
                                          fill_opacity=0.8 if solid else 0.25, dash_array=None if solid else "5 4",
                                          class_name=f"swm-water swm-water-{water_id}", tooltip=_tooltip(tip),
                                          popup=_popup(popup)).add_to(group)
                      for part in getattr(shape, "geoms", [shape])]
        else:
            style = {"color": colour, "weight": 4, "fillColor": colour, "fillOpacity": 0.3,
                     "dashArray": None if solid else "6 4", "className": f"swm-water swm-water-{water_id}"}
            layers = [_geojson(shape, style, tooltip=tip)]
            _popup(popup).add_to(layers[0])
            layers[0].add_to(group)
        if water_id == opened:
            found = layers[0]
    return found


def _add_derived_waters(fmap: folium.Map, register: Register, pairs: pd.DataFrame, shift: Shift,
                        notice_url: str | None) -> None:
    group = folium.FeatureGroup(name=LAYER_WATER_DERIVED).add_to(fmap)
    colours = risk_colours(register.rules)
    own = set(register.waters.index[register.waters.geometry.notna()])
    derived = register.derived[register.derived["row"].isin(pairs["row"]) & register.derived.geometry.notna()]
    by_row = pairs.set_index("row")
    for item in derived.itertuples():
        if item.water_id in own:
            continue  # the water's own position is drawn instead
        pair = by_row.loc[item.row]
        colour = colours[pair["risk_level"]]
        tooltip = f"{pair['water']}（推算位置）"
        popup = _derived_popup(pair, item.explanation) + _notice_link(
            notice_url, "打印警示告示", notice_site=site_id(item.school_id, item.water_id))
        school = shift(register.schools.at[item.school_id, "geometry"])
        shape = shift(item.geometry)
        if item.shape in ("point", "points"):
            for part in getattr(shape, "geoms", [shape]):
                folium.PolyLine(  # type: ignore[no-untyped-call]
                    [_latlon(school), _latlon(part)], color=colour, weight=1.5, opacity=0.7, dash_array="2 4",
                    class_name="swm-link",
                ).add_to(group)
                folium.CircleMarker(_latlon(part), radius=6, color=colour, weight=2.5, fill=True, fill_opacity=0.2,
                                    dash_array="3 3", class_name="swm-derived", tooltip=_tooltip(tooltip),
                                    popup=_popup(popup)).add_to(group)
        elif item.shape in ("ring", "rings"):
            for ring in getattr(shape, "geoms", [shape]):
                folium.PolyLine(  # type: ignore[no-untyped-call]
                    [[round(y, 6), round(x, 6)] for x, y in ring.coords], color=colour, weight=2, dash_array="8 6",
                    class_name="swm-derived swm-ring", tooltip=_tooltip(tooltip),
                    popup=_popup(popup),
                ).add_to(group)
        else:  # at the gate: a dashed circle around the school
            folium.CircleMarker(_latlon(school), radius=15, color=colour, weight=2.5, fill=False,
                                dash_array="3 3", class_name="swm-derived swm-gate", tooltip=_tooltip(tooltip),
                                popup=_popup(popup)).add_to(group)


def _bounds(register: Register, context: ContextLayers, view: MapView, shift: Shift) -> list[list[float]]:
    geometries: list[BaseGeometry] = []
    if view.focus_row is not None:
        pair = register.pairs[register.pairs["row"] == view.focus_row]
        ids = [*pair["school_id"], *pair["water_id"].dropna()]
        geometries = _geometries(register, ids) + _derived(register, rows=[view.focus_row])
    elif view.focus_entity is not None:
        geometries = _geometries(register, [view.focus_entity])
        geometries += _derived(register, entity=view.focus_entity)  # a school's water, or a water's schools
    geometries += [Point(lon, lat) for lon, lat in view.focus_points]
    if not geometries:
        geometries = [context.outline.union_all()]
    minx, miny, maxx, maxy = shift(shapely.union_all(geometries)).bounds
    return [[miny, minx], [maxy, maxx]]


def _geometries(register: Register, ids: Iterable[str]) -> list[BaseGeometry]:
    out = []
    for ident in ids:
        for frame in (register.schools, register.waters):
            if ident in frame.index and frame.at[ident, "geometry"] is not None:
                out.append(frame.at[ident, "geometry"])
    return out


def _derived(register: Register, *, rows: Iterable[int] = (), entity: str | None = None) -> list[BaseGeometry]:
    derived = register.derived[register.derived.geometry.notna()]
    mine = (derived["water_id"] == entity) | (derived["school_id"] == entity)
    chosen = derived[derived["row"].isin(list(rows)) | mine]
    schools = [register.schools.at[s, "geometry"] for s in chosen["school_id"]]
    return [*chosen.geometry, *schools]


def _located(frame: gpd.GeoDataFrame, ids: Iterable[str]) -> list[tuple[str, BaseGeometry]]:
    wanted = list(dict.fromkeys(ids))
    located = frame.loc[frame.index.isin(wanted) & frame.geometry.notna()]
    return list(zip(located.index, located.geometry, strict=True))


def _geojson(geometry: BaseGeometry, style: dict[str, Any], *, tooltip: str) -> folium.GeoJson:
    feature = {"type": "Feature", "properties": {}, "geometry": mapping(geometry)}
    return folium.GeoJson(feature, style_function=lambda _feature: style, tooltip=_tooltip(tooltip))


def _label(point: BaseGeometry, text: str, *, colour: str, beside: str = "") -> folium.Marker:
    """A text on the map, centred on ``point`` (``beside``: ``right`` of or ``above`` a marked point)."""
    move = {"right": "translate(8px,-50%)", "above": "translate(-50%,calc(-100% - 6px))"}.get(
        beside, "translate(-50%,-50%)")
    icon = folium.DivIcon(html=f'<div style="font-size:12px;color:{colour};white-space:nowrap;transform:'
                               f'{move};pointer-events:none">{html_text(text)}</div>',
                          icon_size=(0, 0), class_name="swm-label")
    return folium.Marker(_latlon(point), icon=icon, interactive=False)


def _latlon(point: BaseGeometry) -> list[float]:
    """Leaflet's [lat, lon] of a point."""
    return [float(shapely.get_y(point)), float(shapely.get_x(point))]


def _position_text(entity: pd.Series) -> str:
    if entity["precision"] == "unplaced":
        return "未定位"
    parts = [f"来源：{entity['source']}"] if entity.get("source") else []
    if entity.get("author"):
        parts.append(f"录入人：{entity['author']}")
    if entity.get("recorded_at"):
        parts.append(f"时间：{str(entity['recorded_at'])[:16].replace('T', ' ')}")
    return f"{entity['precision_label']}" + (f"（{'；'.join(parts)}）" if parts else "")


def _school_popup(school: pd.Series, pairs: pd.DataFrame) -> str:
    rows = []
    for pair in pairs.to_dict("records"):
        if not isinstance(pair["water_id"], str):  # row 63: no reported water
            rows.append('<tr><td colspan="4">附件未列出周边水域</td></tr>')
            continue
        computed = pair["computed_distance_m"]
        measured = f"<br>计算 {computed:.0f} 米" if _is_number(computed) else ""
        where = directions_text(list(pair["directions"])) or ("校门口" if pair["at_gate"] else "")
        rows.append(f"<tr><td>{_e(pair['water'])}</td><td>{_e(pair['distance_text'] or '未报')}{measured}</td>"
                    f"<td>{_e(where)}</td><td>{_e(pair['risk_level_label'])}</td><td>{_residual_cell(pair)}</td></tr>")
    return (f'<div class="swm-popup"><b>{_e(school["name"])}</b><br>{_e(school["level_label"])}｜乡镇：'
            f'{_e(school["township_label"])}<br>位置精度：{_e(_position_text(school))}'
            f'<table style="margin-top:4px;border-collapse:collapse" cellpadding="2"><tr><th>水体</th>'
            f'<th>距离</th><th>方向</th><th>上报风险</th><th>措施后</th></tr>{"".join(rows)}</table></div>')


def _water_popup(water: pd.Series, pairs: pd.DataFrame) -> str:
    items = []
    for pair in pairs.to_dict("records"):
        computed = pair["computed_distance_m"]
        items.append(f"<li>{_e(pair['school'])}：上报 {_e(pair['distance_text'] or '未报')}"
                     + (f"，计算 {computed:.0f} 米" if _is_number(computed) else "")
                     + ("（不符，需核查）" if pair["distance_disagrees"] else "")
                     + f"；上报风险 {_e(pair['risk_level_label'])}，措施后 {_residual_text(pair)}</li>")
    return (f'<div class="swm-popup"><b>{_e(water["name"])}</b>（{_e(water["kind_label"])}）<br>'
            f'位置精度：{_e(_position_text(water))}'
            f'<ul style="padding-left:16px;margin:4px 0">{"".join(items)}</ul></div>')


def _derived_popup(pair: pd.Series, explanation: str) -> str:
    return (f'<div class="swm-popup"><b>{_e(pair["water"])}</b>（{_e(pair["water_kind_label"])}，推算位置）<br>'
            f'学校：{_e(pair["school"])}<br>附件：{_e(pair["distance_text"] or "未报距离")}<br>{_e(explanation)}<br>'
            f'上报风险：{_e(pair["risk_level_label"])}（{pair["risk_score"]:g} 分）<br>'
            f'措施后：{_residual_text(pair)}<br>'
            f'<small>{_e(reasons_text(pair["reasons"]))}</small></div>')


def _residual_text(pair: Any) -> str:
    """The level after the measures a patrol found, and on what basis (escaped HTML)."""
    level = pair.get("residual_level_label") or pair["risk_level_label"]
    return f"{_e(level)}（{_e(pair.get('residual_basis') or '尚无巡查记录')}）{_open_tasks(pair)}"


def _residual_cell(pair: Any) -> str:
    level = pair.get("residual_level_label") or pair["risk_level_label"]
    return f"{_e(level)}<br><small>{_e(pair.get('residual_basis') or '尚无巡查记录')}</small>{_open_tasks(pair)}"


def _open_tasks(pair: Any) -> str:
    """The pair's 整改任务 not yet closed, as a line of small text (escaped HTML; empty when none)."""
    held = list(pair.get("open_tasks") or [])
    return f"<br><small><b>未销号整改</b>：{_e('；'.join(held))}</small>" if held else ""


def _notice_link(notice_url: str | None, text: str, **query: str) -> str:
    """A link from a popup to the 告知书 page, in a new tab (the map's frame may not navigate the app)."""
    if not notice_url:
        return ""
    return (f'<div><a class="swm-print" href="{_e(notice_url)}?{_e(urlencode(query))}" target="_blank" '
            f'rel="noopener">{_e(text)}</a></div>')


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and value == value


def _e(value: Any) -> str:
    return html_text(value)


def _tooltip(text: str, **options: Any) -> folium.Tooltip:
    """A tooltip showing ``text`` as text: folium puts a tooltip's text raw into a JavaScript template
    literal and Leaflet sets it as HTML."""
    return folium.Tooltip(html_text(text), **options)
