"""Real-browser tests: ``streamlit run app.py`` driven by Debian's Chromium through Playwright.

Each test waits on a condition (an element, a text, the health endpoint), never on a fixed sleep.
Screenshots go to a temporary folder, or to ``SWMAP_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_support import (
    PAGES,
    VIEWPORTS,
    StreamlitServer,
    external_requests,
    fits_a_tablet,
    map_frame,
    open_page,
    open_popup,
    stored_positions,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pages_render_offline_in_chinese_on_a_tablet(server, browser, shots, size):
    page, requests = open_page(browser, size)
    for name, path, heading in PAGES:
        page.goto(server.url + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        if name != "register":
            frame = map_frame(page)
            expect(frame.locator("path.swm-school")).to_have_count(1)
            expect(frame.locator(".swm-legend")).to_contain_text("风险等级")
            assert frame.locator("path.swm-derived").count() >= 4
        else:
            expect(page.get_by_text("附件共 89 行")).to_be_visible()
        fits_a_tablet(page, name)
        page.screenshot(path=str(shots / f"{name}_{size[0]}x{size[1]}.png"))
    assert external_requests(requests) == [], "requests left 127.0.0.1"
    assert any("/app/static/vendor/leaflet/leaflet.js" in url for url in requests)
    page.context.close()


def test_school_popup_lists_its_water_in_chinese(server, browser):
    page, requests = open_page(browser, (1024, 768))
    page.goto(server.url)
    popup = open_popup(map_frame(page), "path.swm-school")
    expect(popup).to_contain_text("利通区第十一小学")
    expect(popup).to_contain_text("秦渠")
    expect(popup).to_contain_text("学校北 400 米")
    expect(popup).to_contain_text("实测")
    assert external_requests(requests) == []
    page.context.close()


def test_tablet_gps_fills_the_position_when_the_page_is_secure(server, browser):
    page, requests = open_page(browser, (768, 1024), geolocation={"latitude": 37.99, "longitude": 106.21},
                           permissions=["geolocation"])
    page.goto(server.url + "/locate")
    expect(page.get_by_role("heading", name="定位与校核")).to_be_visible()
    page.get_by_text("平板定位", exact=True).click()
    page.get_by_role("button", name="获取平板当前位置").click()
    expect(page.get_by_text(re.compile(r"待保存的位置：37°59′24\.0″N、106°12′36\.0″E"))).to_be_visible()
    assert external_requests(requests) == []
    page.context.close()


def test_a_position_file_is_imported_whole_or_not_at_all(server, browser, tmp_path):
    page, requests = open_page(browser, (768, 1024))
    page.goto(server.url + "/locate")
    expect(page.get_by_role("heading", name="定位与校核")).to_be_visible()
    author = page.get_by_label("录入人（姓名）")
    author.fill("赵六")
    author.press("Enter")
    page.get_by_text("批量导入（CSV）", exact=True).click()
    bad = tmp_path / "bad.csv"
    bad.write_text("编号或名称,经度,纬度\n秦渠,106.21,37.99\n没有这处水,106.2,37.98\n", encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
    expect(page.get_by_text("bad.csv", exact=True)).to_be_visible()
    page.get_by_role("button", name="导入全部位置").click()
    expect(page.get_by_text("文件未导入：共 1 处问题")).to_be_visible()
    expect(page.get_by_text("第 3 行：找不到学校或水体：“没有这处水”")).to_be_visible()
    assert [r.entity_id for r in stored_positions(server.data_dir)] == ["640302-S01"]
    good = tmp_path / "good.csv"
    good.write_text("编号或名称,经度,纬度,坐标系\n秦渠,106.21,37.99,WGS-84\n", encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(good))
    expect(page.get_by_text("good.csv", exact=True)).to_be_visible()  # uploaded before the button is pressed
    expect(page.get_by_text("文件未导入")).to_have_count(0)  # and the rerun the upload started has finished
    page.get_by_role("button", name="导入全部位置").click()
    expect(page.get_by_text("已导入 1 处位置（good.csv）")).to_be_visible()
    last = stored_positions(server.data_dir)[-1]
    assert (last.entity_id, last.method, last.author) == ("640302-W01", "csv", "赵六")
    assert external_requests(requests) == []
    page.context.close()


def test_a_school_located_by_a_click_stays_after_a_restart(tmp_path, browser, shots):
    data = tmp_path / "data"
    server = StreamlitServer(data, tmp_path / "streamlit.log").start()
    try:
        page, requests = open_page(browser, (1024, 768))
        page.goto(server.url + "/locate")
        expect(page.get_by_role("heading", name="定位与校核")).to_be_visible()
        expect(page.get_by_text("马莲渠中心巴浪湖小学：未定位")).to_be_visible()  # the riskiest unplaced school
        author = page.get_by_label("录入人（姓名）")
        author.fill("王五")
        author.press("Enter")
        frame = map_frame(page)
        box = frame.locator("#map_div").bounding_box()
        assert box is not None
        frame.locator("#map_div").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        expect(page.get_by_text("待保存的位置")).to_be_visible()
        expect(frame.locator("img.leaflet-marker-icon")).to_have_count(1)  # the pending pin, without a reload
        page.get_by_role("button", name="保存“马莲渠中心巴浪湖小学”的位置").click()
        expect(page.get_by_text("已保存“马莲渠中心巴浪湖小学”的位置")).to_be_visible()
        frame = map_frame(page)
        expect(frame.locator("path.swm-school")).to_have_count(1)
        expect(frame.locator("path.swm-gate")).to_have_count(1)  # its canal at the gate, derived at once
        expect(page.get_by_text("按附件方向（东）和距离 2000 米推算")).to_be_attached()  # a grid cell
        page.screenshot(path=str(shots / "locate_after_click_1024x768.png"))
        page.context.close()
        assert external_requests(requests) == []
    finally:
        server.stop()
    (record,) = stored_positions(data)
    assert (record.entity_id, record.method, record.author) == ("640302-S08", "click", "王五")

    restarted = StreamlitServer(data, tmp_path / "streamlit.log").start()
    try:
        page, _ = open_page(browser, (768, 1024))
        page.goto(restarted.url)
        expect(page.get_by_text("已定位 1/40 所学校，1/51 处水体。尚有 39 所学校未定位")).to_be_visible()
        frame = map_frame(page)
        expect(frame.locator("path.swm-school")).to_have_count(1)
        expect(frame.locator("path.swm-school.swm-unconfirmed")).to_have_count(1)  # no imagery: unconfirmed
        page.context.close()
    finally:
        restarted.stop()
