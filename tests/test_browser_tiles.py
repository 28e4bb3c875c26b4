"""The bureau's offline tiles in a real browser (Debian's Chromium), at 1024×768: a tile set generated here
(tests/tile_sets.py) is set in the store as 设置 would, chosen as everyone's basemap, and its tiles load
(``naturalWidth > 0``) from the app's own address on the 地图 page and on 定位与校核, with no request
leaving 127.0.0.1. Once as an MBTiles file under ``streamlit run app.py``, once as a folder of XYZ
tiles declared GCJ-02 under ``serve.py`` with an account (logged in to see the pages; its tiles carry the
security headers and need no session). Against the same live servers: traversal, absolute paths and
files that are no tile are refused."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from app_pages.parts.headers import SECURITY_HEADERS
from school_water_map.geo.basemaps import LOCAL
from school_water_map.geo.crs import GCJ02, WGS84
from school_water_map.geo.tile_source import TileSource, tile_name
from school_water_map.io.tile_files import open_tile_source
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.app_settings import set_values
from school_water_map.store.database import open_store
from school_water_map.store.prefs import PrefsStore
from tests.browser_support import MAP_FRAME, StreamlitServer, external_requests, log_in, map_frame, open_page
from tests.helpers import PASSWORDS
from tests.placing import place
from tests.tile_sets import make_tiles, tile_xy, write_mbtiles, write_xyz

pytestmark = pytest.mark.browser

SIZE = (1024, 768)
TILES = make_tiles()
Z, (X, Y) = 10, tile_xy(106.2, 37.98, 10)
#: Every tile image Leaflet has finished loading in a frame: its address and natural width.
_LOADED = "els => els.map(e => [e.src, e.complete ? e.naturalWidth : 0])"


@dataclass
class Running:
    server: StreamlitServer
    source: TileSource
    folder: Path  # what the tile set sits in (a file beside it must never be served)
    admin: str = ""  # the account to log in with ("": no account, the app is open)


def _start(root: Path, *, form: str, crs: str, script: str, admin: str = "") -> Running:
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(root / "data")})
    place(settings, "利通区第十一小学", 106.20, 37.98)
    tiles = root / "imagery"
    tiles.mkdir()
    (tiles / "secret.txt").write_text("not for the browser")
    path = write_mbtiles(tiles / "litong.mbtiles", TILES) if form == "mbtiles" else write_xyz(tiles / "xyz", TILES)
    if form == "xyz":
        (path / "secret.txt").write_text("not for the browser")
    store = open_store(settings)
    set_values(store, {"offline_tiles": str(path), "offline_tiles_crs": crs, "offline_tiles_kind": "imagery"},
               actor="测试")
    PrefsStore(store).update(basemap=LOCAL)
    if admin:
        add_user(store, admin, PASSWORDS[admin], "admin", display_name="王局")
    server = StreamlitServer(root / "data", root / "streamlit.log", script=script).start()
    return Running(server, open_tile_source(str(path), crs=crs, imagery=True), tiles, admin)


@pytest.fixture(scope="module")
def mbtiles_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = _start(tmp_path_factory.mktemp("mbtiles"), form="mbtiles", crs=WGS84, script="app.py")
    yield running
    running.server.stop()


@pytest.fixture(scope="module")
def xyz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = _start(tmp_path_factory.mktemp("xyz"), form="xyz", crs=GCJ02, script="serve.py", admin="admin01")
    yield running
    running.server.stop()


def _tiles_loaded(page: Page, frame: FrameLocator, origin: str) -> list[str]:
    """Wait until the frame's map shows loaded tiles; give their addresses (each checked: an image that
    loaded, from the app's own address)."""
    tiles = frame.locator("img.leaflet-tile")
    expect(frame.locator("img.leaflet-tile-loaded").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    loaded = [(src, width) for src, width in tiles.evaluate_all(_LOADED) if width > 0]
    assert len(loaded) >= 4, tiles.evaluate_all(_LOADED)
    assert all(src.startswith(f"{origin}/media/swtiles/") and width == 256 for src, width in loaded)
    return [src for src, _ in loaded]


def _map_and_locate(browser: Browser, running: Running, shots: Path, name: str) -> None:
    page, requests = open_page(browser, SIZE)
    origin = running.server.url
    if running.admin:
        log_in(page, origin + "/", running.admin, PASSWORDS[running.admin])
    else:
        page.goto(origin + "/")
    expect(page.get_by_role("heading", name="学校周边危险水域地图")).to_be_visible()
    on_map = _tiles_loaded(page, map_frame(page), origin)
    expect(page.get_by_text("底图：离线影像")).to_be_visible()
    page.screenshot(path=str(shots / f"tiles_{name}_map_1024x768.png"))
    page.goto(origin + "/locate")
    expect(page.get_by_role("heading", name="定位与校核")).to_be_visible()
    frame = page.frame_locator(MAP_FRAME).first
    on_locate = _tiles_loaded(page, frame, origin)
    page.screenshot(path=str(shots / f"tiles_{name}_locate_1024x768.png"))
    assert all(f"/swtiles/{running.source.token}/" in src for src in on_map + on_locate)
    assert external_requests(requests) == []
    page.context.close()


def test_an_mbtiles_file_is_the_basemap_on_the_map_and_the_locate_page(browser, mbtiles_app, shots):
    _map_and_locate(browser, mbtiles_app, shots, "mbtiles")


def test_a_gcj02_tile_folder_is_the_basemap_under_serve_py(browser, xyz_app, shots):
    _map_and_locate(browser, xyz_app, shots, "xyz_gcj02")
    page, _ = open_page(browser, SIZE)
    log_in(page, xyz_app.server.url + "/", xyz_app.admin, PASSWORDS[xyz_app.admin])
    expect(page.get_by_text("离线影像（xyz，GCJ-02）使用 GCJ-02 坐标，图上各图层已相应换算")).to_be_visible()
    page.context.close()


def _get(url: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """One GET of ``path`` sent as it is (no client-side normalising of ``..``)."""
    address = urlparse(url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize("form", ["mbtiles", "xyz"])
def test_the_route_serves_tiles_and_nothing_else(request, form):
    running: Running = request.getfixturevalue(f"{form}_app")
    token, url = running.source.token, running.server.url
    status, headers, body = _get(url, f"/media/{tile_name(running.source, z=Z, x=X, y=Y)}")  # no session cookie
    assert (status, headers["content-type"], body) == (200, "image/png", TILES[(Z, X, Y)])
    if form == "xyz":  # serve.py: the app's security headers on a tile too
        assert headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    root = Path(running.source.path)
    refused = [f"/media/swtiles/{token}/../secret.txt", f"/media/swtiles/{token}/%2e%2e/secret.txt",
               f"/media/swtiles/{token}/..%2f..%2fsecret.txt", f"/media/swtiles/{token}/secret.txt",
               f"/media/swtiles/{token}/{Z}/{X}/..%2F..%2F..%2Fsecret.txt", f"/media/swtiles/{token}{root}/secret.txt",
               f"/media/{running.folder}/secret.txt", "/media//etc/passwd", "/media/swtiles/%2Fetc%2Fpasswd",
               f"/media/swtiles/{token}/{root.name}", f"/media/swtiles/{token}/{Z}/{X}/{Y}.jpg",
               f"/media/swtiles/{token}/{Z}/{X}/{Y}.png%00.txt", f"/media/swtiles/{'0' * 16}/{Z}/{X}/{Y}.png",
               f"/media/swtiles/{token}/{Z}/0/0.png"]
    for path in refused:
        status, _, body = _get(url, path)
        assert status in (400, 404), (path, status)
        assert b"not for the browser" not in body and b"root:" not in body and b"SQLite" not in body, path
