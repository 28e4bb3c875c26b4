"""Real-browser test of 定位与校核 → 描绘水体 at 1024×768: draw 波浪渠 as a line on the map in the st_folium
frame with Leaflet.draw's Chinese toolbar, by clicking with a mouse and by tapping on a touch screen; save it;
find it in the store and row 83's computed distance in the register; no request leaves 127.0.0.1.
Screenshots at 1024×768 and 768×1024.

板桥波浪渠小学 is placed by typed coordinates and the line is clicked at chosen coordinates: test data, not
the school's or the canal's real position."""

from __future__ import annotations

import re

import pytest
import shapely
from playwright.sync_api import Frame, Page, expect

from school_water_map.outputs.review import to_place
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from tests.browser_support import (
    MAP_FRAME,
    WAIT_MS,
    StreamlitServer,
    choose_option,
    external_requests,
    open_page,
    stored_positions,
)
from tests.placing import place

pytestmark = pytest.mark.browser

SCHOOL = (106.30, 37.90)  # test data
#: Where the line is clicked (lon, lat), about 55 m south of ``SCHOOL``: test data.
CLICKS = [(106.298, 37.8995), (106.300, 37.8995), (106.302, 37.8996)]
#: Where the last vertex is dragged to once the line is saved: test data.
MOVED = (106.302, 37.8992)


def _trace_frame(page: Page) -> Frame:
    """The st_folium frame once the drawing toolbar is in it."""
    toolbar = page.frame_locator(MAP_FRAME).first.locator("a.leaflet-draw-draw-polyline")
    expect(toolbar).to_be_visible()
    handle = page.locator(MAP_FRAME).first.element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None
    return frame


