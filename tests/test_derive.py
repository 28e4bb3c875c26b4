from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import Point

from school_water_map.domain.derive import derive_water_geometry
from school_water_map.domain.reported import parse_distance

GEOD = Geod(ellps="WGS84")
SCHOOL = Point(106.3, 37.9)


def _dist_az(point):
    az, _, dist = GEOD.inv(SCHOOL.x, SCHOOL.y, point.x, point.y)
    return dist, az % 360


def test_one_direction_gives_a_point_at_the_reported_distance():
    result = derive_water_geometry(SCHOOL, parse_distance("学校北 400 米"))
    dist, az = _dist_az(result.geometry)
    assert result.shape == "point" and dist == pytest.approx(400, abs=0.01) and az == pytest.approx(0, abs=1e-6)
    east = derive_water_geometry(SCHOOL, parse_distance("西南 300 米")).geometry
    assert _dist_az(east)[1] == pytest.approx(225, abs=1e-6)


def test_nanbei_gives_two_points():
    result = derive_water_geometry(SCHOOL, parse_distance("南北 200 米"))
    assert result.shape == "points"
    (d1, a1), (d2, a2) = (_dist_az(p) for p in result.geometry.geoms)
    assert d1 == pytest.approx(200, abs=0.01) and d2 == pytest.approx(200, abs=0.01)
    assert {round(a1), round(a2)} == {0, 180}


def test_no_direction_gives_a_ring_of_that_radius():
    result = derive_water_geometry(SCHOOL, parse_distance("1500 米"))
    assert result.shape == "ring" and result.geometry.is_ring
    for x, y in result.geometry.coords:
        assert _dist_az(Point(x, y))[0] == pytest.approx(1500, abs=0.01)


def test_a_range_gives_two_rings():
    result = derive_water_geometry(SCHOOL, parse_distance("600 米"), distance_max_m=2000)
    radii = sorted(round(_dist_az(Point(ring.coords[0]))[0]) for ring in result.geometry.geoms)
    assert result.shape == "rings" and radii == [600, 2000]


def test_gate_and_unknown():
    gate = derive_water_geometry(SCHOOL, parse_distance("校门口"))
    assert gate.shape == "gate" and gate.geometry.equals(SCHOOL)
    unknown = derive_water_geometry(SCHOOL, parse_distance("学校向南"))
    assert unknown.geometry is None and "未报距离" in unknown.explanation
