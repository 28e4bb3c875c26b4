"""A patrol places what it stands at: a good enough GPS fix at an unplaced site becomes the school's (or the
water body's) surveyed position, authored by the patrol with source 巡查定位; another township's is refused
and nothing is written; a poor fix places nothing."""

from __future__ import annotations

import pytest

from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.locate import record
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.patrol_place import SCHOOL_GATE, WATER_EDGE, placement
from school_water_map.domain.sites import find_site, site_geometry, sites
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, PositionError
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store

ROW83 = "640302-S37-W47"  # 板桥波浪渠小学 — 波浪渠 (板桥乡)
RULES = PatrolRules(place_accuracy_m=50)
PATROL = User(id=3, username="bq01", display_name="李巡查", role="patrol", township="板桥乡", active=True)
GATE = DevicePosition(106.1412, 37.9081, 12.0)  # a test fix, not the school's real position


def test_a_good_fix_becomes_the_schools_surveyed_position_by_the_patrol(settings):
    register = build_register(settings)
    site = find_site(sites(register), ROW83)
    assert site_geometry(register, site) is None  # unplaced: presence cannot be checked yet
    request = placement(site, SCHOOL_GATE, GATE, RULES, author="李巡查")
    (stored,) = record([request], register.resolution, load_context(settings.geodata_dir).outline.union_all(),
                       open_store(settings).positions, user=PATROL)
    assert (stored.entity_id, stored.precision, stored.method, stored.author) == ("640302-S37", "surveyed", "gps",
                                                                                  "李巡查")
    assert stored.source.startswith("巡查定位（板桥波浪渠小学校门口，点位 640302-S37-W47") and stored.accuracy_m == 12.0
    after = build_register(settings)
    assert site_geometry(after, find_site(sites(after), ROW83)) is not None  # the presence check works now


def test_a_water_edge_fix_places_the_water_body(register):
    site = next(s for s in sites(register) if s.site_id == ROW83)
    request = placement(site, WATER_EDGE, GATE, RULES, author="李巡查")
    assert request.entity == "640302-W47" and "波浪渠水边" in request.source


@pytest.mark.parametrize("accuracy", [80.0, None])
def test_a_poor_or_unknown_fix_places_nothing(register, accuracy):
    site = next(s for s in sites(register) if s.site_id == ROW83)
    with pytest.raises(PositionError, match="达不到定位所需的 ±50 米"):
        placement(site, SCHOOL_GATE, DevicePosition(GATE.lon, GATE.lat, accuracy), RULES, author="李巡查")


def test_another_townships_site_is_refused_and_nothing_is_written(settings):
    register = build_register(settings)
    other = next(s for s in sites(register) if s.township == "金积镇")
    request = placement(other, SCHOOL_GATE, DevicePosition(106.125, 37.933, 8.0), RULES, author="李巡查")
    store = open_store(settings)
    with pytest.raises(AuthError, match="本账号只能定位板桥乡的学校和水体"):
        record([request], register.resolution, load_context(settings.geodata_dir).outline.union_all(),
               store.positions, user=PATROL)
    assert store.positions.load() == []
