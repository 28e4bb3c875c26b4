from __future__ import annotations

import folium
import pytest
import shapely
import shapely.geometry

from school_water_map.geo.basemaps import choose
from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.geo.layers import load_context
from school_water_map.outputs.colours import ANCHOR_COLOUR, NONE_COLOUR
from school_water_map.outputs.mapping import (
    LAYER_ANCHORS,
    LAYER_OUTLINE,
    LAYER_RIVER,
    LAYER_SCHOOLS,
    LAYER_WATER_DERIVED,
    LAYER_ZONES,
    Legend,
    MapView,
    build_map,
    candidate_layer,
    pending_layer,
)
from school_water_map.pipeline.register import build_register
from school_water_map.settings import REPO_GEODATA_DIR
from tests.helpers import MAP_LAYERS
from tests.placing import TEST_LAT, TEST_LON, place, placed_register

S01 = "640302-S01"  # 利通区第十一小学: 秦渠 N 400, 清水沟 E 1000, two park waters E 800 / S 600
S08 = "640302-S08"  # 马莲渠中心巴浪湖小学: 水渠 at the gate, 清水河 E 2000


@pytest.fixture(scope="module")
def context():
    return load_context(REPO_GEODATA_DIR)


def _group(fmap: folium.Map, name: str) -> folium.FeatureGroup:
    return next(c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup) and c.layer_name == name)


def _items(fmap: folium.Map, name: str, kind: type) -> list:
    return [c for c in _group(fmap, name)._children.values() if type(c) is kind]


def test_nothing_placed_still_gives_the_district_river_and_anchors(register, context):
    fmap = build_map(register, context)
    names = [c.layer_name for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]
    assert names == [*MAP_LAYERS]
    assert len(_items(fmap, LAYER_OUTLINE, folium.GeoJson)) == 12  # 11 neighbours + the district outline
    assert _items(fmap, LAYER_RIVER, folium.GeoJson)
    assert _items(fmap, LAYER_SCHOOLS, folium.CircleMarker) == []
    assert not [c for c in fmap._children.values() if isinstance(c, folium.TileLayer)]  # offline: no tiles
    assert fmap.options["keyboard"] is False  # else a press focuses the map and scrolls the page mid-tap
    html = fmap.get_root().render()
    assert "青铜峡市" in html and "黄河" in html and "利通区" in html
    (south, west), (north, east) = fmap._children[next(k for k in fmap._children if k.startswith("fit_bounds"))
                                                  ].bounds
    outline = context.outline.total_bounds
    assert (west, south, east, north) == pytest.approx(tuple(outline))


def test_a_placed_school_brings_its_zone_derived_water_and_popup(settings, context):
    register = placed_register(settings, "利通区第十一小学")
    fmap = build_map(register, context)
    (school,) = _items(fmap, LAYER_SCHOOLS, folium.CircleMarker)
    assert school.location == pytest.approx([TEST_LAT, TEST_LON])
    assert school.options["dashArray"] is None and "swm-unconfirmed" not in school.options["className"]
    popup = school._children[next(k for k in school._children if k.startswith("popup"))].html.render()
    for text in ("利通区第十一小学", "秦渠", "学校北 400 米", "北", "中", "实测", "测试员"):
        assert text in popup, text
    (zone,) = _items(fmap, LAYER_ZONES, folium.Circle)
    assert zone.options["radius"] == register.rules.zone_radius_m == 200
    derived = _items(fmap, LAYER_WATER_DERIVED, folium.CircleMarker)
    # N, E, E, S: points; 黄河 (W 6000 m) is not derived, it has the Yellow River's map line (geodata)
    assert len(derived) == 4 and all(m.options["dashArray"] == "3 3" for m in derived)
    assert len(_items(fmap, LAYER_WATER_DERIVED, folium.PolyLine)) == 4  # a dotted link from the school to each
    north = max(derived, key=lambda m: m.location[0])
    assert north.location[1] == pytest.approx(TEST_LON, abs=1e-9)  # due north of the school
    row_1 = register.pairs[register.pairs["row"] == 1].iloc[0]  # 秦渠 at this school: its own pair's colour
    assert north.options["color"] == register.rules.level(row_1["risk_level"]).colour