def _pixel(frame: Frame, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is drawn in the map's container (the offline basemap is WGS-84)."""
    x, y = frame.evaluate("([lat, lon]) => { const p = window.map_div.latLngToContainerPoint([lat, lon]);"
                          " return [p.x, p.y]; }", [lat, lon])
    return x, y


def _click_at(frame: Frame, lon: float, lat: float, *, touch: bool = False) -> None:
    """Click (or tap, on a touch screen) the map at (lon, lat)."""
    x, y = _pixel(frame, lon, lat)
    target = frame.locator(".leaflet-container").first
    if touch:
        target.tap(position={"x": x, "y": y})
    else:
        target.click(position={"x": x, "y": y})


def _add_vertex(frame: Frame, lon: float, lat: float, count: int, *, touch: bool, tries: int = 3) -> None:
    """Click at (lon, lat) until the line has ``count`` vertices: Leaflet.draw ignores a click that comes within
    50 ms of the last vertex (a double click's second half), and a test clicks faster than a person. A click
    that did add a vertex is never repeated (that would end the line). Bounded: ``tries`` clicks, each waited on."""
    vertices = frame.locator(".leaflet-div-icon.leaflet-editing-icon")
    for attempt in range(tries):
        _click_at(frame, lon, lat, touch=touch)
        try:
            expect(vertices).to_have_count(count, timeout=WAIT_MS if attempt == tries - 1 else 2_000)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise


def _open_tracing(page: Page, url: str, label: str) -> Frame:
    page.goto(url + "/locate")
    expect(page.get_by_role("heading", name="定位与校核")).to_be_visible()
    author = page.get_by_label("录入人（姓名）")
    author.fill("王五")
    author.press("Enter")
    choose_option(page, "要定位的学校或水体", label, until=page.get_by_text(re.compile("^波浪渠：")))
    page.get_by_text("描绘水体", exact=True).click()
    frame = _trace_frame(page)
    frame.evaluate("() => window.map_div.setView([37.8998, 106.300], 17, {animate: false})")
    return frame


@pytest.mark.parametrize("touch", [False, True], ids=["mouse", "touch"])
def test_a_canal_traced_on_the_map_gives_row_83_a_computed_distance(tmp_path, browser, shots, touch):
    data = tmp_path / "data"
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(data)})
    place(settings, "板桥波浪渠小学", *SCHOOL)  # test data, typed coordinates
    (canal,) = [c for c in to_place(build_register(settings)) if c.name == "波浪渠"]
    server = StreamlitServer(data, tmp_path / "streamlit.log").start()
    try:
        page, requests = open_page(browser, (1024, 768), has_touch=touch)
        how = "touch" if touch else "mouse"
        frame = _open_tracing(page, server.url, canal.label)
        expect(frame.locator("a.leaflet-draw-draw-polygon")).to_have_count(0)  # a canal is a line, not an outline
        expect(frame.locator("a.leaflet-draw-draw-polyline")).to_have_attribute("title", "描绘线（渠道、沟、河流）")
        double_tap_zooms = "() => window.map_div.doubleClickZoom.enabled()"
        assert frame.evaluate(double_tap_zooms)
        frame.locator("a.leaflet-draw-draw-polyline").click()
        for count, (lon, lat) in enumerate(CLICKS, start=1):
            _add_vertex(frame, lon, lat, count, touch=touch)
        # taps 150 ms apart are a double tap to Leaflet: while drawing it must not zoom (the next tap would miss)
        assert frame.evaluate("() => window.map_div.getZoom()") == 17 and not frame.evaluate(double_tap_zooms)
        expect(frame.locator(".leaflet-draw-tooltip")).to_contain_text("点按最后一个点")
        controls = frame.evaluate("""() => [...document.querySelectorAll('.leaflet-draw a')]
            .filter(a => a.offsetParent !== null)
            .map(a => [a.title || a.innerText, Math.round(a.getBoundingClientRect().height)])""")
        titles = ["描绘线（渠道、沟、河流）", "结束描绘", "删除最后画的一点", "取消描绘",
                  "没有可修改的图形", "没有可删除的图形"]
        assert [text for text, _ in controls] == titles  # every button's title in Chinese
        assert all(height >= 44 for _, height in controls), controls  # a finger's target
        page.screenshot(path=str(shots / f"trace_drawing_1024x768_{how}.png"))
        frame.get_by_role("link", name="完成").click()
        assert frame.evaluate(double_tap_zooms)  # back once the line is finished
        expect(page.get_by_text(re.compile(r"待保存的图形：线，3 个顶点，长约 \d+ 米"))).to_be_visible()
        expect(page.get_by_role("radio", name=re.compile("未确认"))).to_be_checked()  # no imagery: unconfirmed
        page.screenshot(path=str(shots / f"trace_ready_1024x768_{how}.png"))
        page.set_viewport_size({"width": 768, "height": 1024})
        expect(page.get_by_role("button", name="保存“波浪渠”的图形")).to_be_visible()
        page.screenshot(path=str(shots / f"trace_ready_768x1024_{how}.png"))
        page.get_by_text("定位方式").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"trace_top_768x1024_{how}.png"))
        page.set_viewport_size({"width": 1024, "height": 768})
        page.get_by_role("button", name="保存“波浪渠”的图形").click()
        expect(page.get_by_text("已保存“波浪渠”的图形")).to_be_visible()
        _move_last_vertex(page)
        page.get_by_role("button", name="保存“波浪渠”的图形").click()
        expect(page.get_by_text("已保存“波浪渠”的图形")).to_be_visible()
        assert external_requests(requests) == []
        page.context.close()
    finally:
        server.stop()
    traced, edited = [r for r in stored_positions(data) if r.entity_id == canal.entity_id]
    assert (traced.method, traced.precision, traced.author) == ("trace", "geocoded", "王五")
    assert traced.geometry.geom_type == "LineString"
    coords = shapely.get_coordinates(traced.geometry)
    assert len(coords) == 3 and abs(coords - CLICKS).max() < 2e-5  # within about 2 m of each click
    assert abs(shapely.get_coordinates(edited.geometry) - [*CLICKS[:2], MOVED]).max() < 2e-5  # only the last moved
    row = build_register(settings).pairs.set_index("row").loc[83]
    assert row["computed_distance_m"] == pytest.approx(55.5, abs=3)


def _move_last_vertex(page: Page) -> None:
    """Once the line is saved, it is on the map again, editable: drag its last vertex and keep the change."""
    edit = page.frame_locator(MAP_FRAME).first.locator("a.leaflet-draw-edit-edit")
    expect(edit).to_have_attribute("title", "修改顶点")  # the saved line is loaded
    frame = _trace_frame(page)
    frame.evaluate("() => window.map_div.setView([37.8998, 106.300], 17, {animate: false})")
    frame.locator("a.leaflet-draw-edit-edit").click()
    expect(frame.locator(".leaflet-editing-icon").first).to_be_visible()
    box = frame.locator(".leaflet-container").first.bounding_box()
    assert box is not None
    (x0, y0), (x1, y1) = _pixel(frame, *CLICKS[-1]), _pixel(frame, *MOVED)
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    page.mouse.move(box["x"] + x1, box["y"] + y1, steps=8)
    page.mouse.up()
    frame.get_by_role("link", name="完成修改").click()
    expect(page.get_by_text(re.compile(r"待保存的图形：线，3 个顶点"))).to_be_visible()
