from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.geo.layers import load_context
from school_water_map.outputs.check import findings, render_text, unlisted_nearby
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store

GEOD = Geod(ellps="WGS84")
SCHOOL = (106.30, 37.90)  # a test position, not a real school's


def _place(settings, entity, geometry):
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    request = LocateRequest(entity=entity, geometry=geometry, crs="WGS84", source="测试", author="张三",
                            method="click")
    record([request], register.resolution, area, open_store(settings).positions)
    return build_register(settings)


def test_nothing_is_placed_without_a_source(register):
    assert (register.schools["precision"] == "unplaced").all()
    assert register.schools["geometry"].isna().all()
    coarse = register.waters["precision"] == "small_scale"  # 黄河: the Yellow River's map line from geodata
    assert list(register.waters.loc[coarse, "name"]) == ["黄河"]
    assert (register.waters.loc[~coarse, "precision"] == "unplaced").all()
    assert register.derived.empty


def test_locating_a_school_derives_its_waters(settings):
    after = _place(settings, "利通区第十一小学", Point(*SCHOOL))
    school = after.schools.loc["640302-S01"]
    assert school["precision"] == "surveyed" and school["source"] == "测试" and school["author"] == "张三"
    rows = after.pairs.set_index("row")
    assert (rows.loc[[1, 2, 3, 4], "water_precision"] == "derived").all()
    assert rows.at[5, "water_precision"] == "small_scale" and rows.at[5, "computed_distance_m"] > 0  # 黄河
    qinqu_point = after.derived.loc[1, "geometry"]  # 学校北 400 米
    az, _, dist = GEOD.inv(*SCHOOL, qinqu_point.x, qinqu_point.y)
    assert dist == pytest.approx(400, abs=0.01) and az == pytest.approx(0, abs=1e-6)
    assert pd.isna(rows.loc[1, "computed_distance_m"])  # a derived position is never "measured"
    assert after.waters.loc["640302-W01", "precision"] == "derived"
    assert "已定位 1 所" in render_text(findings(after))


def test_water_geometry_gives_a_computed_distance_and_flags_disagreement(settings):
    _place(settings, "板桥波浪渠小学", Point(*SCHOOL))
    lon, lat, _ = GEOD.fwd(*SCHOOL, 90, 500)  # a canal 500 m east, while the annex says 10 m
    after = _place(settings, "波浪渠", LineString([(lon, lat - 0.01), (lon, lat + 0.01)]))
    row = after.pairs.set_index("row").loc[83]
    assert row["computed_distance_m"] == pytest.approx(500, rel=0.01)
    assert row["distance_disagrees"] and row["water_precision"] == "surveyed"
    report = render_text(findings(after))
    assert "第 83 行" in report and "计算 500 米" in report
    # the nearer of the two distances drives the risk, and the reason names its source
    assert any("上报 10 米" in r["text"] for r in row["reasons"])


def test_a_located_water_near_the_school_keeps_the_pair_high(settings):
    _place(settings, "板桥波浪渠小学", Point(*SCHOOL))
    lon, lat, _ = GEOD.fwd(*SCHOOL, 90, 12)
    after = _place(settings, "波浪渠", LineString([(lon, lat - 0.01), (lon, lat + 0.01)]))
    row = after.pairs.set_index("row").loc[83]
    assert not row["distance_disagrees"] and row["risk_level"] == "high"


def test_unlisted_water_inside_the_school_zone_is_reported(settings):
    _place(settings, "开元小学", Point(*SCHOOL))  # the annex lists only 秦渠 (1000 m) for 开元小学
    lon, lat, _ = GEOD.fwd(*SCHOOL, 180, 120)
    after = _place(settings, "汉渠", LineString([(lon - 0.01, lat), (lon + 0.01, lat)]))
    close = unlisted_nearby(after)
    assert close[["school_id", "water_id"]].values.tolist() == [["640302-S39", "640302-W27"]]
    assert close["distance_m"].iloc[0] == pytest.approx(120, rel=0.01)
    assert "开元小学 — 汉渠：120 米" in render_text(findings(after))
