from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from school_water_map.geo.distance import Tolerance, disagrees, nearby_water, pair_distances, pairs_within, to_metric

UTM48 = "EPSG:32648"


@pytest.mark.parametrize(("water", "expected"), [
    (LineString([(0, 100), (500, 100)]), 100.0),            # a canal 100 m north
    (Polygon([(300, -50), (400, -50), (400, 50), (300, 50)]), 300.0),  # a pond 300 m east
    (Point(0, -40), 40.0),
])
def test_pair_distance_is_to_the_nearest_point(water, expected):
    schools = gpd.GeoSeries([Point(0, 0)], index=[7], crs=UTM48)
    waters = gpd.GeoSeries([water], index=[7], crs=UTM48)
    assert pair_distances(schools, waters)[7] == pytest.approx(expected)


def test_pair_distance_refuses_degrees():
    schools = gpd.GeoSeries([Point(106.2, 37.9)], crs="EPSG:4326")
    with pytest.raises(ValueError, match="projected CRS"):
        pair_distances(schools, schools)


def test_to_metric_uses_a_utm_zone_and_keeps_metres_honest():
    pts = gpd.GeoSeries([Point(106.2, 37.9), Point(106.2, 37.91)], crs="EPSG:4326")
    metric = to_metric(pts)
    assert metric.crs.to_epsg() == 32648
    assert metric.iloc[0].distance(metric.iloc[1]) == pytest.approx(1110, rel=0.01)


@pytest.mark.parametrize(("computed", "reported", "far", "flag"), [
    (450, 400, None, False), (700, 400, None, True), (120, 10, None, True), (90, 10, None, False),
    (1500, 600, 2000, False), (3500, 600, 2000, True),
])
def test_disagreement_uses_the_declared_tolerance(computed, reported, far, flag):
    assert disagrees(computed, reported, far, Tolerance(metres=100, ratio=0.5)) is flag


def test_nearby_water_matches_brute_force():
    rng = np.random.default_rng(3)
    points = shapely.points(rng.uniform(0, 5000, (300, 2)))
    starts = rng.uniform(0, 5000, (400, 2))
    lines = [LineString([tuple(s), tuple(s + rng.uniform(-200, 200, 2))]) for s in starts]
    got = nearby_water(points, lines, 300.0, chunk=64)
    dist = np.array([[p.distance(line) for line in lines] for p in points])
    within = dist <= 300.0
    assert (got["count_within"].to_numpy() == within.sum(axis=1)).all()
    has = within.any(axis=1)
    assert np.allclose(got["distance_m"].to_numpy()[has], dist.min(axis=1)[has])
    assert (got["nearest"].to_numpy()[has] == dist.argmin(axis=1)[has]).all()
    assert (got["nearest"].to_numpy()[~has] == -1).all()


def test_nearby_water_ties_resolve_to_the_lowest_index():
    lines = [LineString([(10, -5), (10, 5)]), LineString([(-10, -5), (-10, 5)])]
    got = nearby_water([Point(0, 0)], lines, 50.0)
    assert got.loc[0, "nearest"] == 0 and got.loc[0, "count_within"] == 2
    assert isinstance(got, pd.DataFrame)


def test_pairs_within_lists_every_close_pair():
    lines = [LineString([(0, 150), (100, 150)]), LineString([(0, 500), (100, 500)]), Point(-30, 0)]
    got = pairs_within([Point(0, 0), Point(0, 480)], lines, 200.0).sort_values(["point", "feature"])
    assert got[["point", "feature"]].values.tolist() == [[0, 0], [0, 2], [1, 1]]
    assert got["distance_m"].tolist() == pytest.approx([150.0, 30.0, 20.0])
