"""The tracing tools on a map: Leaflet.draw (``folium.plugins.Draw``) with Chinese texts, offering only the
shapes the water body's kind is drawn as, and the saved geometry loaded as editable lines or outlines.

Pure: takes a ``folium.Map`` and returns it; no Streamlit import. The toolbar is enlarged for a finger
(44 px buttons) and its texts are set through ``L.drawLocal`` before the control is created.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import folium
import numpy as np
import numpy.typing as npt
import shapely
from branca.element import MacroElement
from folium import plugins
from folium.template import Template
from shapely.geometry.base import BaseGeometry

from school_water_map.domain.trace import AREA, LINE, Shape
from school_water_map.geo.crs import WGS84, from_wgs84

#: The traced line's and outline's colour (the map's water blue, darker: it must stand out on imagery).
TRACE_COLOUR = "#0b5cad"
#: Leaflet.draw's texts in Chinese (``L.drawLocal``; every key of version 1.0.2, unused tools included).
DRAW_LOCAL_ZH = {
    "draw": {
        "toolbar": {
            "actions": {"title": "取消描绘", "text": "取消"},
            "finish": {"title": "结束描绘", "text": "完成"},
            "undo": {"title": "删除最后画的一点", "text": "撤销一点"},
            "buttons": {"polyline": "描绘线（渠道、沟、河流）", "polygon": "描绘面（坑塘、湖泊、公园水体）",
                        "rectangle": "画矩形", "circle": "画圆", "marker": "放置标记", "circlemarker": "放置圆点"},
        },
        "handlers": {
            "circle": {"tooltip": {"start": "按住并拖动画圆。"}, "radius": "半径"},
            "circlemarker": {"tooltip": {"start": "点按地图放置圆点。"}},
            "marker": {"tooltip": {"start": "点按地图放置标记。"}},
            "polygon": {"tooltip": {"start": "点按地图开始沿岸线描绘。", "cont": "继续点按下一个顶点。",
                                    "end": "点按第一个点闭合，完成描绘。"}},
            "polyline": {"error": "<strong>错误：</strong>边线不能交叉！",
                         "tooltip": {"start": "点按地图开始描绘。", "cont": "继续点按下一个点。",
                                     "end": "点按最后一个点，或按“完成”结束描绘。"}},
            "rectangle": {"tooltip": {"start": "按住并拖动画矩形。"}},
            "simpleshape": {"tooltip": {"end": "松开完成。"}},
        },
    },
    "edit": {
        "toolbar": {
            "actions": {"save": {"title": "保留修改", "text": "完成修改"},
                        "cancel": {"title": "取消修改，恢复原样", "text": "取消"},
                        "clearAll": {"title": "删除全部图形", "text": "全部删除"}},
            "buttons": {"edit": "修改顶点", "editDisabled": "没有可修改的图形", "remove": "删除图形",
                        "removeDisabled": "没有可删除的图形"},
        },
        "handlers": {
            "edit": {"tooltip": {"text": "拖动方块移动顶点；拖动中间的浅色方块可加点。",
                                 "subtext": "按“取消”放弃修改。"}},
            "remove": {"tooltip": {"text": "点按要删除的图形。"}},
        },
    },
}
_OFF = ("rectangle", "circle", "marker", "circlemarker")
_BUTTON_PX = 44
_WEIGHT = 5
#: Each button's icon in Leaflet.draw's sprite (icons 30 px apart, scaled to ``_BUTTON_PX``).
_SPRITE = {"draw-polyline": 0, "draw-polygon": 1, "edit-edit": 5, "edit-remove": 6,
           "edit-edit.leaflet-disabled": 7, "edit-remove.leaflet-disabled": 8}


def add_trace_tools(fmap: folium.Map, shapes: Sequence[Shape], *, basemap_crs: str = WGS84,
                    existing: BaseGeometry | None = None) -> folium.Map:
    """Add the drawing toolbar for ``shapes`` (and the ``existing`` WGS-84 geometry, editable, drawn in the
    basemap's CRS). Call before ``map_assets.localize_assets``."""
    codes = {s.code for s in shapes}
    draw_options: dict[str, object] = dict.fromkeys(_OFF, False)
    style = {"color": TRACE_COLOUR, "weight": _WEIGHT, "opacity": 0.9}
    draw_options["polyline"] = {"shapeOptions": style, "showLength": False} if LINE in codes else False
    draw_options["polygon"] = ({"shapeOptions": {**style, "fillOpacity": 0.25}, "showLength": False,
                                "allowIntersection": False, "showArea": False} if AREA in codes else False)
    group = folium.FeatureGroup(name="描绘的水体", control=False)
    if existing is not None:
        _add_editable(group, _shifted(existing, basemap_crs))
    group.add_to(fmap)
    fmap.add_child(_DrawLocal())
    plugins.Draw(  # type: ignore[no-untyped-call]
        feature_group=group, show_geometry_on_click=False, draw_options=draw_options,
                 edit_options={"poly": {"allowIntersection": False}}, position="topleft").add_to(fmap)
    return fmap


class _DrawLocal(MacroElement):
    """Chinese toolbar texts (``L.drawLocal``), finger-sized buttons and taps read once (a tablet draws a line
    of more than two vertices), set before the control is made."""

    _template = Template("""{% macro header(this, kwargs) %}
        <style>
        .leaflet-container .leaflet-draw .leaflet-draw-toolbar a { width: 44px; height: 44px; line-height: 44px;
            background-size: 440px 44px; }
        .leaflet-container .leaflet-draw .leaflet-draw-actions { left: 46px; }
        .leaflet-container .leaflet-draw .leaflet-draw-actions a { height: 44px; line-height: 44px; font-size: 15px;
            padding: 0 14px; }
        {{ this.sprites }}
        .leaflet-container .leaflet-draw-tooltip { font-size: 14px; line-height: 20px; }
        </style>
    {% endmacro %}
    {% macro script(this, kwargs) %}
        L.Util.extend(L.drawLocal, {{ this.texts }});
        // Taps on a tablet (Leaflet.draw issues 789 and 935): a tap is also a click, so its own touch handler
        // added each vertex twice and ended a line after two taps; and a vertex started only on a mousedown
        // on the invisible marker that follows the mouse, which a tap far from the last one misses. Read a
        // tap once, as a click, anywhere on the map (a mousedown on the marker reaches the map too: the
        // handler's own flag keeps it to one vertex). And two taps within 200 ms anywhere on the map are a
        // double tap to Leaflet, which zooms in under the finger: a quick second vertex would land a zoom level
        // off, so double-tap zoom is off while a line or outline is being drawn.
        (function (P) {
            var add = P.addHooks, remove = P.removeHooks;
            P._onTouch = L.Util.falseFn;
            P.addHooks = function () {
                add.call(this);
                if (this._map) {
                    this._map.on("mousedown", this._onMouseDown, this);
                    this._zoomedOnDoubleTap = this._map.doubleClickZoom.enabled();
                    this._map.doubleClickZoom.disable();
                }
            };
            P.removeHooks = function () {
                if (this._map) {
                    this._map.off("mousedown", this._onMouseDown, this);
                    if (this._zoomedOnDoubleTap) { this._map.doubleClickZoom.enable(); }
                }
                remove.call(this);
            };
        })(L.Draw.Polyline.prototype);
    {% endmacro %}""")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "DrawLocal"
        self.texts = json.dumps(DRAW_LOCAL_ZH, ensure_ascii=False)
        self.sprites = " ".join(f".leaflet-container .leaflet-draw .leaflet-draw-toolbar .leaflet-draw-{name} "
                                f"{{ background-position: -{index * _BUTTON_PX}px -1px; }}"
                                for name, index in _SPRITE.items())


def _add_editable(group: folium.FeatureGroup, geometry: BaseGeometry) -> None:
    """Each part of the geometry as a plain polyline or polygon (Leaflet.draw edits those, not GeoJSON)."""
    for part in getattr(geometry, "geoms", [geometry]):
        if part.geom_type == "LineString":
            folium.PolyLine(  # type: ignore[no-untyped-call]
                [[y, x] for x, y in part.coords], color=TRACE_COLOUR, weight=_WEIGHT, opacity=0.9).add_to(group)
        elif part.geom_type == "Polygon":
            folium.Polygon([[y, x] for x, y in part.exterior.coords][:-1], color=TRACE_COLOUR, weight=_WEIGHT,
                           opacity=0.9, fill=True, fill_opacity=0.25).add_to(group)


def _shifted(geometry: BaseGeometry, crs: str) -> BaseGeometry:
    if crs == WGS84:
        return geometry

    def convert(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lon, lat = from_wgs84(xy[:, 0], xy[:, 1], crs)
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, convert)