def test_unconfirmed_schools_are_dashed_and_gates_and_rings_are_drawn(settings, context):
    place(settings, "马莲渠中心巴浪湖小学", precision="geocoded")
    place(settings, "利通区第十五小学")  # 秦渠 100 m, no direction: a ring
    register = build_register(settings)
    fmap = build_map(register, context)
    assert len(_items(fmap, LAYER_SCHOOLS, folium.CircleMarker)) == 2
    dashed = [m for m in _items(fmap, LAYER_SCHOOLS, folium.CircleMarker) if m.options["dashArray"]]
    assert len(dashed) == 1 and "swm-unconfirmed" in dashed[0].options["className"]
    gate = [m for m in _items(fmap, LAYER_WATER_DERIVED, folium.CircleMarker) if "swm-gate" in m.options["className"]]
    assert len(gate) == 1 and gate[0].options["fill"] is False
    rings = [p for p in _items(fmap, LAYER_WATER_DERIVED, folium.PolyLine) if "swm-ring" in p.options["className"]]
    assert len(rings) == 3  # 第十五小学: 秦渠 100 m, and 600–2000 m as two (黄河 2800 m: its own map line)
    assert rings and all(p.options["dashArray"] == "8 6" for p in rings)
    assert rings[0].locations[0] == rings[0].locations[-1]  # closed


def test_filters_hide_other_townships_and_levels(settings, context):
    register = placed_register(settings, "利通区第十一小学", "马莲渠中心巴浪湖小学")
    only_malianqu = build_map(register, context, view=MapView(townships=["马莲渠乡"]))
    assert len(_items(only_malianqu, LAYER_SCHOOLS, folium.CircleMarker)) == 1
    only_low = build_map(register, context, view=MapView(levels=["low"]))  # only 第十一小学 has a low pair (黄河)
    (school,) = _items(only_low, LAYER_SCHOOLS, folium.CircleMarker)
    assert school.options["color"] == register.rules.level("low").colour
    assert build_map(register, context, view=MapView(levels=[]))._children  # nothing chosen: context only
    high = build_map(register, context, view=MapView(levels=["high"]))
    (school,) = _items(high, LAYER_SCHOOLS, folium.CircleMarker)
    assert school.options["color"] == register.rules.level("high").colour
    assert len(_items(high, LAYER_WATER_DERIVED, folium.CircleMarker)) == 1  # only the gate canal


def test_a_gcj02_basemap_shifts_every_overlay(settings, context):
    register = placed_register(settings, "利通区第十一小学")
    amap, _ = choose("amap_vec")
    fmap = build_map(register, context, basemap=amap)
    (school,) = _items(fmap, LAYER_SCHOOLS, folium.CircleMarker)
    lon, lat = wgs84_to_gcj02(TEST_LON, TEST_LAT)
    assert school.location == pytest.approx([float(lat), float(lon)], abs=1e-9)
    tiles = [c for c in fmap._children.values() if isinstance(c, folium.TileLayer)]
    assert len(tiles) == 1 and "autonavi" in tiles[0].tiles
    drawn = shapely.get_coordinates(shapely.geometry.shape(_items(fmap, LAYER_OUTLINE, folium.GeoJson)[-1].data[
        "features"][0]["geometry"]))
    raw = shapely.get_coordinates(context.outline.union_all())
    assert drawn[0] - raw[0] == pytest.approx([float(lon) - TEST_LON, float(lat) - TEST_LAT], abs=2e-4)


def test_focus_on_a_row_zooms_to_its_school_and_water(settings, context):
    register = placed_register(settings, "利通区第十一小学")
    fmap = build_map(register, context, view=MapView(focus_row=1))  # 秦渠, north 400 m
    fit = fmap._children[next(k for k in fmap._children if k.startswith("fit_bounds"))]
    (south, west), (north, east) = fit.bounds
    assert south == pytest.approx(TEST_LAT) and west == pytest.approx(TEST_LON) == pytest.approx(east)
    assert 0.003 < north - south < 0.004 and fit.options["maxZoom"] == 16  # 400 m ≈ 0.0036°


