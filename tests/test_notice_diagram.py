"""The letter's direction diagram and map extract: geometry checked on the SVG they produce."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.geo.layers import load_context
from school_water_map.notices.config import NoticeConfig
from school_water_map.notices.context import school_letter
from school_water_map.notices.diagram import BADGE_R, CENTRE, INNER_R, OUTER_R, DiagramMark, direction_svg, radius
from school_water_map.notices.mapextract import map_svg
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store

SVG = "{http://www.w3.org/2000/svg}"
RED = "#c0392b"


def _svg(*marks: DiagramMark) -> ET.Element:
    return ET.fromstring(direction_svg(marks))


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def _badge_centre(group: ET.Element) -> tuple[float, float]:
    circles = [c for c in group.iter(f"{SVG}circle") if c.get("r") == f"{BADGE_R:g}"]
    return float(circles[-1].get("cx", "nan")), float(circles[-1].get("cy", "nan"))


def test_radius_is_a_square_root_scale_from_the_school_to_the_3km_ring():
    assert radius(0) == INNER_R and radius(3000) == OUTER_R and radius(9000) == OUTER_R
    for metres in (10, 200, 400, 1000, 2500):
        assert (radius(metres) - INNER_R) / (OUTER_R - INNER_R) == pytest.approx(math.sqrt(metres / 3000))
    assert radius(10) - INNER_R > 5  # 10 m is visibly off the school, 3 km still fits


def test_a_north_400m_water_is_above_the_centre_at_the_scaled_radius():
    (mark,) = _groups(_svg(DiagramMark(1, (0.0,), 400.0, None, RED)), "mark")
    x, y = _badge_centre(mark)
    assert x == pytest.approx(CENTRE, abs=0.01)
    assert CENTRE - y == pytest.approx(radius(400), abs=0.01)


def test_an_east_water_is_right_of_the_centre():
    x, y = _badge_centre(_groups(_svg(DiagramMark(1, (90.0,), 1000.0, None, RED)), "mark")[0])
    assert (x - CENTRE, y) == (pytest.approx(radius(1000), abs=0.01), pytest.approx(CENTRE, abs=0.01))


def test_north_and_south_gives_two_marks():
    marks = _groups(_svg(DiagramMark(3, (0.0, 180.0), 200.0, None, RED)), "mark")
    ys = sorted(_badge_centre(g)[1] for g in marks)
    assert [g.get("data-number") for g in marks] == ["3", "3"]
    assert ys == [pytest.approx(CENTRE - radius(200), abs=0.01), pytest.approx(CENTRE + radius(200), abs=0.01)]


def test_no_direction_is_a_dashed_ring_at_the_distance():
    root = _svg(DiagramMark(2, (), 1500.0, None, RED))
    (group,) = _groups(root, "ring-mark")
    ring = next(c for c in group.iter(f"{SVG}circle") if c.get("class") == "ring")
    assert float(ring.get("r", "nan")) == pytest.approx(radius(1500), abs=0.01)
    assert ring.get("stroke-dasharray") and ring.get("stroke") == RED
    assert not _groups(root, "mark")


def test_beyond_3km_sits_at_the_edge_with_an_arrow_and_its_distance():
    root = _svg(DiagramMark(5, (270.0,), 6000.0, None, RED))
    (group,) = _groups(root, "mark")
    x, y = _badge_centre(group)
    assert (CENTRE - x, y) == (pytest.approx(OUTER_R, abs=0.01), pytest.approx(CENTRE, abs=0.01))
    arrow = next(line for line in group.iter(f"{SVG}line") if line.get("class") == "beyond")
    assert float(arrow.get("x2", "nan")) < float(arrow.get("x1", "nan")) < x  # pointing west, outward
    assert any(t.text == "6 公里" for t in group.iter(f"{SVG}text"))


def test_unknown_distance_is_not_drawn():
    root = _svg(DiagramMark(1, (180.0,), None, None, RED))
    assert not _groups(root, "mark") and not _groups(root, "ring-mark")


def test_close_marks_in_one_direction_do_not_hide_each_other():
    root = _svg(DiagramMark(1, (90.0,), 800.0, None, RED), DiagramMark(2, (90.0,), 1000.0, None, RED))
    (a, b) = (_badge_centre(g) for g in _groups(root, "mark"))
    assert math.dist(a, b) >= 2 * BADGE_R
    assert any(c.get("class") == "spot" for c in root.iter(f"{SVG}circle"))  # the moved one keeps a dot in place


def test_scale_rings_are_at_200m_1km_3km():
    rings = [c for c in _svg().iter(f"{SVG}circle") if c.get("class") == "scale-ring"]
    assert [(c.get("data-m"), float(c.get("r", "nan"))) for c in rings] == [
        ("200", pytest.approx(radius(200), abs=0.01)), ("1000", pytest.approx(radius(1000), abs=0.01)),
        ("3000", pytest.approx(radius(3000), abs=0.01))]


@pytest.fixture
def located(tmp_path):
    """A register where one school has a (test-only) recorded position in a private data dir."""
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)})
    register = build_register(settings)
    layers = load_context(settings.geodata_dir)
    metric = layers.outline.to_crs(layers.outline.estimate_utm_crs())
    inside = metric.union_all().buffer(-1000).boundary.interpolate(0)  # 1 km inside the district line
    centre = gpd.GeoSeries([inside], crs=metric.crs).to_crs("EPSG:4326").iloc[0]
    record([LocateRequest(entity="640302-S01", geometry=Point(centre.x, centre.y), crs="WGS84", source="测试",
                          author="测试", method="typed")], register.resolution, layers.outline.union_all(),
           open_store(settings).positions)
    return build_register(settings), layers


def test_unlocated_school_has_no_map_extract(register):
    letter = school_letter(register, NoticeConfig(), "640302-S01", today=date(2026, 6, 1))
    assert letter.map_extract is None and not letter.located


def test_located_school_gets_a_map_extract_with_derived_water(located):
    register, layers = located
    letter = school_letter(register, NoticeConfig(), "640302-S01", today=date(2026, 6, 1), layers=layers)
    extract = letter.map_extract
    assert extract is not None and letter.located
    assert letter.notes.precision[0].startswith("本校位置：实测")
    north = next(f for f in extract.features if f.role == "derived" and f.number == 1)  # row 1: 秦渠 北 400 米
    assert (shapely.get_x(north.geometry), shapely.get_y(north.geometry)) == (
        pytest.approx(0, abs=1), pytest.approx(400, abs=1))
    assert any(f.role == "outline" for f in extract.features)
    root = ET.fromstring(map_svg(extract))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "derived" and g.get("data-number") == "1")
    circle = next(group.iter(f"{SVG}circle"))
    scale = 300 / (2 * extract.half_size_m)
    assert float(circle.get("cx", "nan")) == pytest.approx(150, abs=0.5)
    assert 150 - float(circle.get("cy", "nan")) == pytest.approx(400 * scale, abs=0.5)
    assert all(abs(x) <= extract.half_size_m + 1e-6 and abs(y) <= extract.half_size_m + 1e-6
               for f in extract.features for x, y in shapely.get_coordinates(f.geometry))
