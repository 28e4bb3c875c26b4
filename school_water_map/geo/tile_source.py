"""The bureau's own offline tiles (pure): what a tile source is, how a tile is addressed, and the checks on
what a folder or an MBTiles file declares.

A tile source is a folder of XYZ tiles (``{z}/{x}/{y}.png`` or ``.jpg``, as QGIS "Generate XYZ tiles
(Directory)" writes them) or an MBTiles file (QGIS "Generate XYZ tiles (MBTiles)"). Both are Web Mercator
tiles; the coordinate system they were drawn in (WGS-84, or GCJ-02 for imagery taken from a Chinese web
map) is declared by the bureau, and whether they are imagery (good enough to place a school by eye).

Addressing: the map asks for XYZ tiles (row 0 at the top); MBTiles stores TMS rows (row 0 at the
bottom), so a row is flipped once, in ``mbtiles_row``. A tile is asked for by one strict name
(``tile_name``) that carries nothing but the source's token and three integers: no path from a
request ever reaches the file system.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from school_water_map.errors import SettingsError

XYZ, MBTILES = "xyz", "mbtiles"
FORMATS = ("png", "jpg")
MAX_ZOOM = 22
#: A tile as the map asks for it: ``swtiles/<token>/<z>/<x>/<y>.<png|jpg>`` (nothing else is a tile).
_NAME = re.compile(r"swtiles/([0-9a-f]{16})/([0-9]{1,2})/([0-9]{1,8})/([0-9]{1,8})\.(png|jpg)", re.ASCII)
_PNG, _JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
_FORMAT_NAMES = {"png": "png", "jpg": "jpg", "jpeg": "jpg"}


class TileSourceError(SettingsError):
    """A tile source that cannot be used (names the path or the value)."""


@dataclass(frozen=True)
class TileSource:
    """A checked tile source: where it is, what it holds, and what the bureau declared about it."""

    path: str  # the folder or the .mbtiles file, absolute
    kind: str  # XYZ or MBTILES
    crs: str  # the coordinate system the tiles are drawn in: WGS84 or GCJ02 (declared)
    imagery: bool  # declared imagery: good enough to place a school by eye
    fmt: str  # png or jpg
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None = None  # west, south, east, north (MBTiles metadata)
    name: str = ""

    @property
    def token(self) -> str:
        """A short stable name of the source in tile addresses (a new path or kind: a new token)."""
        return hashlib.sha256(f"{self.kind}:{self.path}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TileRequest:
    token: str
    z: int
    x: int
    y: int  # XYZ row: 0 at the top
    fmt: str


def tile_name(source: TileSource, *, z: int | str = "{z}", x: int | str = "{x}", y: int | str = "{y}") -> str:
    """The name a tile is asked for by (with the defaults: Leaflet's template, ``{z}/{x}/{y}`` left in)."""
    return f"swtiles/{source.token}/{z}/{x}/{y}.{source.fmt}"


def parse_tile_name(name: str) -> TileRequest | None:
    """The tile a name asks for, or None for anything that is not exactly a tile's name with a tile that
    can exist (``0 ≤ x, y < 2^z``, ``z ≤ MAX_ZOOM``)."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    token, z, x, y, fmt = match.groups()
    request = TileRequest(token, int(z), int(x), int(y), fmt)
    if request.z > MAX_ZOOM or request.x >= 1 << request.z or request.y >= 1 << request.z:
        return None
    return request


def mbtiles_row(z: int, y: int) -> int:
    """The MBTiles (TMS) row of the XYZ row ``y`` at zoom ``z``: TMS counts from the bottom."""
    return (1 << z) - 1 - y


def image_format(data: bytes) -> str | None:
    """png or jpg from the first bytes of a tile, None for anything else."""
    if data.startswith(_PNG):
        return "png"
    if data.startswith(_JPEG):
        return "jpg"
    return None


def zoom_levels(names: Iterable[str]) -> list[int]:
    """The zoom levels among a folder's entries (``0`` … ``22``), sorted; other names are ignored."""
    return sorted(int(n) for n in names if n.isascii() and n.isdigit() and len(n) <= 2 and int(n) <= MAX_ZOOM)


def tile_format(text: str, where: str) -> str:
    """A tile format as MBTiles metadata or a file name gives it (``png``, ``jpg``, ``jpeg``)."""
    fmt = _FORMAT_NAMES.get(text.strip().lower())
    if fmt is None:
        raise TileSourceError(f"{where}的瓦片格式“{text}”不受支持：只支持 png 或 jpg 栅格瓦片"
                              "（QGIS 生成时请选 PNG 或 JPG，不要选矢量瓦片）")
    return fmt


def zoom_range(low: int, high: int, where: str) -> tuple[int, int]:
    """Checked zoom levels: ``0 ≤ low ≤ high ≤ MAX_ZOOM``."""
    if not 0 <= low <= high <= MAX_ZOOM:
        raise TileSourceError(f"{where}的缩放级别范围“{low}–{high}”无效：应在 0–{MAX_ZOOM} 之间，"
                              "且最小级别不大于最大级别")
    return low, high


def metadata(rows: Mapping[str, str], where: str) -> tuple[str, tuple[int, int] | None,
                                                            tuple[float, float, float, float] | None, str]:
    """What an MBTiles ``metadata`` table declares: format, zoom range (None when not given) and bounds
    (west, south, east, north; None when not given), and its name; each checked."""
    if "format" not in rows:
        raise TileSourceError(f"{where}的 metadata 表缺少 format（瓦片格式）：请用 QGIS 重新生成 MBTiles")
    fmt = tile_format(rows["format"], where)
    zooms = None
    if rows.get("minzoom", "").strip() and rows.get("maxzoom", "").strip():
        try:
            low, high = int(rows["minzoom"]), int(rows["maxzoom"])
        except ValueError as exc:
            raise TileSourceError(f"{where}的缩放级别“{rows['minzoom']}–{rows['maxzoom']}”不是整数") from exc
        zooms = zoom_range(low, high, where)
    bounds = _bounds(rows["bounds"], where) if rows.get("bounds", "").strip() else None
    return fmt, zooms, bounds, rows.get("name", "").strip()


def covers(source: TileSource, lon: float, lat: float) -> bool:
    """Whether the source's declared bounds hold a point (True when it declares none)."""
    if source.bounds is None:
        return True
    west, south, east, north = source.bounds
    return west <= lon <= east and south <= lat <= north


def _bounds(text: str, where: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise TileSourceError(f"{where}的范围 bounds“{text}”无效：应为“西,南,东,北”四个经纬度数字") from exc
    if not (-180 <= west < east <= 180 and -85.06 <= south < north <= 85.06):
        raise TileSourceError(f"{where}的范围 bounds“{text}”无效：应为“西,南,东,北”，西小于东、南小于北，"
                              "经度在 ±180、纬度在 ±85 以内")
    return west, south, east, north
