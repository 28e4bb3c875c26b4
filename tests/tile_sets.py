"""Small tile sets made by the tests themselves (never shipped): a few zoom levels of 256 px tiles around
利通区, each tile a colour of its own (its zoom, column and row in it), written as a folder of XYZ tiles
(``{z}/{x}/{y}.png``) or as an MBTiles file (TMS rows, through sqlite3) as QGIS writes them."""

from __future__ import annotations

import io
import math
import sqlite3
from contextlib import closing
from pathlib import Path

from PIL import Image, ImageDraw

#: Around the district (106.2E 37.98N): the map opens on its outline at zoom 10 or so.
WEST, SOUTH, EAST, NORTH = 105.5, 37.5, 106.9, 38.4
ZOOMS = (8, 9, 10, 11)
Tiles = dict[tuple[int, int, int], bytes]


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile (row 0 at the top) holding ``lon, lat`` at zoom ``z``."""
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def colour(z: int, x: int, y: int) -> tuple[int, int, int]:
    """The one colour of tile ``z/x/y`` (so a test can tell any two tiles apart)."""
    return (40 + z * 17) % 256, (x * 37) % 256, (y * 53) % 256


def make_tiles(zooms: tuple[int, ...] = ZOOMS, fmt: str = "png") -> Tiles:
    """Every tile of ``zooms`` covering the district's box, as PNG (or JPEG) bytes."""
    tiles: Tiles = {}
    for z in zooms:
        (x0, y0), (x1, y1) = tile_xy(WEST, NORTH, z), tile_xy(EAST, SOUTH, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                tiles[(z, x, y)] = _image(z, x, y, fmt)
    return tiles


def write_xyz(folder: Path, tiles: Tiles, fmt: str = "png") -> Path:
    """``tiles`` as ``folder/{z}/{x}/{y}.png`` (QGIS "Generate XYZ tiles (Directory)")."""
    for (z, x, y), data in tiles.items():
        path = folder / str(z) / str(x) / f"{y}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def write_mbtiles(path: Path, tiles: Tiles, *, metadata: dict[str, str] | None = None, fmt: str = "png") -> Path:
    """``tiles`` as an MBTiles file: TMS rows, and the metadata QGIS writes (or ``metadata`` instead)."""
    zooms = sorted({z for z, _, _ in tiles})
    rows = metadata if metadata is not None else {
        "name": "利通区影像", "format": fmt, "minzoom": str(zooms[0]), "maxzoom": str(zooms[-1]),
        "bounds": f"{WEST},{SOUTH},{EAST},{NORTH}", "type": "baselayer"}
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        db.executemany("INSERT INTO metadata VALUES (?, ?)", rows.items())
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                       [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()])
    return path


def _image(z: int, x: int, y: int, fmt: str) -> bytes:
    image = Image.new("RGB", (256, 256), colour(z, x, y))
    ImageDraw.Draw(image).rectangle((0, 0, 255, 255), outline=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG" if fmt == "png" else "JPEG")
    return out.getvalue()
