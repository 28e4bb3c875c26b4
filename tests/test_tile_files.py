"""Reading the bureau's offline tiles from disk: a folder of XYZ tiles and an MBTiles file generated here
(tests/tile_sets.py), the checks when one is opened, and one tile read by its XYZ address."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from school_water_map.geo.crs import GCJ02, WGS84
from school_water_map.geo.tile_source import MBTILES, XYZ, TileSourceError
from school_water_map.io.tile_files import open_tile_source, read_tile
from tests.tile_sets import EAST, NORTH, SOUTH, WEST, ZOOMS, make_tiles, tile_xy, write_mbtiles, write_xyz

TILES = make_tiles()
LITONG = {z: tile_xy(106.2, 37.98, z) for z in ZOOMS}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_xyz(tmp_path / "xyz", TILES)


@pytest.fixture
def mbtiles(tmp_path: Path) -> Path:
    return write_mbtiles(tmp_path / "litong.mbtiles", TILES)


def test_a_folder_of_xyz_tiles_opens_with_its_zoom_range_and_format(folder):
    source = open_tile_source(str(folder), crs=GCJ02, imagery=True)
    assert (source.kind, source.fmt, source.min_zoom, source.max_zoom) == (XYZ, "png", 8, 11)
    assert (source.crs, source.imagery, source.path) == (GCJ02, True, str(folder.resolve()))


def test_an_mbtiles_file_opens_with_its_metadata(mbtiles):
    source = open_tile_source(str(mbtiles), crs=WGS84, imagery=False)
    assert (source.kind, source.fmt, source.min_zoom, source.max_zoom, source.name) == (MBTILES, "png", 8, 11,
                                                                                         "利通区影像")
    assert source.bounds == (WEST, SOUTH, EAST, NORTH)


def test_an_mbtiles_file_without_zooms_in_its_metadata_takes_them_from_its_tiles(tmp_path):
    path = write_mbtiles(tmp_path / "bare.mbtiles", TILES, metadata={"format": "png"})
    source = open_tile_source(str(path), crs=WGS84, imagery=True)
    assert (source.min_zoom, source.max_zoom, source.name) == (8, 11, "bare")


@pytest.mark.parametrize("z", ZOOMS)
def test_both_forms_give_the_same_tile_for_one_xyz_address(folder, mbtiles, z):
    """MBTiles keeps TMS rows: without the flip the row below Litong's would come back (or none)."""
    x, y = LITONG[z]
    from_folder = read_tile(open_tile_source(str(folder), crs=WGS84, imagery=True), z, x, y)
    from_mbtiles = read_tile(open_tile_source(str(mbtiles), crs=WGS84, imagery=True), z, x, y)
    assert from_folder == from_mbtiles == TILES[(z, x, y)]
    assert TILES[(z, x, y)] != TILES.get((z, x, y + 1))


def test_a_tile_the_source_lacks_is_none(folder, mbtiles):
    for path in (folder, mbtiles):
        source = open_tile_source(str(path), crs=WGS84, imagery=True)
        assert read_tile(source, 11, 0, 0) is None  # at a zoom it has, far from Litong
        assert read_tile(source, 12, *tile_xy(106.2, 37.98, 12)) is None  # deeper than it goes


def test_a_folder_tile_that_is_no_image_is_refused(folder):
    x, y = LITONG[10]
    (folder / "10" / str(x) / f"{y}.png").write_text("not an image")
    assert read_tile(open_tile_source(str(folder), crs=WGS84, imagery=True), 10, x, y) is None


def test_a_folder_tile_linked_from_outside_the_folder_is_refused(folder, tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(TILES[(10, *LITONG[10])])
    x, y = LITONG[10]
    tile = folder / "10" / str(x) / f"{y}.png"
    tile.unlink()
    os.symlink(outside, tile)
    assert read_tile(open_tile_source(str(folder), crs=WGS84, imagery=True), 10, x, y) is None


def test_a_jpeg_folder_is_served_as_jpeg(tmp_path):
    path = write_xyz(tmp_path / "jpg", make_tiles((9, 10), fmt="jpg"), fmt="jpg")
    source = open_tile_source(str(path), crs=WGS84, imagery=True)
    assert (source.fmt, source.min_zoom, source.max_zoom) == ("jpg", 9, 10)
    assert read_tile(source, 10, *LITONG[10]) is not None


def _text(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text("hello")
    return path


def _corrupt_sample(tmp_path: Path) -> Path:
    return write_mbtiles(tmp_path / "text.mbtiles", {(10, 1, 1): b"<html>not a tile</html>"})


def _no_metadata_table(tmp_path: Path) -> Path:
    path = tmp_path / "plain.mbtiles"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE other (a)")
    return path


@pytest.mark.parametrize(("make", "says"), [
    (lambda tmp: tmp / "missing", "不存在"),
    (lambda _tmp: Path("relative/tiles"), "应为完整路径"),
    (lambda tmp: _text(tmp, "notes.txt"), "既不是瓦片文件夹"),
    (lambda tmp: _text(tmp, "fake.mbtiles"), "既不是瓦片文件夹"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "中没有瓦片"),
    (lambda tmp: _no_metadata_table(tmp), "不是有效的 MBTiles 文件"),
    (lambda tmp: _corrupt_sample(tmp), "不是 PNG 或 JPEG 图片"),
    (lambda tmp: write_mbtiles(tmp / "vector.mbtiles", TILES, metadata={"format": "pbf"}), "“pbf”不受支持"),
    (lambda tmp: write_mbtiles(tmp / "jpg.mbtiles", TILES, metadata={"format": "jpg"}),
     "是 png 图片，与声明的格式 jpg 不符"),
    (lambda tmp: write_mbtiles(tmp / "none.mbtiles", {}, metadata={"format": "png"}), "中没有瓦片"),
])
def test_what_is_no_tile_source_is_refused_naming_the_path(tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(TileSourceError, match=says) as caught:
        open_tile_source(str(path), crs=WGS84, imagery=True)
    assert f"离线底图“{path}”" in str(caught.value)


def test_an_mbtiles_file_is_never_written(mbtiles):
    before = mbtiles.stat().st_mtime_ns, mbtiles.read_bytes()
    source = open_tile_source(str(mbtiles), crs=WGS84, imagery=True)
    read_tile(source, 10, *LITONG[10])
    assert (mbtiles.stat().st_mtime_ns, mbtiles.read_bytes()) == before
    assert not Path(f"{mbtiles}-journal").exists()
