from __future__ import annotations

import pytest

from school_water_map.errors import PositionError
from school_water_map.geo.coordinates import format_dms, parse_angle, parse_lonlat

DMS_37 = 37 + 59 / 60 + 15 / 3600


@pytest.mark.parametrize(("text", "axis", "expected"), [
    ("106.2035", "lon", 106.2035),
    ("  37.9875 ", "lat", 37.9875),
    ("-0.5", "lat", -0.5),
    ("+106.2", "lon", 106.2),
    ("37°59′15″N", "lat", DMS_37),
    ("37°59'15\"N", "lat", DMS_37),
    ("37°59′15″", "lat", DMS_37),
    ("37 59 15", "lat", DMS_37),
    ("37:59:15", "lat", DMS_37),
    ("37°59.25′N", "lat", DMS_37),
    ("北纬37度59分15秒", "lat", DMS_37),
    ("37度59分15秒北", "lat", DMS_37),
    ("37 ° 59 ′ 15 ″ n", "lat", DMS_37),
    ("E106°12′", "lon", 106.2),
    ("东经106°12′00″", "lon", 106.2),
    ("１０６．２", "lon", 106.2),
    ("37°59′15″S", "lat", -DMS_37),
    ("西经0°30′", "lon", -0.5),
    ("37°59′15.5″N", "lat", 37 + 59 / 60 + 15.5 / 3600),
])
def test_accepted_forms(text, axis, expected):
    assert parse_angle(text, axis=axis) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("text", "axis", "message"), [
    ("", "lon", "请填写经度"),
    ("abc", "lat", "纬度“abc”无法识别"),
    ("106.2N", "lon", "经度栏填写的“106.2N”是纬度（N），请检查是否填反"),
    ("37.9E", "lat", "是经度（E）"),
    ("37°79′", "lat", "分应小于 60"),
    ("37°59′75″", "lat", "秒应小于 60"),
    ("37.5°30′", "lat", "度带小数时不能再写分秒"),
    ("37°30.5′15″", "lat", "分带小数时不能再写秒"),
    ("-37N", "lat", "同时写了正负号和方位"),
    ("北纬37°N", "lat", "写了两个方位"),
    ("200", "lon", "超出范围"),
    ("91", "lat", "超出范围"),
    ("37″", "lat", "无法识别"),
    ("1e2", "lon", "无法识别"),
])
def test_refused_forms_say_why_in_chinese(text, axis, message):
    with pytest.raises(PositionError, match=message):
        parse_angle(text, axis=axis)


def test_parse_lonlat_checks_each_box():
    assert parse_lonlat("106°12′", "37.9875") == pytest.approx((106.2, 37.9875))
    with pytest.raises(PositionError, match="请填写纬度"):
        parse_lonlat("106.2", "")


@pytest.mark.parametrize(("value", "axis", "text"), [
    (DMS_37, "lat", "37°59′15.0″N"),
    (-DMS_37, "lat", "37°59′15.0″S"),
    (106.2, "lon", "106°12′00.0″E"),
    (106.2 - 1e-12, "lon", "106°12′00.0″E"),  # rounding never gives 60 seconds
])
def test_format_dms_round_trips(value, axis, text):
    assert format_dms(value, axis=axis) == text
    assert parse_angle(text, axis=axis) == pytest.approx(value, abs=1 / 36000)
