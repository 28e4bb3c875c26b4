from __future__ import annotations

import os

import pytest
from shapely.geometry import LineString, Point

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.positions import current_positions, new_record
from school_water_map.errors import DataFileError, PositionError, UnknownPlaceError
from school_water_map.geo.crs import from_wgs84
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from school_water_map.store.position_file import PositionFile

SCHOOL_LON, SCHOOL_LAT = 106.30, 37.90  # a test position inside the district, not a real school's


def _request(entity="板桥波浪渠小学", lon=SCHOOL_LON, lat=SCHOOL_LAT, crs="WGS84", **kw):
    return LocateRequest(entity=entity, geometry=kw.pop("geometry", Point(lon, lat)), crs=crs,
                         source=kw.pop("source", "测试"), author=kw.pop("author", "张三"),
                         method=kw.pop("method", "typed"), **kw)


@pytest.fixture
def context(settings):
    register = build_register(settings)
    return register.resolution, load_context(settings.geodata_dir).outline.union_all()


def test_store_appends_and_keeps_history(tmp_path):
    store = PositionFile(tmp_path / "positions.json")
    first = new_record("S1", Point(106.1, 37.9), precision="surveyed", source="GPS", author="甲", method="gps")
    second = new_record("S1", Point(106.2, 37.9), precision="surveyed", source="点选", author="乙", method="click")
    store.add([first])
    store.add([second])
    history = store.history("S1")
    assert [h.author for h in history] == ["甲", "乙"]
    assert history[1].supersedes == history[0].record_id
    assert current_positions(store.load())["S1"].geometry.equals(Point(106.2, 37.9))
    assert history[0].recorded_at.endswith("+00:00")


def test_a_crash_mid_write_keeps_the_previous_file(tmp_path, monkeypatch):
    store = PositionFile(tmp_path / "positions.json")
    store.add([new_record("S1", Point(106.1, 37.9), precision="surveyed", source="GPS", author="甲", method="gps")])
    before = store.path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.add([new_record("S2", Point(106.2, 37.9), precision="surveyed", source="GPS", author="乙",
                              method="gps")])
    assert store.path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_corrupt_store_is_reported_not_ignored(tmp_path):
    path = tmp_path / "positions.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="位置文件已损坏"):
        PositionFile(path).load()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"precision": "derived"}, "不能直接录入"),
    ({"source": " "}, "注明来源"),
    ({"author": ""}, "注明录入人"),
])
def test_records_need_precision_source_and_author(kwargs, message):
    args = {"precision": "surveyed", "source": "GPS", "author": "甲", "method": "gps", **kwargs}
    with pytest.raises(PositionError, match=message):
        new_record("S1", Point(106.1, 37.9), **args)


def test_gcj02_input_is_converted_on_the_way_in(settings, context):
    resolution, area = context
    glon, glat = from_wgs84(SCHOOL_LON, SCHOOL_LAT, "GCJ02")
    store = open_store(settings).positions
    (stored,) = record([_request(lon=float(glon), lat=float(glat), crs="高德")], resolution, area, store)
    assert stored.geometry.distance(Point(SCHOOL_LON, SCHOOL_LAT)) < 1e-8
    assert stored.input_crs == "GCJ02" and str(round(float(glon), 6))[:8] in stored.input_text


def test_batch_is_all_or_nothing(settings, context):
    resolution, area = context
    store = open_store(settings).positions
    good = _request()
    swapped = _request(entity="开元小学", lon=SCHOOL_LAT, lat=SCHOOL_LON)  # lat/lon swapped
    with pytest.raises(PositionError, match="第 2 条（开元小学）：坐标超出范围"):
        record([good, swapped], resolution, area, store)
    beijing = _request(entity="开元小学", lon=116.39, lat=39.91)
    with pytest.raises(PositionError, match=r"第 2 条.*不在本区范围内"):
        record([good, beijing], resolution, area, store)
    assert store.load() == []
    with pytest.raises(UnknownPlaceError):
        record([_request(entity="不存在的学校")], resolution, area, store)
    assert store.load() == []


def test_school_must_be_a_point_water_may_be_a_line(settings, context):
    resolution, area = context
    store = open_store(settings).positions
    line = LineString([(106.30, 37.90), (106.31, 37.91)])
    with pytest.raises(PositionError, match="必须是一个点"):
        record([_request(geometry=line)], resolution, area, store)
    (stored,) = record([_request(entity="波浪渠", geometry=line)], resolution, area, store)
    assert stored.geometry.geom_type == "LineString"
    assert [r.entity_id for r in store.load()] == [stored.entity_id]
