"""Issue 9's hostile-strings suite in a real browser (Debian's Chromium through Playwright).

One store is seeded once for the module with hostile strings (``tests/hostile.py``) through every input a
person or a file controls: an applied annex's school and water names, notes and source, positions'
sources, notes and authors, geocoding candidates' names and addresses; then accounts with hostile
display names and a patrol's inspection with hostile problems, action and note. Every page is visited
in open mode (before any account exists) and as each role, with hostile query parameters, and the map's
markers are hovered and clicked to open their tooltips and popups. On every page: no JavaScript dialog
opened, ``window.__xss`` and ``top.__xss`` are undefined in every frame, no request left 127.0.0.1, and
no link or image from user text points anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from school_water_map.settings import Settings
from tests.browser_support import LOCAL_HOSTS, StreamlitServer
from tests.hostile import ACCOUNTS, HOSTILE, PASSWORD, Seeded, seed_accounts, seed_open

pytestmark = pytest.mark.browser

SIZE = (1024, 768)
#: Page → (path when it is not the role's first page, heading).
PAGES = {"map": ("/map", "学校周边危险水域地图"), "register": ("/register", "隐患清单"),
         "locate": ("/locate", "定位与校核"), "patrol": ("/patrol", "巡查"), "coverage": ("/coverage", "巡查概况"),
         "notices": ("/notices", "告知书与警示告示"), "exchange": ("/exchange", "数据交换"),
         "users": ("/users", "账号管理")}
#: Each role's pages (as app.py gives them), its first page (opened at ``/``) first.
ROLE_PAGES = {"open": ("map", "register", "locate", "notices", "exchange", "patrol"),
              "admin": ("map", "register", "locate", "patrol", "coverage", "notices", "exchange", "users"),
              "patrol": ("patrol", "map", "register", "locate"),
              "viewer": ("map", "register", "coverage", "notices", "patrol")}
#: The 告知书 page's link parameters (map popups link there), one per role, each with a hostile value.
NOTICE_QUERY = {"open": ("school", HOSTILE[8]), "admin": ("water", HOSTILE[9]), "viewer": ("township", HOSTILE[1])}
MARKERS = ("path.swm-school", "path.swm-water", "path.swm-derived", "path.swm-zone")
LINK = HOSTILE[7]  # [请点此重置密码](http://127.0.0.2:9/x)
_NO_XSS = """() => {
    let top_xss = "undefined";
    try { top_xss = typeof top.__xss; } catch (e) { /* a cross-origin top: nothing to read */ }
    return [typeof window.__xss, top_xss];
}"""
#: Every link, image, stylesheet and frame address but Leaflet's own credit in the map's corner.
_OUTSIDE_LINKS = """() => [...document.querySelectorAll("a[href], img[src], link[href], iframe[src]")]
    .filter(e => !e.closest(".leaflet-control-attribution"))
    .map(e => e.href || e.src).filter(u => /^https?:/i.test(u))"""


@dataclass
class Watch:
    """What a browser context did that it must not: dialogs opened, requests off 127.0.0.1."""

    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StreamlitServer, Settings, Seeded]]:
    root = tmp_path_factory.mktemp("hostile")
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(root / "data")})
    seeded = seed_open(settings)
    running = StreamlitServer(root / "data", root / "streamlit.log").start()
    yield running, settings, seeded
    running.stop()


@pytest.fixture(scope="module")
def with_accounts(seeded_server: tuple[StreamlitServer, Settings, Seeded]) -> tuple[StreamlitServer, Seeded]:
    """The same app once accounts exist (after the open-mode test), with a hostile inspection."""
    server, settings, seeded = seeded_server
    seed_accounts(settings, seeded)
    return server, seeded


def test_open_mode_runs_and_fetches_nothing_from_hostile_text(seeded_server, browser):
    server, _settings, seeded = seeded_server
    page, watch = _guarded(browser)
    _every_page(page, watch, server.url, "open")
    _visit(page, server.url, f"/?site={quote(LINK)}", "巡查")  # a QR code's address, made hostile
    _shown(page, f"找不到站点“{LINK}”")
    _check(page, watch, "open ?site=")
    _visit(page, server.url, f"/patrol?site={seeded.site_id}", "巡查")
    _check(page, watch, "open patrol site")
    page.context.close()


def test_the_login_page_shows_a_hostile_site_as_text(with_accounts, browser):
    server, _seeded = with_accounts
    page, watch = _guarded(browser)
    page.goto(f"{server.url}/?site={quote(LINK)}")
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    _shown(page, f"登录后将打开站点 {LINK} 的巡查表")  # as typed, not a link
    _check(page, watch, "login ?site=")
    page.context.close()


@pytest.mark.parametrize("role", ["admin", "patrol", "viewer"])
def test_every_page_of_a_role_runs_and_fetches_nothing(with_accounts, browser, role):
    server, seeded = with_accounts
    username = next(name for name, (account_role, _) in ACCOUNTS.items() if account_role == role)
    page, watch = _guarded(browser)
    _login(page, server.url, username)
    _every_page(page, watch, server.url, role, username=username)
    # the site's history: hostile problems, action taken, note and inspector, shown as text
    _visit(page, server.url, f"/patrol?site={seeded.site_id}", "巡查", username=username)
    expect(page.get_by_text("巡查记录（1 条）")).to_be_visible()
    _shown(page, f"发现的问题：{HOSTILE[0]}")
    _shown(page, LINK)
    _check(page, watch, f"{role} patrol site")
    page.context.close()


# --- helpers ---

def _every_page(page: Page, watch: Watch, base: str, role: str, *, username: str | None = None) -> None:
    """Each of the role's pages, checked; the map's features poked; the 告知书 page opened from a link
    with a hostile ``?school=``, ``?water=`` or ``?township=`` (one per role)."""
    for name in ROLE_PAGES[role]:
        path = _path(role, name)
        if name == "notices":
            path += f"?{NOTICE_QUERY[role][0]}={quote(NOTICE_QUERY[role][1])}"
        _visit(page, base, path, PAGES[name][1], username=username)
        _check(page, watch, f"{role} {path}")
        if name == "map":
            _poke_markers(page, watch, f"{role} map")
        if name == "notices":
            _shown(page, f"链接中的学校、点位或乡镇“{NOTICE_QUERY[role][1]}”在当前附件中找不到")
        if name == "locate" and role != "patrol":  # candidates (not of a patrol's township): hostile, as text
            _shown(page, f"#1 {HOSTILE[0]}")


def _guarded(browser: Browser) -> tuple[Page, Watch]:
    """A fresh tablet-sized context that records dialogs and blocks (and records) requests off 127.0.0.1."""
    context: BrowserContext = browser.new_context(viewport={"width": SIZE[0], "height": SIZE[1]}, locale="zh-CN")
    context.set_default_timeout(30_000)
    watch = Watch()

    def route(request_route: Route) -> None:
        url = request_route.request.url
        if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).hostname not in LOCAL_HOSTS:
            watch.outside.append(url)
            request_route.abort()
        else:
            request_route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda dialog: (watch.dialogs.append(dialog.message), dialog.dismiss()))
    return page, watch


def _path(role: str, name: str) -> str:
    return "/" if ROLE_PAGES[role][0] == name else PAGES[name][0]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(base)
    _fill_login(page, username)


def _fill_login(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="登录", level=1)).to_have_count(0)


def _visit(page: Page, base: str, path: str, heading: str, *, username: str | None = None) -> None:
    """Open an address and wait for its page (logging in again if this app's sessions do not last)."""
    page.goto(base + path)
    wanted = page.get_by_role("heading", name=heading, level=1)
    login = page.get_by_role("heading", name="登录", level=1)
    expect(wanted.or_(login)).to_be_visible()
    if username is not None and login.is_visible():
        _fill_login(page, username)
    expect(wanted).to_be_visible()
    _settle(page)


def _settle(page: Page) -> None:
    """Wait until the page's script run has finished (Streamlit marks its state on the app's root)."""
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning",
                                                                     timeout=60_000)


