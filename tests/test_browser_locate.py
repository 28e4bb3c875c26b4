"""Real-browser regression test of the 定位与校核 page's typed coordinates: after saving one school, or on
choosing another place, the typed numbers and the pending position are gone — they were once kept, and
one tap on 保存 then placed the next school at the first school's coordinates."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from school_water_map.outputs.review import to_place
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from tests.browser_support import (
    MAP_FRAME,
    StreamlitServer,
    choose_option,
    external_requests,
    map_frame,
    open_page,
    stored_positions,
)
from tests.placing import place

pytestmark = pytest.mark.browser


def _type(page: Page, lon: str, lat: str) -> None:
    page.get_by_label("经度").fill(lon)
    latitude = page.get_by_label("纬度")
    latitude.fill(lat)
    latitude.press("Enter")


def _nothing_armed(page: Page, name: str) -> None:
    expect(page.get_by_text(f"{name}：未定位")).to_be_visible()
    # once the rerun has replaced the last place's inputs (until it ends, they stay on the page, greyed): one
    # 经度 and one 纬度 field, both empty
    page.wait_for_function("""() => ['经度', '纬度'].every(label => {
        const fields = [...document.querySelectorAll(`input[aria-label="${label}"]`)];
        return fields.length === 1 && fields[0].value === ''; })""")
    expect(page.get_by_text("待保存的位置")).to_have_count(0)
    expect(page.get_by_role("button", name=f"保存“{name}”的位置")).to_have_count(0)


def test_typed_coordinates_never_carry_over_to_the_next_place(tmp_path, browser, shots):
    data = tmp_path / "data"
    first, second, third = to_place(build_register(Settings.from_env({"SWMAP_DATA_DIR": str(data)})))[:3]
    server = StreamlitServer(data, tmp_path / "streamlit.log").start()
    try:
        page, requests = open_page(browser, (1024, 768))
        page.goto(server.url + "/locate")
        expect(page.get_by_role("heading", name="定位与校核")).to_be_visible()
        author = page.get_by_label("录入人（姓名）")
        author.fill("王五")
        author.press("Enter")
        page.get_by_text("输入坐标", exact=True).click()
        expect(page.get_by_text(f"{first.name}：未定位")).to_be_visible()
        _type(page, "106.2035", "37.9875")
        preview = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
        pin = preview.locator("img.leaflet-marker-icon[src*='marker-icon']")
        expect(pin).to_have_count(1)  # the typed point, before saving
        page.get_by_role("button", name=f"保存“{first.name}”的位置").click()
        expect(page.get_by_text(f"已保存“{first.name}”的位置")).to_be_visible()
        expect(page.get_by_label("经度")).to_have_value("")  # saved: the fields are cleared
        choose_option(page, "要定位的学校或水体", second.label)
        _nothing_armed(page, second.name)  # the second school: nothing to save for it
        _type(page, "106.25", "37.95")  # typed, not saved, and then another place is chosen
        expect(page.get_by_role("button", name=f"保存“{second.name}”的位置")).to_be_visible()
        choose_option(page, "要定位的学校或水体", third.label)
        _nothing_armed(page, third.name)
        page.screenshot(path=str(shots / "locate_next_school_1024x768.png"))
        assert external_requests(requests) == []
        page.context.close()
    finally:
        server.stop()
    assert [(r.entity_id, r.method) for r in stored_positions(data)] == [(first.entity_id, "typed")]


def test_the_map_search_zooms_to_a_school_and_opens_its_popup_twice_in_a_row(tmp_path, browser, shots):
    data = tmp_path / "data"
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(data)})
    place(settings, "利通区第十一小学")
    place(settings, "马莲渠中心巴浪湖小学", 106.25, 37.90)  # test positions, not the schools' real ones
    server = StreamlitServer(data, tmp_path / "streamlit.log").start()
    try:
        page, requests = open_page(browser, (1024, 768))
        page.goto(server.url)
        frame = map_frame(page)
        expect(frame.locator(".leaflet-popup-content")).to_have_count(0)
        for label, name in (("马莲渠中心巴浪湖小学（学校 · 马莲渠乡）", "马莲渠中心巴浪湖小学"),
                            ("利通区第十一小学（学校 · 待确认）", "利通区第十一小学")):
            popup = page.frame_locator(MAP_FRAME).first.locator(".leaflet-popup-content")
            choose_option(page, "查找学校或水体", label, until=popup.filter(has_text=name).first)
            expect(popup).to_have_count(1)
            expect(popup.locator("b").first).to_have_text(name)
        page.screenshot(path=str(shots / "map_search_1024x768.png"))
        assert external_requests(requests) == []
        page.context.close()
    finally:
        server.stop()
