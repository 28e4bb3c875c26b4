"""Real-browser walk of issue 12's done-when at 1024×768: the bureau runs the app without editing files.

An admin sets the app's address and the notice contacts on 设置, assigns 利通区第十一小学 a township (whose
patrol then sees its 5 sites), names row 83's 责任人 on 责任人; then the letter for 板桥波浪渠小学 and the
sign for row 83 print those names and phones, a QR code, no placeholder and no engineers' 说明 (read with
pdftotext), and 板桥乡's letters come from the UI as one merged PDF.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from school_water_map.notices.config import PLACEHOLDER
from school_water_map.notices.render import preview_png
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from tests.browser_support import (
    StreamlitServer,
    choose_option,
    edit_grid_row,
    external_requests,
    log_in,
    open_page,
    tablet_layout,
)
from tests.helpers import PASSWORDS
from tests.notice_tools import need_poppler, pdf_text, squash

pytestmark = pytest.mark.browser
SIZE = (1024, 768)
BASE_URL = "https://swmap.example.cn"
ROW83 = "640302-S37-W47"
SQ_PASSWORD = "shangqiao-pass-2026"
#: What the admin types, and what the printed copies must then carry.
BANQIAO = ("板桥乡人民政府", "马乡长", "0953-5551234")
SITE_OWNER = ("板桥乡安全生产办公室", "马某某", "13912345678")
SAFETY_LEAD = ("周某", "13900000000")
NOTES_MARKERS = ("风险等级规则", "数据来源", "位置精度", "risk_rules.toml", "说明")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    root = tmp_path_factory.mktemp("bureau")
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(root / "data")}))
    add_user(store, "admin01", PASSWORDS["admin01"], "admin", display_name="王局")
    add_user(store, "sq01", SQ_PASSWORD, "patrol", township="上桥镇", display_name="上桥巡查")
    running = StreamlitServer(root / "data", root / "streamlit.log").start()
    yield running
    running.stop()


def _download(page: Page, button: str, out: Path) -> Path:
    with page.expect_download() as started:
        page.get_by_role("button", name=button).click()
    download = started.value
    assert download.failure() is None, download.failure()
    download.save_as(out)
    return out


def _settings(page: Page, server: StreamlitServer, shots: Path) -> None:
    page.goto(server.url + "/settings")
    expect(page.get_by_role("heading", name="设置", level=1)).to_be_visible()
    page.get_by_label("系统地址（告示二维码指向此处）").fill(BASE_URL)
    for part, value in zip(("单位", "负责人", "电话"), ("利通区教育局", "李科长", "0953-2012345"), strict=True):
        page.get_by_label(f"区教育局·{part}").fill(value)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    edit_grid_row(page, grid, 9, BANQIAO)  # 板桥乡, the 10th township of TOWNSHIPS
    page.get_by_role("button", name="保存设置").click()
    expect(page.get_by_text("告示联系人·板桥乡·电话")).to_be_visible()  # named in the 已保存 message
    page.screenshot(path=str(shots / "bureau_settings_1024x768.png"))
    choose_option(page, "学校", "利通区第十一小学（640302-S01，乡镇：待确认）")
    choose_option(page, "所属乡镇（街道）", "上桥镇")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("已将利通区第十一小学指定为上桥镇（指定人：王局）")).to_be_visible()


def _owners(page: Page, server: StreamlitServer, shots: Path) -> None:
    page.goto(server.url + "/owners")
    expect(page.get_by_role("heading", name="责任人", level=1)).to_be_visible()
    choose_option(page, "点位", "第 83 行 · 板桥波浪渠小学—波浪渠（板桥乡，高）")
    for part, value in zip(("单位", "责任人", "电话"), SITE_OWNER, strict=True):
        page.get_by_label(f"属地乡镇·{part}").fill(value)
    page.get_by_label("学校安全负责人·单位").fill("板桥波浪渠小学")
    page.get_by_label("学校安全负责人·责任人").fill(SAFETY_LEAD[0])
    page.get_by_label("学校安全负责人·电话").fill(SAFETY_LEAD[1])
    page.get_by_role("button", name="保存责任人").click()
    expect(page.get_by_text("已保存 2 项责任人")).to_be_visible()
    expect(page.get_by_label("属地乡镇·责任人")).to_have_value(SITE_OWNER[1])  # the saved values, shown back
    _, small, english = tablet_layout(page)
    assert small == [] and english == [], (small, english)
    page.screenshot(path=str(shots / "bureau_owners_1024x768.png"), full_page=True)


def _public_text(pdf: Path) -> str:
    flat = squash(pdf_text(pdf))
    assert PLACEHOLDER not in flat
    assert [m for m in NOTES_MARKERS if m in flat] == []
    return flat


def test_the_bureau_sets_up_prints_and_its_patrol_sees_the_assigned_school(server, browser, shots, tmp_path):
    need_poppler()
    page, requests = open_page(browser, SIZE, accept_downloads=True)
    log_in(page, server.url + "/settings", "admin01", PASSWORDS["admin01"])
    _settings(page, server, shots)
    _owners(page, server, shots)

    page.goto(server.url + "/notices?school=640302-S37")
    expect(page.get_by_role("button", name="下载致家长告知书（PDF）")).to_be_visible()
    expect(page.get_by_text("字体已嵌入")).to_be_visible()  # the preview's caption: the page has been drawn
    shown = [t for t in page.get_by_test_id("stAlert").all_inner_texts() if "这份文书还缺" in t]
    assert shown == []  # nothing missing for this letter (the batch's warning, for the whole district, aside)
    letter = _public_text(_download(page, "下载致家长告知书（PDF）", tmp_path / "letter.pdf"))
    for expected in (*BANQIAO, *SITE_OWNER, *SAFETY_LEAD, "学校安全负责人"):
        assert expected in letter, expected

    page.goto(server.url + f"/notices?notice_site={ROW83}")
    expect(page.get_by_role("button", name="下载危险水域警示告示（PDF）")).to_be_visible()
    sign_pdf = _download(page, "下载危险水域警示告示（PDF）", tmp_path / "sign.pdf")
    sign = _public_text(sign_pdf)
    printed = (f"责任单位{SITE_OWNER[0]}", f"责任人{SITE_OWNER[1]}", f"监督电话{SITE_OWNER[2]}", "巡查人员扫码开始巡查")
    for expected in printed:
        assert expected in sign, expected
    import zxingcpp

    image = Image.open(BytesIO(preview_png(sign_pdf.read_bytes(), dpi=150)))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [f"{BASE_URL}/?site={ROW83}"]
    page.screenshot(path=str(shots / "bureau_sign_1024x768.png"))

    page.goto(server.url + "/notices?school=640302-S37")
    page.get_by_text("批量打印致家长告知书（一个乡镇或全区）").click()
    make = page.get_by_role("button", name="生成板桥乡的致家长告知书")
    choose_option(page, "范围", "板桥乡", until=make)
    make.click()
    expect(page.get_by_text("已生成 3 份")).to_be_visible()
    merged = _download(page, "下载 板桥乡_致家长告知书.pdf", tmp_path / "banqiao.pdf")
    info = subprocess.run(["pdfinfo", str(merged)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))) >= 3
    assert squash(pdf_text(merged)).count("致家长告知书") >= 3
    assert external_requests(requests) == []
    page.context.close()

    patrol, _ = open_page(browser, SIZE)
    log_in(patrol, server.url, "sq01", SQ_PASSWORD)
    expect(patrol.get_by_role("heading", name="巡查", level=1)).to_be_visible()
    expect(patrol.get_by_text("共 5 处站点")).to_be_visible()  # 利通区第十一小学's 5 sites, now 上桥镇's
    patrol.screenshot(path=str(shots / "bureau_patrol_1024x768.png"), full_page=True)
    patrol.context.close()
