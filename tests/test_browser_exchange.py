"""Real-browser tests of the 告知书 and 数据交换 pages (Debian's Chromium through Playwright, offline).

The server, the browser and the checks come from ``tests/test_browser.py``; every wait is on a condition.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import VIEWPORTS, select_grid_row, tablet_layout
from tests.browser_support import external_requests as _external
from tests.browser_support import map_frame as _map
from tests.browser_support import open_page as _open

pytestmark = pytest.mark.browser

#: More touch targets on these pages: the text area, the upload button and the radio choices.
MORE_TARGETS = ("[data-baseweb='textarea']", "[data-testid='stFileUploaderDropzone'] button",
                "[role='radiogroup'] label")
PREVIEW = "[data-testid='stImage'] img"


def _download(page: Page, button: str) -> bytes:
    with page.expect_download() as started:
        page.get_by_role("button", name=button).click()
    download = started.value
    assert download.failure() is None, download.failure()
    return Path(download.path()).read_bytes()


def _preview_shown(page: Page) -> None:
    image = page.locator(PREVIEW)
    expect(image).to_be_visible()
    page.wait_for_function("s => { const i = document.querySelector(s); return i?.complete && i.naturalWidth > 500; }",
                           arg=PREVIEW)  # the PNG arrived and decoded


def test_a_notice_is_previewed_and_downloaded_and_the_register_exported(server, browser):
    page, requests = _open(browser, (768, 1024), accept_downloads=True)
    page.goto(server.url + "/notices")
    expect(page.get_by_role("heading", name="告知书与警示告示", level=1)).to_be_visible()
    _preview_shown(page)
    pdf = _download(page, "下载致家长告知书（PDF）")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000

    page.goto(server.url + "/exchange")
    expect(page.get_by_role("heading", name="数据交换", level=1)).to_be_visible()
    gpkg = _download(page, "下载 GeoPackage")  # made on the server when pressed
    assert gpkg.startswith(b"SQLite format 3") and len(gpkg) > 10_000
    assert _external(requests) == [], "requests left 127.0.0.1"
    page.context.close()


def _layout_problems(page: Page) -> list[str]:
    """Horizontal scrolling, touch targets under 44 px and Streamlit's English, on the page as it is."""
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0)  # no rerun under way
    widths, small, english = tablet_layout(page, MORE_TARGETS)
    problems = [f"horizontal scroll {widths}"] if widths[0] > widths[1] or widths[2] > widths[3] else []
    return problems + small + [f"English: {w}" for w in english]


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_new_pages_fit_a_tablet(server, browser, shots, size):
    page, requests = _open(browser, size)
    tag = f"{size[0]}x{size[1]}"
    page.goto(server.url + "/notices")
    expect(page.get_by_role("heading", name="告知书与警示告示", level=1)).to_be_visible()
    for kind, shot in (("致家长告知书", "letter"), ("危险水域警示告示", "site"), ("乡镇巡查表", "township")):
        page.get_by_text(kind, exact=True).click()
        expect(page.get_by_role("button", name=f"下载{kind}（PDF）")).to_be_visible()
        _preview_shown(page)
        assert _layout_problems(page) == [], f"notices/{shot}"
        page.screenshot(path=str(shots / f"notices_{shot}_{tag}.png"))

    page.goto(server.url + "/exchange")
    expect(page.get_by_role("heading", name="数据交换", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="下载 Excel（XLSX）")).to_be_visible()
    assert _layout_problems(page) == [], "exchange/export"
    page.screenshot(path=str(shots / f"exchange_export_{tag}.png"))
    page.get_by_role("tab", name="导入位置与几何").click()
    expect(page.get_by_role("button", name="导入全部位置")).to_be_visible()
    assert _layout_problems(page) == [], "exchange/import"
    page.screenshot(path=str(shots / f"exchange_import_{tag}.png"))
    page.get_by_role("tab", name="新一年附件").click()
    page.get_by_text("粘贴表格", exact=True).click()
    area = page.get_by_label("把附件表格粘贴到这里（从文件中复制整张表，含表头）")
    area.fill("序号\t学校名称\t河湖名称\t距离学校距离\t备注\n1\t利通区第十一小学\t秦渠\t很近\t\n")
    hint = page.locator(".stTextArea [data-testid='InputInstructions']")  # Streamlit's hint, in Chinese
    expect(hint).to_be_visible()
    assert "Ctrl+回车" in hint.evaluate("e => getComputedStyle(e, '::after').content")
    assert "to apply" not in hint.inner_text()
    page.get_by_role("heading", name="数据交换", level=1).click()  # leaving the field submits it
    expect(page.get_by_text("新附件有 1 处无法识别")).to_be_visible()
    assert _layout_problems(page) == [], "exchange/annex"
    page.screenshot(path=str(shots / f"exchange_annex_{tag}.png"))
    assert _external(requests) == [], "requests left 127.0.0.1"
    page.context.close()


def test_a_map_popup_opens_the_notice_of_its_site(server, browser):
    page, requests = _open(browser, (1024, 768))
    page.goto(server.url)
    frame = _map(page)
    frame.locator("path.swm-derived").first.dispatch_event("click")  # at district zoom the school lies on top
    link = frame.locator(".leaflet-popup-content a.swm-print")
    expect(link).to_have_text("打印警示告示")
    with page.context.expect_page() as opened:  # a new tab: the map's frame may not navigate the app
        link.click()
    notice = opened.value
    expect(notice.get_by_role("heading", name="告知书与警示告示", level=1)).to_be_visible()
    expect(notice.get_by_role("button", name="下载危险水域警示告示（PDF）")).to_be_visible()
    expect(notice.get_by_role("combobox", name="学校 · 水体")).to_have_value(re.compile(r"^利通区第十一小学 · "))
    assert _external(requests) == []
    page.context.close()


def test_the_chosen_register_row_downloads_its_letter_and_notice(server, browser):
    page, requests = _open(browser, (768, 1024), accept_downloads=True)
    page.goto(server.url + "/register")
    expect(page.get_by_text("附件共 89 行")).to_be_visible()
    heading = page.get_by_role("heading", name="第 15 行：马莲渠中心巴浪湖小学 — 水渠")
    # the first row's selection box (row 15, 巴浪湖小学): below the 35 px header, half a row down
    select_grid_row(page, page.locator("[data-testid='stDataFrame']").first, 35 + 17, heading)
    for button, name in (("下载告知书", "640302-S08_马莲渠中心巴浪湖小学_致家长告知书.pdf"),
                         ("下载警示告示", "640302-S08-W07_警示告示_A4.pdf")):
        with page.expect_download() as started:
            page.get_by_role("button", name=button).click()
        assert started.value.suggested_filename == name
        assert Path(started.value.path()).read_bytes().startswith(b"%PDF")
    assert _external(requests) == []
    page.context.close()
