"""The pure register core on tiny in-code entities and positions: no store, no geodata files.

``register_from`` and ``assemble`` take everything as values, so each rule can be checked small, with
``geopandas.testing.assert_geodataframe_equal`` as in geopandas' own tests. The coordinates below are
test positions in open country, not real schools or canals.
"""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pyproj import Geod
from shapely.geometry import LineString, Point

from school_water_map.domain.annex import AnnexRow
from school_water_map.domain.entities import Registry, School, WaterBody
from school_water_map.domain.inspections import Inspection
from school_water_map.domain.positions import new_record
from school_water_map.domain.register import Register, RegisterInputs, register_from
from school_water_map.domain.risk import Facts, assess
from school_water_map.domain.sites import site_geometry, sites
from school_water_map.io.curated import load_rules
from school_water_map.settings import DEFAULT_RULES_PATH

ADCODE = "640302"
GEOD = Geod(ellps="WGS84")
SCHOOL_AT = (106.30, 37.90)
RULES = load_rules(DEFAULT_RULES_PATH)
SCHOOLS = (
    School("640302-S90", "甲村小学", (), "primary", "板桥乡", "校名前缀", ADCODE),
    School("640302-S91", "乙村中学", ("乙中",), "middle", None, "待确认", ADCODE),
)
WATERS = (
    WaterBody("640302-W90", "甲渠", (), "branch_canal", "测试", ADCODE),
    WaterBody("640302-W91", "乙河", (), "river", "测试", ADCODE),
)
ROWS = (
    AnnexRow(1, "甲村小学", "甲渠", "学校东 100 米", ""),
    AnnexRow(2, "乙中", "乙河", "1000 米", ""),
    AnnexRow(3, "乙村中学", "无", "", ""),
)


def _east(metres: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(*SCHOOL_AT, 90, metres)
    return lon, lat


def _position(entity_id: str, geometry):
    return new_record(entity_id, geometry, precision="surveyed", source="测试", author="张三", method="click",
                      now=datetime(2026, 6, 1, tzinfo=UTC))


def _register(*positions, inspections=()) -> Register:
    return register_from(RegisterInputs(
        annex_rows=ROWS, aliases={}, registry=Registry(schools=SCHOOLS, waters=WATERS),
        positions=list(positions), inspections=list(inspections), rules=RULES, district_adcode=ADCODE))


def _inspection(site_id: str, answers: dict[str, str], number: int = 1) -> Inspection:
    return Inspection(id=number, site_id=site_id, township="板桥乡", user_id=1, inspector="李四",
                      created_at=datetime(2026, 7, number, 1, tzinfo=UTC), answers=answers)


def test_an_unplaced_register_has_every_entity_and_no_geometry():
    register = _register()
    expected = gpd.GeoDataFrame({"school_id": ["640302-S90", "640302-S91"], "name": ["甲村小学", "乙村中学"],
                                 "precision": ["unplaced", "unplaced"], "geometry": [None, None]},
                                geometry="geometry", crs="EPSG:4326").set_index("school_id", drop=False)
    assert_geodataframe_equal(register.schools[["school_id", "name", "precision", "geometry"]], expected)
    assert register.derived.empty
    assert list(register.pairs["row"]) == [1, 2, 3]  # 高 before 低 before 无; ties by row
    assert register.pairs.set_index("row").loc[2, "school_id"] == "640302-S91"  # resolved through the alias


def test_a_placed_school_places_its_school_frame_and_derives_the_water_it_reports():
    register = _register(_position("640302-S90", Point(*SCHOOL_AT)))
    schools = register.schools.loc[["640302-S90"], ["school_id", "precision", "source", "geometry"]]
    expected = gpd.GeoDataFrame({"school_id": ["640302-S90"], "precision": ["surveyed"], "source": ["测试"],
                                 "geometry": [Point(*SCHOOL_AT)]}, geometry="geometry",
                                crs="EPSG:4326").set_index("school_id", drop=False)
    assert_geodataframe_equal(schools, expected)
    derived = register.derived.loc[1]
    assert derived["shape"] == "point"
    _, _, metres = GEOD.inv(*SCHOOL_AT, derived["geometry"].x, derived["geometry"].y)
    assert metres == pytest.approx(100, abs=1)  # 学校东 100 米
    assert register.pairs.set_index("row").loc[1, "water_precision"] == "derived"
    assert register.pairs.set_index("row").loc[2, "water_precision"] == "unplaced"  # its school is unplaced


def test_distances_are_computed_only_when_both_ends_are_placed_and_flag_a_disagreement():
    canal = LineString([_east(400), (_east(400)[0], SCHOOL_AT[1] + 0.01)])
    register = _register(_position("640302-S90", Point(*SCHOOL_AT)), _position("640302-W90", canal))
    row = register.pairs.set_index("row").loc[1]
    assert row["computed_distance_m"] == pytest.approx(400, abs=2)
    assert bool(row["distance_disagrees"])  # reported 100 m, measured 400 m
    assert pd.isna(register.pairs.set_index("row").loc[2, "computed_distance_m"])  # its school is unplaced


def test_sites_are_pairs_with_water_and_a_site_stands_where_the_water_is_nearest():
    canal = LineString([_east(100), (_east(100)[0], SCHOOL_AT[1] + 0.01)])
    register = _register(_position("640302-S90", Point(*SCHOOL_AT)), _position("640302-W90", canal))
    found = sites(register)
    assert [s.site_id for s in found] == ["640302-S90-W90", "640302-S91-W91"]  # row 3 (无) is no site
    assert found[1].township is None and found[1].township_label == "待确认"
    target = site_geometry(register, found[0])
    assert target is not None and target.distance(Point(_east(100)[0], SCHOOL_AT[1])) < 1e-9
    assert site_geometry(register, found[1]) is None  # neither end placed: nothing to check presence against


def test_residual_risk_counts_what_the_latest_inspection_found():
    in_place = {"warning_sign": "ok", "fence": "ok", "rescue_kit": "ok", "minors": "none"}
    missing = {"warning_sign": "missing", "fence": "missing", "rescue_kit": "missing", "minors": "none"}
    site = "640302-S90-W90"
    before = _register().pairs.set_index("row").loc[1]
    fixed = _register(inspections=[_inspection(site, missing, 1), _inspection(site, in_place, 2)])
    broken = _register(inspections=[_inspection(site, in_place, 1), _inspection(site, missing, 2)])
    assert before["residual_basis"] == "尚无巡查记录" and before["residual_score"] == before["risk_score"]
    fixed_row, broken_row = fixed.pairs.set_index("row").loc[1], broken.pairs.set_index("row").loc[1]
    assert fixed_row["residual_basis"].startswith("巡查 #2")
    assert fixed_row["residual_score"] < before["risk_score"] <= broken_row["residual_score"]
    assert fixed_row["risk_score"] == broken_row["risk_score"] == before["risk_score"]  # inherent risk unchanged


def test_the_rules_rank_a_gate_above_a_far_river():
    canal_at_gate = assess(Facts(distance_m=0, at_gate=True, kind="branch_canal", seasonal=False,
                                 school_level="primary"), RULES)
    far_river = assess(Facts(distance_m=3000, at_gate=False, kind="river", seasonal=False,
                             school_level="middle"), RULES)
    assert canal_at_gate.rank < far_river.rank
    assert canal_at_gate.reasons and all(reason.text for reason in canal_at_gate.reasons)