def test_focus_on_a_school_takes_in_its_derived_water(settings, context):
    register = placed_register(settings, "利通区第十一小学")  # 黄河 derived 6000 m west
    fit = build_map(register, context, view=MapView(focus_entity=S01))._children
    (south, west), (north, east) = fit[next(k for k in fit if k.startswith("fit_bounds"))].bounds
    assert west < TEST_LON - 0.06 and east > TEST_LON + 0.01 and south < TEST_LAT - 0.005 < TEST_LAT + 0.003 < north


def test_legend_is_plain_html_with_every_level(register, context):
    fmap = build_map(register, context)
    (legend,) = [c for c in fmap._children.values() if isinstance(c, Legend)]
    for level in register.rules.levels:
        assert level.label in legend.html and level.colour in legend.html
    assert "无上报水域" in legend.html and "200 米安全区域" in legend.html
    assert "L.control" in fmap.get_root().render()
    assert "参考地点" in legend.html and ANCHOR_COLOUR in legend.html


def test_reference_places_are_labelled_in_a_colour_of_their_own(register, context):
    fmap = build_map(register, context)
    markers = _items(fmap, LAYER_ANCHORS, folium.CircleMarker)
    labels = _items(fmap, LAYER_ANCHORS, folium.Marker)
    assert len(markers) == len(context.anchors) == 4 and len(labels) == 3  # 利通区（胜利）: 500 m from 吴忠市（城区）
    written = [icon.options["html"] for label in labels for icon in label._children.values()
               if isinstance(icon, folium.DivIcon)]
    shown = [name for name in context.anchors["name"] if any(f">{name}</div>" in text for text in written)]
    assert shown == ["吴忠市（城区）", "金积镇（金积堡）", "利通区人民政府"]  # 城区中心, 金积镇, 区政府
    assert all(ANCHOR_COLOUR in text for text in written)
    assert ANCHOR_COLOUR not in (NONE_COLOUR, *(level.colour for level in register.rules.levels))
    assert all(m.options["color"] == ANCHOR_COLOUR for m in markers)


def test_pending_layer_marks_the_click_in_the_basemap_crs():
    amap, _ = choose("amap_vec")
    group = pending_layer(TEST_LON, TEST_LAT, amap)
    (marker,) = [c for c in group._children.values() if isinstance(c, folium.Marker)]
    lon, lat = wgs84_to_gcj02(TEST_LON, TEST_LAT)
    assert marker.location == pytest.approx([float(lat), float(lon)])


def test_popups_link_to_the_printable_notices_when_asked(settings, context):
    place(settings, "利通区第十一小学")
    place(settings, "秦渠", 106.21, 37.99)
    register = build_register(settings)
    assert build_map(register, context).get_root().render().count("swm-print") == 1  # the stylesheet only
    linked = build_map(register, context, view=MapView(notice_url="/notices")).get_root().render()
    assert '<a class="swm-print" href="/notices?school=640302-S01" target="_blank"' in linked  # the school's letter
    assert 'href="/notices?water=640302-W01"' in linked  # 秦渠's own position: the page offers each school's notice
    assert 'href="/notices?notice_site=640302-S01-W02"' in linked  # 清水沟, derived from the school: its notice
    assert "?site=" not in linked  # that is the QR code's address of the 巡查 page


def test_candidates_are_labelled_markers_and_taken_into_the_view(register, context):
    points = [(106.2035, 37.9871, "#1"), (106.30, 37.90, "#2")]
    group = candidate_layer(points)
    markers = [c for c in group._children.values() if isinstance(c, folium.Marker)]
    assert [m.location for m in markers] == [[37.9871, 106.2035], [37.90, 106.30]]
    fit = build_map(register, context, view=MapView(focus_points=((106.2035, 37.9871), (106.30, 37.90))))._children
    (south, west), (north, east) = fit[next(k for k in fit if k.startswith("fit_bounds"))].bounds
    assert (south, west, north, east) == pytest.approx((37.90, 106.2035, 37.9871, 106.30))
