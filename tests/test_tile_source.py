"""The offline tile source's pure part: tile names, XYZ → TMS rows, image kinds, MBTiles metadata."""

from __future__ import annotations

import pytest

from school_water_map.geo.basemaps import LOCAL, OFFLINE, basemaps, choose, local_basemap
from school_water_map.geo.crs import GCJ02, WGS84
from school_water_map.geo.tile_source import (
    MBTILES,
    XYZ,
    TileRequest,
    TileSource,
    TileSourceError,
    covers,
    image_format,
    mbtiles_row,
    metadata,
    parse_tile_name,
    tile_name,
    zoom_levels,
)

SOURCE = TileSource("/srv/tiles/litong", XYZ, WGS84, True, "png", 8, 11, name="利通区")
TOKEN = SOURCE.token


def test_a_tile_name_round_trips_and_the_template_keeps_leaflets_placeholders():
    assert tile_name(SOURCE) == f"swtiles/{TOKEN}/{{z}}/{{x}}/{{y}}.png"
    assert parse_tile_name(tile_name(SOURCE, z=10, x=816, y=391)) == TileRequest(TOKEN, 10, 816, 391, "png")


def test_the_token_differs_by_path_and_kind():
    other_path = TileSource("/srv/tiles/other", XYZ, WGS84, True, "png", 8, 11)
    other_kind = TileSource("/srv/tiles/litong", MBTILES, WGS84, True, "png", 8, 11)
    assert len({SOURCE.token, other_path.token, other_kind.token}) == 3


@pytest.mark.parametrize("name", [
    f"swtiles/{TOKEN}/../../../etc/passwd",
    f"swtiles/{TOKEN}/10/816/../391.png",
    f"swtiles/{TOKEN}/10/816/391.png/../x",
    "swtiles//etc/passwd",
    "/etc/passwd",
    f"/swtiles/{TOKEN}/10/816/391.png",
    f"swtiles/{TOKEN}/10/816/391.txt",
    f"swtiles/{TOKEN}/10/816/391.PNG",
    f"swtiles/{TOKEN}/10/816/-1.png",
    f"swtiles/{TOKEN}/10/816/391",
    f"swtiles/{TOKEN}/metadata.json",
    f"swtiles/{TOKEN}/10/816/391.png?x=1",
    f"swtiles/{TOKEN.upper()}/10/816/391.png",
    "swtiles/0123/10/816/391.png",
    f"swtiles/{TOKEN}/23/0/0.png",  # deeper than any tile set
    f"swtiles/{TOKEN}/3/8/0.png",  # column 8 does not exist at zoom 3 (0–7)
    f"swtiles/{TOKEN}/3/0/8.png",
    f"swtiles/{TOKEN}/10/８１６/391.png",  # full-width digits are no tile address
    f"swtiles/{TOKEN}\\10\\816\\391.png",
])
def test_anything_but_exactly_a_tile_name_is_refused(name):
    assert parse_tile_name(name) is None


@pytest.mark.parametrize(("z", "y", "row"), [(0, 0, 0), (1, 0, 1), (1, 1, 0), (10, 391, 632), (11, 783, 1264)])
def test_an_xyz_row_is_the_mbtiles_row_counted_from_the_bottom(z, y, row):
    assert mbtiles_row(z, y) == row
    assert mbtiles_row(z, mbtiles_row(z, y)) == y


@pytest.mark.parametrize(("head", "kind"), [(b"\x89PNG\r\n\x1a\nrest", "png"), (b"\xff\xd8\xff\xe0rest", "jpg"),
                                            (b"RIFF....WEBPVP8 ", None), (b"<svg", None), (b"", None),
                                            (b"SQLite format 3\x00", None)])
def test_only_png_and_jpeg_are_tiles(head, kind):
    assert image_format(head) == kind


def test_zoom_levels_are_the_numeric_folders_up_to_22():
    assert zoom_levels(["10", "8", "9", "tilemapresource.xml", "23", "01x", "doc", "11", "１２"]) == [8, 9, 10, 11]


def test_mbtiles_metadata_as_qgis_writes_it():
    fmt, zooms, bounds, name = metadata({"name": "利通区影像", "format": "jpg", "minzoom": "8", "maxzoom": "16",
                                         "bounds": "105.9,37.7,106.6,38.2"}, "离线底图“x”")
    assert (fmt, zooms, bounds, name) == ("jpg", (8, 16), (105.9, 37.7, 106.6, 38.2), "利通区影像")
    assert metadata({"format": "JPEG"}, "x")[:3] == ("jpg", None, None)


@pytest.mark.parametrize(("rows", "says"), [
    ({}, "缺少 format"),
    ({"format": "pbf"}, "“pbf”不受支持"),
    ({"format": "webp"}, "“webp”不受支持"),
    ({"format": "png", "minzoom": "12", "maxzoom": "8"}, "“12–8”无效"),
    ({"format": "png", "minzoom": "0", "maxzoom": "30"}, "“0–30”无效"),
    ({"format": "png", "minzoom": "八", "maxzoom": "9"}, "“八–9”不是整数"),
    ({"format": "png", "bounds": "106.6,37.7,105.9,38.2"}, "bounds“106.6,37.7,105.9,38.2”无效"),
    ({"format": "png", "bounds": "105.9,37.7,106.6"}, "bounds“105.9,37.7,106.6”无效"),
    ({"format": "png", "bounds": "105.9,37.7,206.6,38.2"}, "bounds“105.9,37.7,206.6,38.2”无效"),
])
def test_bad_metadata_is_refused_naming_the_file_and_the_value(rows, says):
    with pytest.raises(TileSourceError, match=says) as caught:
        metadata(rows, "离线底图“/srv/litong.mbtiles”")
    assert "/srv/litong.mbtiles" in str(caught.value)


def test_covers_uses_the_declared_bounds():
    bounded = TileSource("/x.mbtiles", MBTILES, WGS84, True, "png", 8, 11, (105.9, 37.7, 106.6, 38.2))
    assert covers(bounded, 106.2, 37.98) and not covers(bounded, 107.0, 37.98)
    assert covers(SOURCE, 0, 0)


@pytest.mark.parametrize(("crs", "imagery", "label"), [(WGS84, True, "离线影像（利通区）"),
                                                       (GCJ02, False, "离线地图（利通区，GCJ-02）")])
def test_the_local_basemap_declares_its_crs_and_imagery(crs, imagery, label):
    source = TileSource("/srv/tiles/litong", XYZ, crs, imagery, "png", 8, 11, name="利通区")
    basemap = local_basemap(source, "/media/" + tile_name(source))
    assert (basemap.code, basemap.label, basemap.crs, basemap.imagery) == (LOCAL, label, crs, imagery)
    assert basemap.tiles[0].max_native_zoom == 11 and basemap.tiles[0].max_zoom == 18
    assert basemap.tiles[0].url.startswith("/media/swtiles/")


def test_the_local_basemap_is_offered_after_the_offline_one_and_chosen_only_when_set():
    local = local_basemap(SOURCE, "/media/" + tile_name(SOURCE))
    assert [b.code for b in basemaps(local=(local,))][:2] == [OFFLINE, LOCAL]
    assert choose(LOCAL, local=(local,)) == (local, "")
    fallback, reason = choose(LOCAL)
    assert fallback.code == OFFLINE and "离线底图未设置或无法读取" in reason
