"""Shared by the map benchmarks: a Streamlit server on 127.0.0.1 with a fresh data directory, every school
placed (the heaviest map), Debian's Chromium through Playwright (never ``playwright install``), and one timed
visit. The server and Chromium's flags are tests/local_streamlit.py's and the seeded positions
tests/placing.py's, shared with the tests."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for tests/
from tests.local_streamlit import CHROMIUM, CHROMIUM_ARGS, LocalStreamlit

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "DRAWN", "LAST_DRAWN", "MAP_IFRAME", "Server", "app_and_bare",
           "place_every_school", "visit"]

MAP_IFRAME = "iframe[title='学校周边危险水域地图']"  # the 地图 page's map (app_pages/map.py)
DRAWN = "path.leaflet-interactive"  # a vector layer Leaflet has drawn
LAST_DRAWN = "path.swm-school"  # the schools, the map's last layer (mapping.build_map): every layer drawn


def place_every_school(data_dir: Path) -> int:
    """Record a position for each of the 40 schools (seeded points inside the district; not real positions)."""
    from school_water_map.settings import Settings
    from tests.placing import place_every_school as place_all

    return place_all(Settings.from_env({"SWMAP_DATA_DIR": str(data_dir)}), source="基准测试", author="基准测试")


class Server(LocalStreamlit):
    """``streamlit run SCRIPT`` on a free 127.0.0.1 port (stopped by ``stop``); a failed start ends the run.
    The file watcher stays on, as when the README's figures were measured."""

    failure = SystemExit
    start_timeout_s = 90
    options = ()

    def __init__(self, script: str, data_dir: Path, log: Path) -> None:
        super().__init__(data_dir, log, script)


@contextmanager
def app_and_bare(tmp: Path) -> Iterator[tuple[Server, Server]]:
    """The app on a fresh data directory in ``tmp`` with every school placed, and the bare page
    (``benchmarks/bare_page.py``, a title only), both started; both stopped on leaving."""
    data = tmp / "data"
    print(f"placed {place_every_school(data)} schools in a fresh data directory")
    app = Server("app.py", data, tmp / "app.log").start()
    try:
        bare = Server("benchmarks/bare_page.py", tmp / "bare-data", tmp / "bare.log").start()
        try:
            yield app, bare
        finally:
            bare.stop()
    finally:
        app.stop()


def visit(browser: Browser, url: str, ready: Callable[[Page], object], timeout_ms: int) -> float:
    """Seconds from navigation until ``ready(page)`` returns, in a new browser context (an empty cache and a
    new Streamlit session each time)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        ready(page)
        return time.perf_counter() - start
    finally:
        context.close()
