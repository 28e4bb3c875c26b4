from __future__ import annotations

from school_water_map.outputs.review import review_tables, to_place
from school_water_map.pipeline.register import build_register
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
    assert list(tables) == ["未定位的学校", "没有自身位置的水体", "未确认的位置", "距离不符"]
    assert len(tables["未定位的学校"]) == 40 and tables["未确认的位置"].empty and tables["距离不符"].empty
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
