"""Township scoping (属地管理) of what an account sees and places: ``school_water_map.domain.scope``."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.scope import entity_townships, visible_register
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, PositionCsvError
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.placing import import_positions
from school_water_map.store.database import open_store

ADMIN = User(1, "admin01", "王局", "admin", None, True)
BANQIAO = User(2, "bq01", "李巡查", "patrol", "板桥乡", True)
VIEWER = User(3, "look01", "", "viewer", None, True)


def test_an_entitys_townships(register):
    assert entity_townships(register.resolution, "640302-S37") == {"板桥乡"}  # a school
    assert entity_townships(register.resolution, "640302-W47") == {"板桥乡"}  # 波浪渠: one school's water
    assert {"板桥乡", "金积镇", None} <= entity_townships(register.resolution, "640302-W01")  # 秦渠: shared


def test_a_patrol_sees_its_township_only(register):
    mine = visible_register(register, BANQIAO)
    assert list(mine.pairs["row"]) == [83, 82, 84, 85] and set(mine.pairs["township"]) == {"板桥乡"}
    assert sorted(mine.schools.index) == ["640302-S36", "640302-S37", "640302-S38"]
    assert sorted(mine.waters.index) == ["640302-W01", "640302-W47", "640302-W48", "640302-W49"]
    assert visible_register(register, ADMIN) is register and visible_register(register, VIEWER) is register
    assert visible_register(register, None) is register  # open mode


def _request(entity: str) -> LocateRequest:
    return LocateRequest(entity=entity, geometry=Point(106.25, 37.95), crs="WGS84", source="测试", author="李巡查",
                         method="typed")


def test_a_patrol_places_only_its_own_townships_schools_and_water(settings, register):
    area = load_context(settings.geodata_dir).outline.union_all()
    store = open_store(settings)
    with pytest.raises(AuthError, match="无权定位“利通区第十一小学”：它涉及"):
        record([_request("利通区第十一小学")], register.resolution, area, store.positions, user=BANQIAO)
    with pytest.raises(AuthError, match="跨乡镇的水体请由管理员定位"):
        record([_request("640302-W01")], register.resolution, area, store.positions, user=BANQIAO)  # 秦渠
    with pytest.raises(AuthError, match="只能查看"):
        record([_request("640302-S37")], register.resolution, area, store.positions, user=VIEWER)
    assert store.positions.load() == []
    record([_request("640302-S37")], register.resolution, area, store.positions, user=BANQIAO)
    record([_request("640302-W01")], register.resolution, area, store.positions, user=ADMIN)
    record([_request("640302-W02")], register.resolution, area, store.positions)  # the CLI: no account
    assert [p.entity_id for p in store.positions.load()] == ["640302-S37", "640302-W01", "640302-W02"]


def test_a_position_file_with_another_townships_row_is_refused_whole(settings, register):
    area = load_context(settings.geodata_dir).outline.union_all()
    store = open_store(settings)
    data = "编号或名称,经度,纬度\n640302-S37,106.25,37.95\n利通区第十一小学,106.2,37.98\n".encode()
    with pytest.raises(PositionCsvError) as refused:
        import_positions(data, register.resolution, area, store.positions, author="李巡查", source="测试",
                         user=BANQIAO)
    assert len(refused.value.problems) == 1 and refused.value.problems[0].startswith("第 3 行：无权定位")
    assert store.positions.load() == []
