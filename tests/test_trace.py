"""描绘水体: a drawing (Leaflet.draw's GeoJSON, as st_folium returns it) → a checked position → computed distances.

Every coordinate here is test data inside 利通区 (no real school's or canal's position)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from school_water_map.domain.locate import prepare, record
from school_water_map.domain.trace import check_shape, describe, drawn_geometry, shapes_for, trace_request
from school_water_map.errors import PositionError
from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from tests.placing import TEST_LAT, TEST_LON, place

#: A test line 波浪渠 is traced as (WGS-84), about 55 m south of ``SCHOOL`` (板桥波浪渠小学's test point).
SCHOOL = (106.30, 37.90)
BOLANG_LINE = [(106.298, 37.8995), (106.300, 37.8995), (106.302, 37.8996)]


def _feature(kind: str, coordinates: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {}, "geometry": {"type": kind, "coordinates": coordinates}}


def _line(points) -> dict[str, object]:
    return _feature("LineString", [list(p) for p in points])


def _area(points) -> dict[str, object]:
    ring = [list(p) for p in points]
    return _feature("Polygon", [[*ring, ring[0]]])


def _area_of(settings):
    return load_context(settings.geodata_dir).outline.union_all()


def test_shapes_follow_the_water_kind():
    assert [s.code for s in shapes_for("branch_canal")] == ["line"]
    assert [s.code for s in shapes_for("pond")] == ["area"]
    assert [s.code for s in shapes_for("river")] == ["line", "area"]


def test_lines_drawn_in_pieces_are_one_water_body():
    drawn = drawn_geometry([_line([(106.30, 37.90), (106.31, 37.90)]), _line([(106.31, 37.90), (106.32, 37.91)])])
    assert drawn.geom_type == "LineString" and len(drawn.coords) == 3
    apart = drawn_geometry([_line([(106.30, 37.90), (106.31, 37.90)]), _line([(106.33, 37.90), (106.34, 37.90)])])
    assert apart.geom_type == "MultiLineString" and "2 段" in describe(apart)


@pytest.mark.parametrize(("drawings", "message"), [
    ([], "还没有描绘"),
    ([_feature("Point", [106.3, 37.9])], "第 1 个图形是“Point”：水体只能描绘为线或面"),
    ([_line([(106.3, 37.9), (106.3, 37.9)])], "第 1 个图形是只有一个点的线"),
    ([_line([(106.3, 37.9), (106.31, 37.9)]), _area([(106.3, 37.9), (106.31, 37.9), (106.31, 37.91)])],
     "同时画了线和面"),
    ([_feature("LineString", "not coordinates")], "第 1 个图形：坐标无法读取"),
])
def test_a_bad_drawing_is_refused_naming_the_problem(drawings, message):
    with pytest.raises(PositionError, match=message):
        drawn_geometry(drawings)


def test_a_self_intersecting_outline_is_refused_with_where_it_crosses():
    bowtie = _area([(106.30, 37.90), (106.32, 37.92), (106.32, 37.90), (106.30, 37.92)])
    crossing = r"第 1 个图形的边线自相交或重叠（在经度 106\.310000、纬度 37\.910000 附近）"
    with pytest.raises(PositionError, match=crossing):
        drawn_geometry([bowtie])


def test_a_canal_outlined_as_an_area_is_refused_in_chinese(register):
    water = register.resolution.water("波浪渠")
    outline = drawn_geometry([_area([(106.30, 37.90), (106.31, 37.90), (106.31, 37.91)])])
    with pytest.raises(PositionError, match="“波浪渠”是支渠，应描绘为线，不能是面"):
        check_shape(outline, water)
    with pytest.raises(PositionError, match="不能是面"):
        trace_request([_area([(106.30, 37.90), (106.31, 37.90), (106.31, 37.91)])], water, crs="WGS84",
                      source="描绘水体", author="测试员")


def test_a_drawing_on_a_gcj02_basemap_is_stored_in_wgs84(register, settings):
    water = register.resolution.water("波浪渠")
    lon, lat = wgs84_to_gcj02(np.array([p[0] for p in BOLANG_LINE]), np.array([p[1] for p in BOLANG_LINE]))
    request = trace_request([_line(zip(lon, lat, strict=True))], water, crs="GCJ02",
                            source="描绘水体（底图：高德 影像）", author="测试员")
    assert request.method == "trace" and request.entity == water.water_id
    (checked,) = prepare([request], register.resolution, _area_of(settings))
    assert checked.input_crs == "GCJ02"
    assert np.allclose(shapely.get_coordinates(checked.geometry), BOLANG_LINE, atol=1e-8)  # < 1 mm
    drawn = np.column_stack([lon, lat])
    assert np.abs(drawn - np.array(BOLANG_LINE)).max() > 0.002  # the GCJ-02 offset (hundreds of metres) was taken off


def test_a_traced_line_outside_the_district_is_refused(register, settings):
    water = register.resolution.water("波浪渠")
    request = trace_request([_line([(105.0, 36.0), (105.01, 36.0)])], water, crs="WGS84", source="描绘水体",
                            author="测试员")
    with pytest.raises(PositionError, match="不在本区范围内"):
        prepare([request], register.resolution, _area_of(settings))


def test_a_pond_outline_is_measured_geodesically():
    square = Polygon([(106.300, 37.900), (106.301, 37.900), (106.301, 37.901), (106.300, 37.901)])
    text = describe(square)
    assert text.startswith("面，5 个顶点，面积约 ")
    area = float(text.removeprefix("面，5 个顶点，面积约 ").removesuffix(" 平方米").replace(",", ""))
    assert 9_000 < area < 10_000  # ≈ 88 m × 111 m at 37.9°N


def test_a_traced_line_gives_row_83_a_computed_distance(settings):
    place(settings, "板桥波浪渠小学", *SCHOOL)  # test data: typed coordinates, not the school's real position
    register = build_register(settings)
    assert pd.isna(register.pairs.set_index("row").at[83, "computed_distance_m"])  # the school alone: no distance
    request = trace_request([_line(BOLANG_LINE)], register.resolution.water("波浪渠"), crs="WGS84",
                            source="描绘水体（底图：无底图（离线））", author="测试员", precision="geocoded")
    (stored,) = record([request], register.resolution, _area_of(settings), open_store(settings).positions)
    assert stored.method == "trace" and stored.geometry.geom_type == "LineString"
    row = build_register(settings).pairs.set_index("row").loc[83]
    assert row["water_precision"] == "geocoded"
    assert row["computed_distance_m"] == pytest.approx(55.5, abs=2)  # 0.0005° of latitude south of the school
    assert not row["distance_disagrees"]  # reported 10 米, within the 100 m tolerance


def test_a_canal_shared_by_schools_is_traced_once_for_all_its_pairs(settings):
    place(settings, "利通区第十一小学", TEST_LON, TEST_LAT)  # test data (row 1: 秦渠 学校北 400 米)
    place(settings, "利通区第三小学", TEST_LON + 0.02, TEST_LAT)  # test data (row 19: 秦渠 学校向北 1500 米)
    register = build_register(settings)
    line = [(TEST_LON - 0.01, TEST_LAT + 0.004), (TEST_LON + 0.03, TEST_LAT + 0.004)]  # ≈ 444 m north of both
    request = trace_request([_line(line)], register.resolution.water("秦渠"), crs="WGS84", source="描绘水体",
                            author="测试员")
    record([request], register.resolution, _area_of(settings), open_store(settings).positions)
    pairs = build_register(settings).pairs.set_index("row")
    assert pairs.loc[[1, 19], "computed_distance_m"].tolist() == pytest.approx([444, 444], abs=5)
    assert pairs.loc[[1, 19], "distance_disagrees"].tolist() == [False, True]  # 400 agrees; 1500 is flagged
    assert len(open_store(settings).positions.history(register.resolution.water("秦渠").water_id)) == 1
