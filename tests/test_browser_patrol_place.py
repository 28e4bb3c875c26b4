"""Real-browser walk: a 板桥乡 patrol at 板桥波浪渠小学's gate, with the tablet's GPS (Playwright's
geolocation emulation), places the school from its site at 768×1024; the site's presence check then works.
The same patrol opening another township's site gets no such button, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from school_water_map.domain.sites import sites
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from tests.browser_support import (
    StreamlitServer,
    external_requests,
    fits_a_tablet,
    log_in,
    open_page,
    stored_positions,
)
from tests.helpers import PASSWORDS

pytestmark = pytest.mark.browser
ROW83 = "640302-S37-W47"
#: Where the test tablet stands (a test point, not the school's real position) and how good its fix is.
AT_GATE = {"latitude": 37.9081, "longitude": 106.1412, "accuracy": 12}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    root = tmp_path_factory.mktemp("patrol_place")
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(root / "data")}))
    add_user(store, "bq01", PASSWORDS["bq01"], "patrol", township="板桥乡", display_name="李巡查")
    running = StreamlitServer(root / "data", root / "streamlit.log").start()
    yield running
    running.stop()


def _to_bottom(page: Page) -> None:
    """Scroll the app to its end, where the GPS section and its buttons are (for the screenshot)."""
    page.evaluate("""() => ['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]']
        .map(s => document.querySelector(s)).concat([document.scrollingElement])
        .forEach(e => { if (e) e.scrollTop = e.scrollHeight; })""")


def test_a_patrol_places_its_school_from_the_site_and_not_another_townships(server, browser, shots):
    page, requests = open_page(browser, (768, 1024), geolocation=AT_GATE, permissions=["geolocation"], has_touch=True)
    log_in(page, f"{server.url}/?site={ROW83}", "bq01", PASSWORDS["bq01"])  # the sign's QR code address
    expect(page.get_by_role("heading", name="波浪渠（板桥波浪渠小学）")).to_be_visible()
    page.get_by_role("button", name="获取当前位置").click()
    expect(page.get_by_text("该站点尚未定位，暂不能核验是否在现场")).to_be_visible()
    fits_a_tablet(page, "patrol place 768")
    _to_bottom(page)
    page.screenshot(path=str(shots / "patrol_place_offer_768x1024.png"))
    page.get_by_role("button", name="我在学校门口").click()
    expect(page.get_by_text("已用巡查定位给“板桥波浪渠小学”定位（精度 ±12 米）")).to_be_visible()
    page.get_by_role("button", name="重新获取位置").click()
    expect(page.get_by_text("在现场").first).to_be_visible()  # the presence check works from now on
    expect(page.get_by_role("button", name="我在学校门口")).to_have_count(0)
    _to_bottom(page)
    page.screenshot(path=str(shots / "patrol_place_done_768x1024.png"))
    (placed,) = stored_positions(server.data_dir)
    assert (placed.entity_id, placed.precision, placed.author, placed.accuracy_m) == ("640302-S37", "surveyed",
                                                                                       "李巡查", 12.0)
    assert placed.source.startswith("巡查定位（板桥波浪渠小学校门口")

    register = build_register(Settings.from_env({"SWMAP_DATA_DIR": str(server.data_dir)}))
    elsewhere = next(s for s in sites(register) if s.township == "金积镇")
    page.goto(f"{server.url}/?site={elsewhere.site_id}")
    expect(page.get_by_text(f"站点 {elsewhere.site_id} 属于金积镇")).to_be_visible()
    expect(page.get_by_role("button", name="获取当前位置")).to_have_count(0)
    expect(page.get_by_role("button", name="我在学校门口")).to_have_count(0)
    assert len(stored_positions(server.data_dir)) == 1  # nothing more written
    assert external_requests(requests) == []
    page.context.close()
