"""Reading the bureau's offline tiles: opening and checking a folder of XYZ tiles or an MBTiles file once
(``open_tile_source``), and reading one tile of it (``read_tile``).

A tile is read only by its three integers, from inside the source: a folder tile whose real path leaves
the folder (a symbolic link) is refused, and so is any file that is not a PNG or JPEG image. MBTiles is
opened read-only (SQLite ``mode=ro``), one short connection per read.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from school_water_map.geo.tile_source import (
    MBTILES,
    XYZ,
    TileSource,
    TileSourceError,
    image_format,
    mbtiles_row,
    metadata,
    tile_format,
    zoom_levels,
    zoom_range,
)

TILE_BYTES = 4 * 1024 * 1024  # one tile (a 256 px PNG is about 20–100 KB)
_SQLITE = b"SQLite format 3\x00"


def open_tile_source(path: str, *, crs: str, imagery: bool) -> TileSource:
    """The tile source at ``path`` (a folder of XYZ tiles or an ``.mbtiles`` file), checked: it exists, its
    zoom levels, format and bounds are valid and a first tile is a readable PNG or JPEG. Raises
    ``TileSourceError`` naming the path."""
    where = f"离线底图“{path}”"
    given = Path(path.strip())
    if not given.is_absolute():
        raise TileSourceError(f"{where}无效：应为完整路径，如 /srv/swmap/litong.mbtiles 或 D:\\瓦片\\利通区")
    if not given.exists():
        raise TileSourceError(f"{where}不存在：请检查路径，并确认运行本系统的账户可以读取")
    root = given.resolve()
    if root.is_dir():
        return _open_folder(root, where, crs=crs, imagery=imagery)
    if root.is_file() and _head(root) == _SQLITE:
        return _open_mbtiles(root, where, crs=crs, imagery=imagery)
    raise TileSourceError(f"{where}既不是瓦片文件夹（{{z}}/{{x}}/{{y}}.png），也不是 MBTiles 文件")


def read_tile(source: TileSource, z: int, x: int, y: int) -> bytes | None:
    """The tile at XYZ ``z/x/y`` as image bytes, or None when the source has none there (or what is there
    is not an image of the source's format)."""
    if not source.min_zoom <= z <= source.max_zoom:
        return None
    data = _folder_tile(source, z, x, y) if source.kind == XYZ else _mbtiles_tile(source, z, x, y)
    if data is None or len(data) > TILE_BYTES or image_format(data) != source.fmt:
        return None
    return data


def _open_folder(root: Path, where: str, *, crs: str, imagery: bool) -> TileSource:
    zooms = zoom_levels(entry.name for entry in root.iterdir() if entry.is_dir())
    first = next((tile for z in zooms for tile in _tiles_at(root / str(z))), None)
    if first is None:
        raise TileSourceError(f"{where}中没有瓦片：应含 {{z}}/{{x}}/{{y}}.png 或 .jpg 结构的文件夹"
                              "（QGIS“生成 XYZ 瓦片（目录）”的输出文件夹）")
    fmt = tile_format(first.suffix.lstrip("."), where)
    _check_image(first.read_bytes()[:16], fmt, f"{where}中的瓦片“{first.relative_to(root)}”")
    low, high = zoom_range(zooms[0], zooms[-1], where)
    return TileSource(str(root), XYZ, crs, imagery, fmt, low, high, name=root.name)


def _tiles_at(zoom_dir: Path) -> list[Path]:
    """One tile of a zoom level's folder (the first column's first row), or none."""
    for column in sorted(p for p in zoom_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        rows = sorted(p for p in column.iterdir() if p.is_file() and p.stem.isdigit()
                      and p.suffix in (".png", ".jpg"))
        if rows:
            return rows[:1]
    return []


def _open_mbtiles(path: Path, where: str, *, crs: str, imagery: bool) -> TileSource:
    try:
        with closing(_connect(path)) as db:
            rows = {str(k): str(v) for k, v in db.execute("SELECT name, value FROM metadata")}
            fmt, zooms, bounds, name = metadata(rows, where)
            if zooms is None:
                low, high = db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
                if low is None:
                    raise TileSourceError(f"{where}中没有瓦片（tiles 表为空）")
                zooms = zoom_range(int(low), int(high), where)
            sample = db.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise TileSourceError(f"{where}不是有效的 MBTiles 文件（缺少 metadata 或 tiles 表，或文件已损坏）") from exc
    if sample is None:
        raise TileSourceError(f"{where}中没有瓦片（tiles 表为空）")
    _check_image(bytes(sample[0])[:16], fmt, f"{where}中的瓦片")
    return TileSource(str(path), MBTILES, crs, imagery, fmt, zooms[0], zooms[1], bounds, name or path.stem)


def _check_image(head: bytes, fmt: str, where: str) -> None:
    found = image_format(head)
    if found is None:
        raise TileSourceError(f"{where}不是 PNG 或 JPEG 图片，无法作为底图")
    if found != fmt:
        raise TileSourceError(f"{where}是 {found} 图片，与声明的格式 {fmt} 不符")


def _folder_tile(source: TileSource, z: int, x: int, y: int) -> bytes | None:
    root = Path(source.path)
    tile = root / str(z) / str(x) / f"{y}.{source.fmt}"
    try:
        real = tile.resolve(strict=True)
        if not real.is_relative_to(root) or not real.is_file() or real.stat().st_size > TILE_BYTES:
            return None
        return real.read_bytes()
    except OSError:
        return None


def _mbtiles_tile(source: TileSource, z: int, x: int, y: int) -> bytes | None:
    try:
        with closing(_connect(Path(source.path))) as db:
            row = db.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                             (z, x, mbtiles_row(z, y))).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else bytes(row[0])


def _connect(path: Path) -> sqlite3.Connection:
    """``path`` opened read-only (never created, never written)."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(len(_SQLITE))
    except OSError:
        return b""
