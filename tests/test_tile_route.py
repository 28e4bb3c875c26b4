"""The offline tiles in the app: served through Streamlit's media endpoint (only tiles of the published
source), set on the 设置 page or by environment variables (checked on disk before saving), and offered
as a basemap whose coordinate system moves overlays and clicks."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from app_pages.parts import tile_route
from school_water_map.domain.app_settings import validate
from school_water_map.errors import SettingsError
from school_water_map.geo.basemaps import LOCAL, local_basemap
from school_water_map.geo.crs import GCJ02, WGS84, from_wgs84
from school_water_map.geo.tile_source import TileSourceError, tile_name
from school_water_map.io.tile_files import open_tile_source
from school_water_map.outputs.mapping import pending_layer
from school_water_map.pipeline.app_settings import check_offline_tiles, effective_settings
from school_water_map.settings import Settings
from school_water_map.store.app_settings import current, set_values
from school_water_map.store.database import open_store
from school_water_map.store.prefs import PrefsStore
from tests.app_support import login, new_app, run_page, shown, shown_map
from tests.helpers import swmap
from tests.tile_sets import make_tiles, tile_xy, write_mbtiles, write_xyz

TILES = make_tiles()
Z, (X, Y) = 10, tile_xy(106.2, 37.98, 10)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_xyz(tmp_path / "xyz", TILES)


@pytest.fixture
def mbtiles(tmp_path: Path) -> Path:
    return write_mbtiles(tmp_path / "litong.mbtiles", TILES)


# --- serving ------------------------------------------------------------------------------------------------------

def test_a_published_tile_is_served_by_the_media_storage(mbtiles):
    source = open_tile_source(str(mbtiles), crs=WGS84, imagery=True)
    url = tile_route.publish(source)
    assert url == f"/media/{tile_name(source)}"
    storage = MemoryMediaFileStorage("/media")
    served = storage.get_file(tile_name(source, z=Z, x=X, y=Y))
    assert (served.content, served.mimetype) == (TILES[(Z, X, Y)], "image/png")
    with pytest.raises(MediaFileStorageError):
        storage.get_file(tile_name(source, z=Z, x=0, y=0))  # not in the set


def test_other_media_files_still_reach_streamlit(mbtiles):
    tile_route.publish(open_tile_source(str(mbtiles), crs=WGS84, imagery=True))
    storage = MemoryMediaFileStorage("/media")
    file_id = storage.load_and_get_id(b"<html></html>", "text/html", "file")
    assert storage.get_file(file_id).content == b"<html></html>"


def test_only_the_source_in_force_is_served(folder, mbtiles):
    old = open_tile_source(str(folder), crs=WGS84, imagery=True)
    tile_route.publish(old)
    new = open_tile_source(str(mbtiles), crs=WGS84, imagery=True)
    tile_route.publish(new)
    assert tile_route.serve(tile_name(new, z=Z, x=X, y=Y)) is not None
    assert tile_route.serve(tile_name(old, z=Z, x=X, y=Y)) is None


def test_traversal_absolute_paths_and_other_files_are_refused(folder, tmp_path):
    (folder / "notes.txt").write_text("secret")
    (folder / str(Z) / str(X) / "readme.png").write_text("secret")
    source = open_tile_source(str(folder), crs=WGS84, imagery=True)
    tile_route.publish(source)
    token = source.token
    for name in (f"swtiles/{token}/../../notes.txt", f"swtiles/{token}/notes.txt",
                 f"swtiles/{token}/{Z}/{X}/readme.png", f"swtiles/{token}/{Z}/{X}/{Y}.png/../../../notes.txt",
                 f"swtiles/{token}/{folder}/notes.txt", f"swtiles/{token}{folder}/notes.txt",
                 "swtiles//etc/passwd", f"swtiles/{token}/{Z}/{X}/{Y}.jpg", f"swtiles/{'0' * 16}/{Z}/{X}/{Y}.png"):
        assert tile_route.serve(name) is None, name
        with pytest.raises(MediaFileStorageError):
            MemoryMediaFileStorage("/media").get_file(name)


# --- settings -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "value", "stored"), [("offline_tiles_crs", "gcj-02", "GCJ02"),
                                                       ("offline_tiles_crs", "WGS-84", "WGS84"),
                                                       ("offline_tiles_kind", "Imagery", "imagery"),
                                                       ("offline_tiles", "/srv/tiles", "/srv/tiles"),
                                                       ("offline_tiles", "D:\\瓦片\\利通区", "D:\\瓦片\\利通区")])
def test_tile_settings_are_stored_in_their_canonical_form(key, value, stored):
    assert validate(key, value) == stored


@pytest.mark.parametrize(("key", "value", "says"), [("offline_tiles_crs", "BD09", "离线底图的坐标系“BD09”无效"),
                                                     ("offline_tiles_kind", "卫星", "离线底图的内容“卫星”无效"),
                                                     ("offline_tiles", "tiles/litong",
                                                      "“tiles/litong”无效：应为完整路径")])
def test_bad_tile_settings_are_refused_naming_the_value(key, value, says):
    with pytest.raises(SettingsError, match=says):
        validate(key, value)


def test_environment_variables_set_the_tile_source(tmp_path):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path), "SWMAP_OFFLINE_TILES": "/srv/tiles/",
                                  "SWMAP_OFFLINE_TILES_CRS": "gcj02", "SWMAP_OFFLINE_TILES_KIND": "imagery"})
    assert (settings.offline_tiles, settings.offline_tiles_crs, settings.offline_tiles_kind) == \
        ("/srv/tiles", GCJ02, "imagery")
    assert {"offline_tiles", "offline_tiles_crs", "offline_tiles_kind"} <= settings.env_fields
    with pytest.raises(SettingsError, match="环境变量 SWMAP_OFFLINE_TILES_CRS 的值“BD-09”无效"):
        Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path), "SWMAP_OFFLINE_TILES_CRS": "BD-09"})


def test_the_tiles_are_checked_on_disk_before_saving(tmp_path, mbtiles):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})
    source = check_offline_tiles(settings, {"offline_tiles": str(mbtiles), "offline_tiles_crs": "GCJ02"})
    assert source is not None and (source.crs, source.imagery, source.max_zoom) == (GCJ02, False, 11)
    with pytest.raises(TileSourceError, match=f"离线底图“{tmp_path / 'none'}”不存在"):
        check_offline_tiles(settings, {"offline_tiles": str(tmp_path / "none")})
    assert check_offline_tiles(settings, {"app_base_url": "https://x.example.cn"}) is None  # tiles untouched
    assert check_offline_tiles(settings, {"offline_tiles": ""}) is None  # cleared


def test_a_local_gcj02_basemap_moves_what_is_drawn_on_it(folder):
    source = open_tile_source(str(folder), crs=GCJ02, imagery=True)
    basemap = local_basemap(source, tile_route.publish(source))
    point = pending_layer(106.2, 37.98, basemap)
    (marker,) = [child for child in point._children.values() if hasattr(child, "location")]
    glon, glat = from_wgs84(106.2, 37.98, GCJ02)
    assert marker.location == pytest.approx([float(glat), float(glon)])
    assert abs(float(glon) - 106.2) > 0.003  # the shift is hundreds of metres, not rounding


# --- the app --------------------------------------------------------------------------------------------------------

def test_an_admin_sets_the_tiles_on_the_settings_page(app_settings, accounts, mbtiles):
    at = run_page(login("admin01"), "app_pages/settings.py")
    at.text_input(key="setting_offline_tiles_0").input(str(mbtiles))
    at.selectbox(key="setting_offline_tiles_crs_0").set_value("GCJ02")
    at.selectbox(key="setting_offline_tiles_kind_0").set_value("imagery")
    at.button(key="settings_save_0").click()
    run_page(at)
    assert "已保存 3 项设置" in at.success[0].value
    assert current(open_store(app_settings)) == {"offline_tiles": str(mbtiles), "offline_tiles_crs": "GCJ02",
                                                 "offline_tiles_kind": "imagery"}
    assert "离线底图可用：利通区影像，MBTiles，PNG，缩放 8–11 级" in shown(" ".join(c.value for c in at.caption))


def test_a_path_without_tiles_is_refused_on_the_page_and_nothing_is_saved(app_settings, accounts, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    at = run_page(login("admin01"), "app_pages/settings.py")
    at.text_input(key="setting_offline_tiles_0").input(str(empty))
    at.text_input(key="setting_app_base_url_0").input("https://swmap.example.cn")
    at.button(key="settings_save_0").click()
    run_page(at)
    error = shown(at.error[0].value)
    assert "未保存" in error and f"离线底图“{empty}”中没有瓦片" in error
    assert current(open_store(app_settings)) == {}


def test_the_map_offers_the_tiles_and_its_document_loads_them_from_the_app(app_settings, folder):
    set_values(open_store(app_settings), {"offline_tiles": str(folder), "offline_tiles_kind": "imagery"},
               actor="命令行")
    PrefsStore(open_store(app_settings)).update(basemap=LOCAL)
    at = run_page(new_app())
    picker = at.selectbox(key="map_basemap")
    assert picker.options[:2] == ["无底图（离线）", "离线影像（xyz）"] and picker.value == LOCAL
    source = open_tile_source(str(folder), crs=WGS84, imagery=True)
    assert f"/media/swtiles/{source.token}/{{z}}/{{x}}/{{y}}.png" in shown_map(at)
    assert "tile.openstreetmap.org" not in shown_map(at)
    assert "底图：离线影像（xyz）。由本系统提供，无网络时也显示。" in shown(" ".join(c.value for c in at.caption))


def test_a_click_on_a_gcj02_imagery_tile_set_is_read_as_gcj02_and_surveyed(app_settings, folder, monkeypatch):
    from app_pages.parts import ui

    set_values(open_store(app_settings), {"offline_tiles": str(folder), "offline_tiles_crs": "GCJ02",
                                          "offline_tiles_kind": "imagery"}, actor="命令行")
    PrefsStore(open_store(app_settings)).update(basemap=LOCAL)
    glon, glat = from_wgs84(106.21, 37.99, GCJ02)
    answer: dict[str, object] = {"last_clicked": None}
    monkeypatch.setattr(ui, "st_folium", lambda *_a, **_k: dict(answer))
    at = run_page(new_app(), "app_pages/locate.py")
    at.selectbox(key="locate_entity").set_value("640302-S01")
    at.text_input(key="author").input("张三")
    at.button_group(key="locate_method").set_value("click")
    run_page(at)
    answer["last_clicked"] = {"lat": float(glat), "lng": float(glon)}
    run_page(at)
    assert at.radio(key="precision_click_surveyed").value == "surveyed"  # declared imagery
    at.button(key="save_click").click()
    run_page(at)
    (stored,) = open_store(app_settings).positions.load()
    assert stored.input_crs == "GCJ02" and "离线影像" in stored.source
    assert (shapely.get_x(stored.geometry), shapely.get_y(stored.geometry)) == pytest.approx((106.21, 37.99), abs=1e-6)
    assert effective_settings(app_settings).offline_tiles_crs == GCJ02


# --- the command line -----------------------------------------------------------------------------------------------

def test_swmap_tiles_checks_and_saves_a_tile_source(tmp_path, mbtiles):
    data = tmp_path / "data"
    checked = swmap("tiles", str(mbtiles), "--crs", "gcj-02", data_dir=data)
    assert "MBTiles 文件，PNG 瓦片，缩放 8–11 级" in checked.stdout and "GCJ-02" in checked.stdout
    assert current(open_store(Settings.from_env({"SWMAP_DATA_DIR": str(data)}))) == {}  # checked, not saved
    saved = swmap("tiles", str(mbtiles), "--kind", "map", "--save", data_dir=data)
    assert "已保存为离线底图" in saved.stdout
    stored = effective_settings(Settings.from_env({"SWMAP_DATA_DIR": str(data)}))
    assert (stored.offline_tiles, stored.offline_tiles_crs, stored.offline_tiles_kind) == (str(mbtiles), WGS84, "map")


def test_swmap_tiles_refuses_what_is_no_tile_source_in_chinese(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    refused = swmap("tiles", str(notes), "--save", data_dir=tmp_path / "data", check=False)
    assert refused.returncode == 2 and f"错误：离线底图“{notes}”既不是瓦片文件夹" in refused.stderr
    crs = swmap("tiles", str(notes), "--crs", "BD09", data_dir=tmp_path / "data", check=False)
    assert crs.returncode == 2 and "离线底图的坐标系“BD09”无效" in crs.stderr


def test_tiles_set_by_environment_are_offered_and_their_fields_locked(app_settings, accounts, folder, monkeypatch):
    monkeypatch.setenv("SWMAP_OFFLINE_TILES", str(folder))
    monkeypatch.setenv("SWMAP_OFFLINE_TILES_KIND", "imagery")
    at = run_page(login("admin01"), "app_pages/settings.py")
    field = at.text_input(key="setting_offline_tiles_0")
    assert field.disabled and field.value == str(folder)
    assert "由环境变量 SWMAP_OFFLINE_TILES 设置，此处修改无效" in " ".join(c.value for c in at.caption)
    assert "离线底图可用：xyz，XYZ 瓦片，PNG，缩放 8–11 级" in shown(" ".join(c.value for c in at.caption))


def test_tiles_that_went_missing_are_named_on_the_settings_page_and_the_map_falls_back(app_settings, accounts,
                                                                                     folder):
    store = open_store(app_settings)
    set_values(store, {"offline_tiles": str(folder)}, actor="命令行")
    PrefsStore(store).update(basemap=LOCAL)
    for tile in sorted(folder.rglob("*.png")):
        tile.unlink()
    at = run_page(login("admin01"), "app_pages/settings.py")
    assert f"离线底图不可用：离线底图“{folder}”中没有瓦片" in shown(at.warning[0].value)
    at = run_page(at, "app_pages/map.py")
    captions = shown(" ".join(c.value for c in at.caption))
    assert "离线底图未设置或无法读取" in captions and "离线底图不可用" in captions
    assert at.selectbox(key="map_basemap").value == "none"
