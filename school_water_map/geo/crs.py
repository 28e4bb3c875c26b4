"""Coordinate systems: WGS-84 ↔ GCJ-02 ↔ BD-09, and the metric CRS for distances.

Stored coordinates are WGS-84 lon/lat. 高德/腾讯 give GCJ-02 and 百度 BD-09: convert on the way in,
and convert WGS-84 → GCJ-02 only to draw on a GCJ-02 basemap.

GCJ-02 is a published forward formula with no closed-form inverse. The common one-step inverse found
in small packages is off by up to a few metres; here the inverse is solved by fixed-point iteration
on the forward formula to below a millimetre, vectorised with numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from school_water_map.errors import PositionError

Floats = npt.NDArray[np.float64]
ArrayLike = float | npt.ArrayLike

WGS84 = "WGS84"
GCJ02 = "GCJ02"
BD09 = "BD09"
#: Accepted spellings of each coordinate system (CGCS2000 differs from WGS-84 by centimetres).
CRS_NAMES = {
    WGS84: ("wgs84", "wgs-84", "wgs 84", "epsg:4326", "4326", "cgcs2000", "epsg:4490", "gps", "天地图"),
    GCJ02: ("gcj02", "gcj-02", "gcj", "高德", "腾讯", "amap", "火星坐标"),
    BD09: ("bd09", "bd-09", "bd09ll", "百度", "baidu"),
}
CRS_ZH = {WGS84: "WGS-84（GPS/天地图）", GCJ02: "GCJ-02（高德/腾讯）", BD09: "BD-09（百度）"}

_A = 6378245.0  # Krasovsky semi-major axis, as the GCJ-02 formula uses
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_TOLERANCE_DEG = 1e-10  # ≈ 0.01 mm
_MAX_ITERATIONS = 30


def crs_code(name: str) -> str:
    """Normalise a CRS name (``"gcj-02"``, ``"高德"``, ``"EPSG:4326"`` …) to WGS84, GCJ02 or BD09."""
    folded = (name or "").strip().lower().replace("_", "")
    for code, spellings in CRS_NAMES.items():
        if folded == code.lower() or folded in spellings:
            return code
    raise PositionError(f"未知的坐标系“{name}”：请填写 WGS-84、GCJ-02 或 BD-09")


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[Floats, Floats]:
    """Convert coordinates declared in ``crs`` to WGS-84."""
    code = crs_code(crs)
    if code == GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if code == BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    return _arrays(lon, lat)


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[Floats, Floats]:
    """Convert WGS-84 coordinates to ``crs`` (to draw on a GCJ-02 or BD-09 basemap)."""
    code = crs_code(crs)
    if code == GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if code == BD09:
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    return _arrays(lon, lat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    """The published GCJ-02 forward formula; points outside China are returned unchanged."""
    x, y = _arrays(lon, lat)
    dlon, dlat = _gcj_delta(x, y)
    inside = _in_china(x, y)
    return np.where(inside, x + dlon, x), np.where(inside, y + dlat, y)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration (converges to < 0.01 mm)."""
    return _invert(wgs84_to_gcj02, *_arrays(lon, lat))


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    """Baidu's published GCJ-02 → BD-09 formula."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    """Invert :func:`gcj02_to_bd09` by fixed-point iteration."""
    return _invert(gcj02_to_bd09, *_arrays(lon, lat))


def metric_crs(lon: float, lat: float) -> CRS:
    """The UTM zone CRS for a place, for distances in metres (WGS-84 datum)."""
    infos = query_utm_crs_info(datum_name="WGS 84",
                               area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    if not infos:
        raise PositionError(f"无法为经度 {lon}、纬度 {lat} 选择投影坐标系")
    return CRS.from_epsg(int(infos[0].code))


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise PositionError("坐标必须是有限的数值")
    if np.any(np.abs(x) > 180) or np.any(np.abs(y) > 90):
        raise PositionError("坐标超出范围：经度应在 -180～180，纬度应在 -90～90")
    return x, y


def _in_china(lon: Floats, lat: Floats) -> npt.NDArray[np.bool_]:
    return (lon > 73.66) & (lon < 135.05) & (lat > 3.86) & (lat < 53.55)


def _gcj_delta(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def _invert(forward: Callable[[Floats, Floats], tuple[Floats, Floats]], lon: Floats, lat: Floats
            ) -> tuple[Floats, Floats]:
    guess_lon, guess_lat = lon.copy(), lat.copy()
    for _ in range(_MAX_ITERATIONS):
        fwd_lon, fwd_lat = forward(guess_lon, guess_lat)
        err_lon, err_lat = fwd_lon - lon, fwd_lat - lat
        guess_lon, guess_lat = guess_lon - err_lon, guess_lat - err_lat
        if np.all(np.abs(err_lon) < _TOLERANCE_DEG) and np.all(np.abs(err_lat) < _TOLERANCE_DEG):
            break
    return guess_lon, guess_lat