def _shown(page: Page, text: str) -> None:
    """``text`` is on the page as text (Markdown's autolink breakers, U+2060, are invisible and ignored)."""
    expect(page.locator("body")).to_contain_text(re.compile("\u2060?".join(map(re.escape, text))))


def _poke_markers(page: Page, watch: Watch, where: str) -> None:
    """Hover and click a few of each kind of map feature, opening tooltips and popups (hostile text)."""
    frame = _map_frame(page)
    opened = 0
    for selector in MARKERS:
        features = frame.locator(selector)
        for index in range(min(features.count(), 1)):
            feature = features.nth(index)
            try:
                feature.hover(force=True, timeout=5_000)
                feature.click(force=True, timeout=5_000)
                frame.locator(".leaflet-popup-content, .leaflet-tooltip").first.wait_for(timeout=5_000)
                opened += 1
            except PlaywrightTimeoutError:
                continue  # under another feature or off screen: the others are tried
            _check(page, watch, f"{where} {selector}[{index}]")
    assert opened, f"{where}: no tooltip or popup opened"
    popup_text = " ".join(frame.locator(".leaflet-popup-content, .leaflet-tooltip").all_inner_texts())
    assert popup_text.strip(), where


def _map_frame(page: Page) -> Frame:
    """The frame holding the Leaflet map, once its features are drawn."""
    page.locator("iframe").first.wait_for(state="attached")
    for frame in page.frames:
        try:
            frame.locator(".leaflet-container path.leaflet-interactive").first.wait_for(state="attached",
                                                                                         timeout=20_000)
        except PlaywrightTimeoutError:
            continue
        return frame
    raise AssertionError("no frame with a drawn map")


def _check(page: Page, watch: Watch, where: str) -> None:
    assert not watch.dialogs, f"{where}: a dialog opened: {watch.dialogs}"
    assert not watch.outside, f"{where}: requests left 127.0.0.1: {watch.outside}"
    for frame in page.frames:
        if frame.is_detached():
            continue
        assert frame.evaluate(_NO_XSS) == ["undefined", "undefined"], f"{where}: script ran in {frame.url}"
        outside = [url for url in frame.evaluate(_OUTSIDE_LINKS) if urlparse(url).hostname not in LOCAL_HOSTS]
        assert not outside, f"{where}: a link or image to {outside} in {frame.url}"
        assert frame.locator(".katex").count() == 0, f"{where}: user text rendered as LaTeX in {frame.url}"
