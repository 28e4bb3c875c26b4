from __future__ import annotations

import pytest
import shapely

from school_water_map.errors import PositionCsvError
from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.geo.layers import load_context
from school_water_map.io.position_csv import TEMPLATE, read_rows
from school_water_map.pipeline.placing import import_positions
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store


@pytest.fixture
def target(settings):
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    return register.resolution, area, open_store(settings).positions


def _import(target, text: str, encoding: str = "utf-8"):
    resolution, area, store = target
    return import_positions(text.encode(encoding), resolution, area, store, author="李四", source="测试文件")


def test_a_good_file_is_stored_whole_with_conversion_and_defaults(target):
    gcj_lon, gcj_lat = wgs84_to_gcj02(106.21, 37.99)
    text = (TEMPLATE + "利通区第十一小学,106.2,37.98,,,\n"
            f"640302-S02,{float(gcj_lon):.8f},{float(gcj_lat):.8f},GCJ-02,高德拾取,大门\n"
            "秦渠,106°12′,37°59′,WGS-84,,\n\n")
    stored = _import(target, text)
    assert [r.entity_id for r in stored] == ["640302-S01", "640302-S02", "640302-W01"]
    assert {r.author for r in stored} == {"李四"} and {r.method for r in stored} == {"csv"}
    assert stored[0].source == "测试文件" and stored[1].source == "高德拾取" and stored[1].note == "大门"
    point = stored[1].geometry  # GCJ-02 converted back to WGS-84 on the way in
    assert shapely.get_x(point) == pytest.approx(106.21, abs=1e-7)
    assert shapely.get_y(stored[2].geometry) == pytest.approx(37 + 59 / 60)
    assert len(target[2].load()) == 3


def test_every_bad_row_is_named_and_nothing_is_stored(target):
    text = ("编号或名称,经度,纬度,坐标系\n"
            "利通区第十一小学,106.2,37.98,WGS84\n"   # row 2: fine
            "不存在的学校,106.2,37.98,WGS84\n"       # row 3: unknown place
            "640302-S02,37.98,106.2,WGS84\n"         # row 4: swapped → out of range
            "640302-S03,116.4,39.9,WGS84\n"          # row 5: Beijing, outside the district
            "640302-S04,106.2,37.98,火星\n"          # row 6: unknown CRS
            "640302-S01,106.3,37.9,WGS84\n")         # row 7: same school as row 2
    with pytest.raises(PositionCsvError) as caught:
        _import(target, text)
    problems = caught.value.problems
    assert [p.split("：")[0] for p in problems] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"]
    assert "找不到学校或水体：“不存在的学校”" in problems[0]
    assert "超出范围" in problems[1] and "不在本区范围内" in problems[2] and "未知的坐标系“火星”" in problems[3]
    assert "与第 2 行是同一处" in problems[4]
    assert target[2].load() == []


def test_gbk_files_from_excel_read(target):
    stored = _import(target, "名称,经度,纬度\n利通区第十一小学,106.2,37.98\n", encoding="gbk")
    assert stored[0].entity_id == "640302-S01"


@pytest.mark.parametrize(("text", "message"), [
    ("学校,lon\n利通区第十一小学,106.2\n", "缺少列：编号或名称、纬度"),
    ("编号或名称,经度,纬度\n", "文件中没有数据行"),
    ("编号或名称,经度,纬度\n,106.2,37.98\n", "第 2 行：未填写编号或名称"),
    ("编号或名称,经度,纬度,精度\n利通区第十一小学,106.2,37.98,很准\n", "第 2 行：精度“很准”无法识别"),
    ("编号或名称,经度,纬度\n利通区第十一小学,106.2,北纬三十七度\n", "第 2 行：纬度“北纬三十七度”无法识别"),
])
def test_malformed_files_are_refused_in_chinese(text, message):
    with pytest.raises(PositionCsvError, match=message):
        read_rows(text.encode("utf-8"), author="李四", source="测试")


def test_precision_column_overrides_the_default():
    rows = read_rows("编号或名称,经度,纬度,精度\nA,106.2,37.98,地理编码\nB,106.2,37.98,\n".encode(),
                     author="李四", source="测试", precision="surveyed")
    assert [r.request.precision for r in rows] == ["geocoded", "surveyed"]
    assert [r.line for r in rows] == [2, 3]
