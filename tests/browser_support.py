"""Shared machinery of the real-browser tests: ``streamlit run app.py`` on a free 127.0.0.1 port with its
own data directory, Debian's Chromium through Playwright (never ``playwright install``), and the
checks every page must pass (Chinese, no request leaving 127.0.0.1, touch targets)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, FrameLocator, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from school_water_map.domain.positions import PositionRecord
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from tests.local_streamlit import CHROMIUM, CHROMIUM_ARGS, LocalStreamlit

VIEWPORTS = [(768, 1024), (1024, 768)]
PAGES = [("map", "/", "学校周边危险水域地图"), ("register", "/register", "隐患清单"),
         ("locate", "/locate", "定位与校核")]
#: The map's frame: the 地图 page's cached HTML document (st.iframe), or st_folium's (定位与校核, 隐患清单).
MAP_FRAME = "iframe[title='学校周边危险水域地图'], iframe[title='streamlit_folium.st_folium']"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WAIT_MS = 30_000
#: Streamlit's built-in English that must never reach a user (1.67's texts, tooltips and labels; matched as
#: whole words, case-sensitive: ``english_leftovers``). ``app_pages/parts/zh_ui.js`` says each in Chinese.
ENGLISH_LEFTOVERS = (
    "Page not found", "You have requested page", "does not seem to exist", "main page",
    "Choose an option", "Choose options", "No results", "No options", "options available", "Clear all",
    "Select all", "Download as CSV", "Search", "Fullscreen", "Show/hide columns", "Add row", "Delete row",
    "Sort ascending", "Sort descending", "Drag and drop", "Browse files", "Upload", "Limit 200MB", "per file",
    "file upload", "Take Photo", "Switch camera", "your camera", "Press Enter", "Deploy", "Running", "Stop",
    "Rerun", "Please wait", "Connection error", "Skip to main content", "App pages", "Link to heading",
    "Help for", "Copy to clipboard", "Open", "Close", "Dismiss",
)
_LEFTOVER = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])" for w in ENGLISH_LEFTOVERS))
#: Widgets a finger must hit: at least 44 px tall.
TOUCH_TARGETS = (".stButton button", ".stDownloadButton button", "[data-testid='stPageLink'] a",
                 "[data-baseweb='select'] > div", "[data-baseweb='input']", "[data-testid^='stBaseButton-pills']",
                 "[data-testid^='stBaseButton-segmented_control']", "button[data-variant]", "button[role='tab']",
                 "[data-testid='stTopNavLink']")  # button[data-variant]: pills and segmented controls in Streamlit 1.67


expect.set_options(timeout=WAIT_MS)  # a rerun on a loaded 2-core machine can take longer than 5 s


def stored_positions(data_dir: Path) -> list[PositionRecord]:
    """The positions the app recorded, read from its store as a fresh process would."""
    return open_store(Settings.from_env({"SWMAP_DATA_DIR": str(data_dir)})).positions.load()


class StreamlitServer(LocalStreamlit):
    """``streamlit run app.py`` on a free 127.0.0.1 port with its own data directory; a failed start fails
    the test."""

    failure = pytest.fail.Exception


def open_page(browser: Browser, size: tuple[int, int], **options: object) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", **options)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return page, requests


def map_frame(page: Page) -> FrameLocator:
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container path.leaflet-interactive").first.wait_for(state="attached")
    return frame


def open_popup(frame: FrameLocator, selector: str, *, tries: int = 3) -> Locator:
    """Click a map feature until its popup shows: on a loaded machine the component can still be
    re-rendering when the first click lands (bounded: ``tries`` clicks, each waited on)."""
    popup = frame.locator(".leaflet-popup-content")
    for _ in range(tries - 1):
        frame.locator(selector).first.click(force=True)
        try:
            popup.wait_for(state="visible", timeout=10_000)
            return popup
        except PlaywrightTimeoutError:
            continue
    frame.locator(selector).first.click(force=True)
    popup.wait_for(state="visible")
    return popup


def choose_option(page: Page, label: str, option: str, *, tries: int = 3, until: Locator | None = None) -> None:
    """Pick ``option`` in the selectbox ``label`` by typing it, as a person would in a long list, and pressing
    Enter. The list is virtualised, and a rerun still drawing the page can close it under an attempt, or
    redraw the box before its choice is sent: with ``until`` (what the choice brings, e.g. a button named
    after it), an attempt counts only once that shows. Bounded: ``tries`` attempts, each waited on."""
    box = page.get_by_role("combobox", name=label)
    match = page.get_by_role("option", name=option, exact=True)
    for attempt in range(tries):
        last = attempt == tries - 1
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(option)
        try:
            match.wait_for(state="visible", timeout=WAIT_MS if last else 10_000)
        except PlaywrightTimeoutError:
            if last:
                raise
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Enter")
        if until is None:
            return
        try:
            until.wait_for(state="visible", timeout=WAIT_MS if last else 10_000)
            return
        except PlaywrightTimeoutError:
            if last:
                raise


def settle(page: Page, *, quiet_ms: int = 600) -> None:
    """Wait until the app has stopped rerunning and nothing on the page is stale, and has stayed so for
    ``quiet_ms``: a component that reports its value once drawn (st_folium's map) starts a second rerun just
    after the first ends, and a tap that lands between the two can be dropped. A person waits for the page to
    be still before the next tap; so does a test."""
    page.wait_for_function(
        """(quiet) => {
            const app = document.querySelector("[data-testid='stApp']");
            const busy = !app || app.getAttribute('data-test-script-state') === 'running'
                || document.querySelector("[data-stale='true']") !== null;
            const now = performance.now();
            if (busy || window.__swmapStillSince === undefined) { window.__swmapStillSince = busy ? undefined : now; }
            return !busy && now - window.__swmapStillSince >= quiet;
        }""", arg=quiet_ms, polling=100)


def log_in(page: Page, url: str, username: str, password: str) -> None:
    """Open ``url``, log in there as ``username`` and wait until the login form has gone."""
    page.goto(url)
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="登录", level=1)).to_have_count(0)


def select_grid_row(page: Page, grid: Locator, y_offset: float, until: Locator, *, tries: int = 3) -> None:
    """Tick the selection box of the row ``y_offset`` px below the top of the ``st.dataframe`` ``grid`` until
    ``until`` (what the selection brings) shows. The grid is a canvas: a click that lands while it is still
    being drawn, or while a rerun replaces it, selects nothing. Bounded: ``tries`` clicks, each waited on."""
    grid.locator("canvas").first.wait_for(state="visible")
    for attempt in range(tries):
        last = attempt == tries - 1
        box = grid.bounding_box()
        assert box is not None, "the table is not on the page"
        page.mouse.click(box["x"] + 20, box["y"] + y_offset)
        try:
            until.wait_for(state="visible", timeout=WAIT_MS if last else 10_000)
            return
        except PlaywrightTimeoutError:
            if last:
                raise


def edit_grid_row(page: Page, grid: Locator, row: int, values: Sequence[str]) -> None:
    """Type ``values`` into the cells right of the first column of data row ``row`` (0-based) of the
    ``st.data_editor`` ``grid``. Its canvas has no visible DOM cells, but Glide Data Grid keeps an
    accessible table beside it once the grid has focus: each cell is focused there (which selects it),
    opened with Enter, filled, committed with Enter, and its new text waited for."""
    box = grid.bounding_box()
    assert box is not None, "the data editor is not on the page"
    page.mouse.click(box["x"] + 40, box["y"] + box["height"] / 2)  # focus: the accessible table appears
    for column, value in enumerate(values, start=1):
        cell = grid.locator(f"#glide-cell-{column}-{row}")
        cell.focus()
        expect(cell).to_have_attribute("aria-selected", "true")
        page.keyboard.press("Enter")
        editor = page.locator("textarea.gdg-input")
        expect(editor).to_be_focused()
        editor.fill(value)
        editor.press("Enter")
        expect(cell).to_have_text(value)


def tablet_layout(page: Page, more_targets: Sequence[str] = ()) -> tuple[list[int], list[str], list[str]]:
    """The page as it is: [the document's scroll width, the window's width, the main area's scroll width and
    width]; the touch targets under 44 px (``TOUCH_TARGETS`` and ``more_targets``); Streamlit's English shown."""
    widths = page.evaluate("""() => { const main = document.querySelector('[data-testid="stMain"]');
        return [document.documentElement.scrollWidth, window.innerWidth, main.scrollWidth, main.clientWidth]; }""")
    small = page.evaluate("""(selectors) => selectors.flatMap(s => [...document.querySelectorAll(s)]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 43.5)
        .map(e => `${s} ${Math.round(e.getBoundingClientRect().height)} ${(e.innerText || '').slice(0, 12)}`))""",
                          [*TOUCH_TARGETS, *more_targets])
    text = page.locator("[data-testid='stMain']").inner_text()
    return widths, small, english_leftovers(text)


def fits_a_tablet(page: Page, name: str, more_targets: Sequence[str] = ()) -> None:
    """Once the network is idle: no horizontal scrolling, touch targets of 44 px, no Streamlit English."""
    page.wait_for_load_state("networkidle")
    widths, small, english = tablet_layout(page, more_targets)
    assert widths[0] <= widths[1] and widths[2] <= widths[3], f"{name}: horizontal scroll {widths}"
    assert small == [], f"{name}: touch targets under 44 px: {small}"
    assert not english, name


def english_leftovers(text: str) -> list[str]:
    """The ``ENGLISH_LEFTOVERS`` in ``text``, each once (as a whole word: "OpenStreetMap" is no "Open")."""
    return sorted(set(_LEFTOVER.findall(text)))


def external_requests(requests: list[str]) -> list[str]:
    return [url for url in requests
            if urlparse(url).scheme not in ("data", "blob", "about") and urlparse(url).hostname not in LOCAL_HOSTS]




def screenshots_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``SWMAP_SCREENSHOTS`` when set (to keep them), else a temporary folder."""
    folder = Path(os.environ.get("SWMAP_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def chromium(extra_args: Sequence[str] = ()) -> Iterator[Browser]:
    """Debian's Chromium, headless, with the background-network features off."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield launched
        finally:
            launched.close()
