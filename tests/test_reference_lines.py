"""黄河 from geodata: the Yellow River's map line stands as the water body's position, of its own precision
(``small_scale``, about ±1 km), until a person records one; its pairs then get computed distances with a
disagreement tolerance widened by that kilometre."""

from __future__ import annotations

import pytest

from school_water_map.domain.entities import Registry
from school_water_map.domain.positions import SMALL_SCALE_UNCERTAINTY_M, PositionRecord
from school_water_map.domain.register import RegisterInputs, register_from
from school_water_map.io.curated import load_reference_positions, load_registry
from school_water_map.outputs.review import placed_counts
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from tests.placing import place
from tests.test_core import ADCODE, ROWS, RULES, SCHOOLS, WATERS

YELLOW_RIVER = "640302-W05"
#: A straight north–south line about 2000 m east of 乙村中学 at (106.0, 38.0): reported 1000 m, so 1000 m off.
LINE_2KM_EAST = "LINESTRING (106.02283 37.9, 106.02283 38.1)"


def _register(precision: str):
    school = PositionRecord("640302-S91", "POINT (106 38)", "surveyed", "测试", "张三", "typed")
    river = PositionRecord("640302-W91", LINE_2KM_EAST, precision, "测试", "geodata" if precision == "small_scale"
                           else "张三", "file")
    coarse = precision == "small_scale"
    return register_from(RegisterInputs(
        annex_rows=ROWS, aliases={}, registry=Registry(schools=SCHOOLS, waters=WATERS), inspections=[], rules=RULES,
        district_adcode=ADCODE, positions=[school] if coarse else [school, river],
        reference_positions=[river] if coarse else []))


def test_a_small_scale_line_widens_the_disagreement_tolerance_by_its_uncertainty():
    surveyed = _register("surveyed").pairs.set_index("row").loc[2]
    coarse = _register("small_scale").pairs.set_index("row").loc[2]
    assert surveyed["computed_distance_m"] == pytest.approx(2000, abs=20)
    assert coarse["computed_distance_m"] == pytest.approx(surveyed["computed_distance_m"])
    assert bool(surveyed["distance_disagrees"]) is True   # 1000 m reported, 2000 m measured on a surveyed line
    assert bool(coarse["distance_disagrees"]) is False    # within 1000 m more on a 1:1M map line
    assert coarse["water_precision"] == "small_scale"


def test_the_yellow_river_line_is_the_water_bodys_position_with_its_source(settings):
    registry = load_registry(settings.schools_path, settings.water_path, district_adcode=settings.district_adcode)
    (line,) = load_reference_positions(settings.geodata_dir, registry)
    assert (line.entity_id, line.precision, line.accuracy_m) == (YELLOW_RIVER, "small_scale", SMALL_SCALE_UNCERTAINTY_M)
    assert "yellow_river_wdb2_wgs84.geojson" in line.source and line.geometry.geom_type.endswith("LineString")
    register = build_register(settings)
    water = register.waters.loc[YELLOW_RIVER]
    assert water["precision_label"] == "小比例尺地图（约 ±1 公里）" and water["geometry"] is not None
    assert placed_counts(register) == "已定位 0/40 所学校，1/51 处水体"
    assert open_store(settings).positions.load() == []  # shown, never stored


def test_placing_a_school_gives_its_yellow_river_pair_a_distance(settings):
    before = build_register(settings).pairs.set_index("row").loc[5]
    assert before["water"] == "黄河" and before["computed_distance_m"] is None  # the school is not placed yet
    place(settings, "利通区第十一小学", 106.20, 37.98)
    after = build_register(settings).pairs.set_index("row").loc[5]
    assert 1000 < after["computed_distance_m"] < 10000  # the annex says 学校西 6000 米
    assert after["water_precision"] == "small_scale"


def test_a_recorded_position_replaces_the_map_line(settings):
    place(settings, "黄河", 106.10, 37.98)  # a person's own position for the river (a point, for the test)
    water = build_register(settings).waters.loc[YELLOW_RIVER]
    assert water["precision"] == "surveyed" and water["geometry"].geom_type == "Point"
