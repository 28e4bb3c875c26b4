from __future__ import annotations

from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.locate import record
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.patrol_place import SCHOOL_GATE, placement
from school_water_map.domain.sites import sites
from school_water_map.geo.layers import load_context
from school_water_map.outputs.review import review_tables, to_place
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from tests.placing import place


def test_unplaced_riskiest_schools_come_first_then_water(register):
    candidates = to_place(register)
    schools = [c for c in candidates if c.kind == "school"]
    assert len(schools) == len(register.schools) and candidates[: len(schools)] == schools
    assert schools[0].name == "马莲渠中心巴浪湖小学"  # row 15, high, at the gate
    assert schools[0].label == "学校｜马莲渠中心巴浪湖小学（马莲渠乡，未定位）"
    assert candidates[-1].kind == "water" and candidates[-1].label.startswith("水体｜")


def test_review_lists_follow_the_positions(settings):
    tables = review_tables(build_register(settings))
    assert list(tables) == ["未定位的学校", "没有自身位置的水体", "未确认的位置", "巡查定位", "距离不符"]
    assert len(tables["未定位的学校"]) == 40 and tables["未确认的位置"].empty and tables["距离不符"].empty
    assert len(tables["没有自身位置的水体"]) == 50  # 黄河 has the Yellow River's map line from geodata
    assert tables["巡查定位"].empty
    place(settings, "利通区第十一小学", 106.20, 37.98)
    place(settings, "秦渠", 106.20, 37.90, precision="geocoded")  # ~9 km away, reported 400 m
    register = build_register(settings)
    tables = review_tables(register)
    assert len(tables["未定位的学校"]) == 39
    assert "640302-S01" not in set(tables["未定位的学校"]["编号"])
    assert list(tables["未确认的位置"]["名称"]) == ["秦渠"]
    disagree = tables["距离不符"]
    assert list(disagree["序号"]) == [1] and disagree.iloc[0]["上报距离"] == "学校北 400 米"
    assert 8000 < float(disagree.iloc[0]["计算距离（米）"]) < 10000
    placed = next(c for c in to_place(register) if c.entity_id == "640302-S01")
    assert placed.precision == "surveyed" and "实测" in placed.label


def test_positions_placed_by_patrols_are_listed_for_the_bureau(settings, register):
    site = next(s for s in sites(register) if s.site_id == "640302-S37-W47")
    request = placement(site, SCHOOL_GATE, DevicePosition(106.1412, 37.9081, 9.0), PatrolRules(), author="李巡查")
    record([request], register.resolution, load_context(settings.geodata_dir).outline.union_all(),
           open_store(settings).positions)
    (listed,) = review_tables(build_register(settings))["巡查定位"].itertuples()
    assert (listed.编号, listed.类别, listed.名称, listed.录入人) == ("640302-S37", "学校", "板桥波浪渠小学", "李巡查")
