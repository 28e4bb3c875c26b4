"""The drawing toolbar on the map (Leaflet.draw): Chinese texts, only the water kind's shapes, local assets,
the saved geometry editable in the basemap's CRS."""

from __future__ import annotations

import json
import re

import folium
import numpy as np
from shapely.geometry import LineString

from school_water_map.domain.trace import shapes_for
from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.outputs.map_assets import DEFAULT_BASE, asset_urls, localize_assets, missing_files
from school_water_map.outputs.trace_tools import DRAW_LOCAL_ZH, add_trace_tools

SAVED = LineString([(106.30, 37.90), (106.31, 37.905)])  # test data


def _html(kind: str, **options) -> str:
    fmap = add_trace_tools(folium.Map(location=[37.9, 106.3], zoom_start=14, tiles=None), shapes_for(kind), **options)
    localize_assets(fmap)
    assert missing_files(asset_urls(fmap)) == []
    return fmap.get_root().render()


def _draw_options(html: str) -> dict:
    return json.loads(re.search(r"draw: (\{.*?\}),\n", html).group(1))


def test_a_canal_gets_only_the_line_tool_and_chinese_texts_from_local_files():
    html = _html("branch_canal")
    options = _draw_options(html)
    assert options["polyline"] and not options["polygon"]
    assert not any(options[name] for name in ("rectangle", "circle", "marker", "circlemarker"))
    assert f"{DEFAULT_BASE}/leaflet-draw/leaflet.draw.js" in html and "cdnjs" not in html
    assert "L.Util.extend(L.drawLocal" in html and "描绘线（渠道、沟、河流）" in html
    assert html.index("L.Util.extend(L.drawLocal") < html.index("new L.Control.Draw")  # texts set first


def test_a_pond_gets_only_the_outline_tool():
    options = _draw_options(_html("pond"))
    assert options["polygon"] and not options["polyline"]


def test_every_toolbar_text_is_chinese():
    def texts(node):
        return [t for v in node.values() for t in (texts(v) if isinstance(v, dict) else [v])]
    assert all(re.search(r"[\u4e00-\u9fff]", t) and not re.search(r"[A-Za-z]{3,}", re.sub("<[^>]+>", "", t))
               for t in texts(DRAW_LOCAL_ZH))


def test_the_saved_line_is_editable_and_shifted_to_a_gcj02_basemap():
    wgs = _html("branch_canal", existing=SAVED)
    assert "[37.9, 106.3], [37.905, 106.31]" in wgs
    lon, lat = wgs84_to_gcj02(np.array([106.30, 106.31]), np.array([37.90, 37.905]))
    gcj = _html("branch_canal", existing=SAVED, basemap_crs="GCJ02")
    first = re.search(r"L\.polyline\(\s*\[\[([\d.]+), ([\d.]+)\]", gcj)
    assert first and np.allclose([float(first[1]), float(first[2])], [lat[0], lon[0]], atol=1e-9)
