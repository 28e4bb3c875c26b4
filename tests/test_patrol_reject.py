"""The bureau rejects a position a patrol recorded: the place goes back to what it had before (or off the map),
the rejected record stays in its history, and only an 管理员 (or open mode) may do it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.locate import record
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.patrol_place import SCHOOL_GATE, placement
from school_water_map.domain.sites import find_site, site_geometry, sites
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, PositionError
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.placing import reject_patrol_position
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from tests.app_support import new_app, run_page, texts
from tests.placing import place

ROW83, S37 = "640302-S37-W47", "640302-S37"  # 板桥波浪渠小学 — 波浪渠 (板桥乡)
PATROL = User(id=3, username="bq01", display_name="李巡查", role="patrol", township="板桥乡", active=True)
VIEWER = User(id=4, username="ck01", display_name="赵查看", role="viewer", township=None, active=True)
RULES = PatrolRules(place_accuracy_m=50)
GATE = DevicePosition(106.1412, 37.9081, 12.0)  # a test fix, not the school's real position


def _patrol_places(settings: Settings, fix: DevicePosition = GATE) -> None:
    """The 板桥乡 patrol places row 83's school from its site."""
    register = build_register(settings)
    request = placement(find_site(sites(register), ROW83), SCHOOL_GATE, fix, RULES, author="李巡查")
    record([request], register.resolution, load_context(settings.geodata_dir).outline.union_all(),
           open_store(settings).positions, user=PATROL)


def _school(settings: Settings):
    return build_register(settings).schools.loc[S37]


def test_rejecting_a_first_patrol_position_takes_the_school_off_the_map_and_keeps_the_record(settings):
    _patrol_places(settings)
    assert _school(settings)["source"].startswith("巡查定位")
    stored = reject_patrol_position(open_store(settings).positions, S37, reason="点位在渠对岸", author="王科长")
    assert (stored.precision, stored.method, stored.author) == ("unplaced", "reject", "王科长")
    assert "点位在渠对岸" in stored.note and "恢复为未定位" in stored.note
    school = _school(settings)
    assert school["precision"] == "unplaced" and school["geometry"] is None
    register = build_register(settings)
    assert site_geometry(register, find_site(sites(register), ROW83)) is None  # no presence check on a rejected fix
    history = open_store(settings).positions.history(S37)
    assert [r.method for r in history] == ["gps", "reject"]  # append-only: the patrol's record is kept


def test_rejecting_restores_the_earlier_position_and_a_second_rejection_goes_further_back(settings):
    place(settings, S37, 106.15, 37.91, precision="geocoded", method="geocoder")  # test data, not a real position
    _patrol_places(settings)
    _patrol_places(settings, DevicePosition(106.1420, 37.9090, 9.0))  # a second visit places it again
    store = open_store(settings).positions
    reject_patrol_position(store, S37, reason="第二次定位偏到路口", author="王科长")
    school = _school(settings)
    assert school["source"].startswith("巡查定位") and school["geometry"].x == pytest.approx(106.1412)  # the first
    reject_patrol_position(store, S37, reason="第一次也不对", author="王科长")
    school = _school(settings)  # back to the geocoded one: never forward to the fix rejected first
    assert (school["precision"], school["geometry"].x) == ("geocoded", pytest.approx(106.15))
    with pytest.raises(PositionError, match="当前位置不是巡查定位"):
        reject_patrol_position(store, S37, reason="再否决", author="王科长")
    assert len(store.history(S37)) == 5  # geocoded, two fixes, two rejections: nothing else written


@pytest.mark.parametrize("account", [PATROL, VIEWER])
def test_only_an_admin_may_reject_and_a_refusal_writes_nothing(db_settings, account):
    _patrol_places(db_settings)
    store = open_store(db_settings).positions
    with pytest.raises(AuthError, match="只有管理员可以否决巡查定位"):
        reject_patrol_position(store, S37, reason="不对", author="某人", user=account)
    assert len(store.history(S37)) == 1


def test_a_rejection_needs_a_reason(settings):
    _patrol_places(settings)
    with pytest.raises(PositionError, match="请填写否决理由"):
        reject_patrol_position(open_store(settings).positions, S37, reason="  ", author="王科长")


def _patrol_tab(at: AppTest):
    return next(t for t in at.tabs if t.label.startswith("巡查定位"))


def test_the_bureau_rejects_from_the_review_list_and_the_list_empties(app_settings):
    _patrol_places(app_settings)
    at = run_page(new_app(), "app_pages/locate.py")
    assert _patrol_tab(at).label == "巡查定位（1）"
    at.text_input(key="author").input("王科长")
    at.selectbox(key="patrol_reject_entity").set_value(S37)
    at.text_input(key="patrol_reject_reason").input("点位在渠对岸")
    run_page(at)
    at.button(key="patrol_reject_button").click()
    run_page(at)
    assert "已否决“板桥波浪渠小学”的巡查定位" in at.success[0].value
    assert _patrol_tab(at).label == "巡查定位（0）" and _school(app_settings)["precision"] == "unplaced"
    assert "没有巡查定位" in texts(at.caption)
