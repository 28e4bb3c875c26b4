from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from school_water_map.errors import PositionError
from school_water_map.geo.crs import (
    bd09_to_gcj02,
    crs_code,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    metric_crs,
    to_wgs84,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")
# Published reference pairs (wgs lon, wgs lat, gcj lon, gcj lat), from the eviltransform test suite.
REFERENCE = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]


@pytest.mark.parametrize(("lon", "lat", "glon", "glat"), REFERENCE)
def test_wgs_to_gcj_matches_published_values(lon, lat, glon, glat):
    out = wgs84_to_gcj02(lon, lat)
    assert out[0] == pytest.approx(glon, abs=1e-7) and out[1] == pytest.approx(glat, abs=1e-7)


def test_gcj_bd_match_gcoord_published_values():
    lon, lat = gcj02_to_wgs84(123, 45)
    assert (lon, lat) == (pytest.approx(122.99395597, abs=5e-6), pytest.approx(44.99804071, abs=5e-6))
    blon, blat = gcj02_to_bd09(123, 45)
    assert (blon, blat) == (pytest.approx(123.00636499, abs=1e-7), pytest.approx(45.00636899, abs=1e-7))


def test_shift_at_litong_is_about_390_m_east():
    glon, glat = wgs84_to_gcj02(106.2, 37.98)
    az, _, dist = GEOD.inv(106.2, 37.98, float(glon), float(glat))
    assert 370 < dist < 410 and 70 < az < 90
    blon, blat = from_wgs84(106.2, 37.98, "BD09")
    assert GEOD.inv(106.2, 37.98, float(blon), float(blat))[2] > 1000


@given(lon=st.floats(73.7, 135.0), lat=st.floats(3.9, 53.5))
@settings(max_examples=300, deadline=None)
def test_round_trips_are_below_a_millimetre(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert GEOD.inv(lon, lat, float(back[0]), float(back[1]))[2] < 1e-3
    bd = gcj02_to_bd09(lon, lat)
    gl = bd09_to_gcj02(*bd)
    assert GEOD.inv(lon, lat, float(gl[0]), float(gl[1]))[2] < 1e-3


def test_vectorised_and_declared_crs():
    lons, lats = np.array([106.1, 106.3]), np.array([37.9, 38.0])
    for name in ("gcj-02", "高德", "BD-09", "wgs84", "EPSG:4326"):
        wl, wa = to_wgs84(*from_wgs84(lons, lats, name), name)
        assert np.allclose(wl, lons, atol=1e-9) and np.allclose(wa, lats, atol=1e-9)


def test_outside_china_is_unchanged():
    assert tuple(map(float, wgs84_to_gcj02(2.35, 48.85))) == (2.35, 48.85)


def test_bad_input_gets_chinese_errors():
    with pytest.raises(PositionError, match="未知的坐标系"):
        crs_code("mercator")
    with pytest.raises(PositionError, match="超出范围"):
        to_wgs84(200, 37, "wgs84")
    with pytest.raises(PositionError, match="有限的数值"):
        to_wgs84(float("nan"), 37, "wgs84")


def test_metric_crs_is_the_utm_zone():
    assert metric_crs(106.2, 37.98).to_epsg() == 32648
