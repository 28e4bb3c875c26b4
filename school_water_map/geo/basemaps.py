"""Basemaps: none (offline), the bureau's own offline tiles, OpenStreetMap, 天地图 vector and imagery, 高德
vector and imagery.

A basemap declares the coordinate system its tiles are drawn in. 天地图 is CGCS2000 (≈ WGS-84, the
stored coordinates); 高德 is GCJ-02, so overlays are shifted to GCJ-02 to line up with it and a click
on it is read as GCJ-02. 天地图 needs a key (``SWMAP_TIANDITU_KEY``): without one it is not offered.
With no network no online tile loads: the map then stands on the repository's own context layers, or on
the bureau's offline tiles (``local``: served by the app itself, in the coordinate system declared for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from school_water_map.geo.crs import GCJ02, WGS84
from school_water_map.geo.tile_source import TileSource


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18
    max_native_zoom: int | None = None  # the deepest zoom with tiles; deeper ones enlarge it (None: max_zoom)


@dataclass(frozen=True)
class Basemap:
    code: str
    label: str
    crs: str  # the coordinate system the tiles are drawn in: WGS84 or GCJ02
    tiles: tuple[Tiles, ...] = ()  # bottom first (imagery, then labels)
    needs_key: bool = False
    imagery: bool = False  # good enough to place a school by eye


OFFLINE = "none"
LOCAL = "local"
_TDT = ("https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%s&STYLE=default"
        "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%s")
_TDT_ATTRIBUTION = "&copy; 天地图（国家地理信息公共服务平台）"
_AMAP_ATTRIBUTION = "&copy; 高德地图"


def basemaps(tianditu_key: str = "", *, local: Sequence[Basemap] = ()) -> list[Basemap]:
    """The basemaps on offer, the offline one first, then ``local`` (the bureau's tiles); 天地图 only with a key."""
    offer = [
        Basemap(OFFLINE, "无底图（离线）", WGS84),
        *local,
        Basemap("osm", "OpenStreetMap", WGS84, (Tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                                      "&copy; OpenStreetMap 贡献者", subdomains="", max_zoom=19),)),
    ]
    if tianditu_key:
        offer += [
            Basemap("tianditu_vec", "天地图 矢量", WGS84, _tianditu("vec", "cva", tianditu_key), needs_key=True),
            Basemap("tianditu_img", "天地图 影像", WGS84, _tianditu("img", "cia", tianditu_key), needs_key=True,
                    imagery=True),
        ]
    offer += [
        Basemap("amap_vec", "高德 矢量", GCJ02, (Tiles(
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            _AMAP_ATTRIBUTION, subdomains="1234"),)),
        Basemap("amap_img", "高德 影像", GCJ02, (
            Tiles("https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}", _AMAP_ATTRIBUTION,
                  subdomains="1234"),
            Tiles("https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}", _AMAP_ATTRIBUTION,
                  subdomains="1234"),
        ), imagery=True),
    ]
    return offer


def local_basemap(source: TileSource, url: str) -> Basemap:
    """The bureau's offline tiles as a basemap: ``url`` is where the app serves them (Leaflet's template)."""
    what = "离线影像" if source.imagery else "离线地图"
    about = [part for part in (source.name, "GCJ-02" if source.crs == GCJ02 else "") if part]  # WGS-84: unsaid
    return Basemap(LOCAL, f"{what}（{'，'.join(about)}）" if about else what, source.crs,
                   (Tiles(url, f"{what}：本单位提供", subdomains="", max_zoom=max(18, source.max_zoom),
                          max_native_zoom=source.max_zoom),), imagery=source.imagery)


def choose(code: str | None, tianditu_key: str = "", *, local: Sequence[Basemap] = ()) -> tuple[Basemap, str]:
    """The basemap for ``code``, or the offline one with a Chinese reason when it is not on offer."""
    offer = {b.code: b for b in basemaps(tianditu_key, local=local)}
    if code is None or code in offer:
        return offer[code or OFFLINE], ""
    if code == LOCAL:
        return offer[OFFLINE], "离线底图未设置或无法读取（见“设置”页），已改用无底图（离线）"
    if code.startswith("tianditu"):
        return offer[OFFLINE], "未设置天地图密钥（环境变量 SWMAP_TIANDITU_KEY），已改用无底图（离线）"
    return offer[OFFLINE], f"未知的底图“{code}”，已改用无底图（离线）"


def _tianditu(layer: str, labels: str, key: str) -> tuple[Tiles, ...]:
    return (Tiles(_TDT % (layer, layer, key), _TDT_ATTRIBUTION, subdomains="01234567"),
            Tiles(_TDT % (labels, labels, key), _TDT_ATTRIBUTION, subdomains="01234567"))
