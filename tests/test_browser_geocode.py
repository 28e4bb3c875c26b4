"""Real-browser test of geocoding in the app (issue 11, done-when): at 1024×768 a clerk places all 40 schools
through the candidate flow from a fake 高德 on 127.0.0.1 — one tap on 查找全部未定位的学校和水体, then per
school at most 3 taps (确认 on the right candidate; 拒绝 a decoy first; or a map click to move the point).

Every school's answer has its own point, so a position saved for the wrong school shows; 高德 answers in
GCJ-02, so the stored WGS-84 position shows the conversion (≈ 390 m here). The time per school is printed."""

from __future__ import annotations

import time

import pytest
import shapely
from playwright.sync_api import Page, expect
from pyproj import Geod

from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.outputs.review import to_place
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.candidates import CandidateStore
from school_water_map.store.database import open_store
from tests.browser_support import StreamlitServer, external_requests, open_page, settle, stored_positions
from tests.fake_geocoders import FakeGeocoders

pytestmark = pytest.mark.browser

GEOD = Geod(ellps="WGS84")
MAX_TAPS = 3
DECOY_EVERY = 5  # every 5th school's first answer is wrong: 拒绝 it, then 确认 (2 taps)
FLOW_MAP = "iframe[title='streamlit_folium.st_folium']"  # the review's map comes first on the page
MOVED = 2  # this school's point is moved by a click on the map before 确认 (2 taps)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def _answers(names: list[str]) -> tuple[dict[str, tuple[float, float]], dict[str, list[tuple[float, float]]]]:
    """Each school's own point inside the district (WGS-84), and what the fake answers for its name."""
    truth = {name: (106.12 + (i % 8) * 0.02, 37.88 + (i // 8) * 0.02) for i, name in enumerate(names)}
    answers = {name: [(lon + 0.011, lat - 0.007), (lon, lat)] if i % DECOY_EVERY == DECOY_EVERY - 1
               else [(lon, lat)] for i, (name, (lon, lat)) in enumerate(truth.items())}
    return truth, answers


def _pending(data: Settings, entity: str) -> list:
    return [c for c in CandidateStore(open_store(data)).load() if c.entity_id == entity and c.status == "pending"]


def _tap(page: Page, key: str) -> None:
    """One tap on the button ``key``, once the page is still (``settle``) and the rerun has replaced any older
    copy of it (a relabelled button is briefly on the page twice)."""
    settle(page)
    button = page.locator(f".st-key-{key} button")
    expect(button).to_have_count(1)
    button.click()


def _place(page: Page, data: Settings, entity: str, point: tuple[float, float], *, move: bool) -> int:
    """Place one school through the flow; returns the taps made."""
    taps = 0
    candidates = _pending(data, entity)
    right = next(c for c in candidates if _metres((c.lon, c.lat), point) < 1.0)
    for wrong in [c for c in candidates if c is not right][:1]:
        if candidates.index(wrong) < candidates.index(right):  # the wrong one is offered first: 拒绝 it
            _tap(page, f"candidate_reject_{wrong.candidate_id}")
            taps += 1
            expect(page.get_by_text(f"已拒绝候选 #{wrong.candidate_id}")).to_be_visible()
    if move:
        settle(page)
        frame = page.frame_locator(FLOW_MAP).first
        frame.locator("img.leaflet-marker-icon").first.wait_for(state="visible")  # drawn, the candidate on it
        container = frame.locator(".leaflet-container")
        box = container.bounding_box()
        assert box is not None
        container.click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 - 70})  # above the marker
        taps += 1
        expect(page.get_by_text("点选的位置：")).to_be_visible()
    _tap(page, f"candidate_confirm_{right.candidate_id}")
    taps += 1
    expect(page.get_by_text(f"确认候选 #{right.candidate_id}：")).to_be_visible()
    return taps


def test_forty_schools_placed_through_the_candidate_flow_in_at_most_three_taps_each(tmp_path, browser, shots,
                                                                                   monkeypatch):
    data = tmp_path / "data"
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(data)})
    schools = [c for c in to_place(build_register(settings)) if c.kind == "school"]
    truth, answers = _answers([s.name for s in schools])
    with FakeGeocoders(answers) as fake:
        for var, value in {"SWMAP_AMAP_KEY": "amap-test", "SWMAP_AMAP_URL": fake.url, "SWMAP_GEOCODE_INTERVAL": "0",
                           "SWMAP_GEOCODE_RETRIES": "0"}.items():
            monkeypatch.setenv(var, value)
        server = StreamlitServer(data, tmp_path / "streamlit.log").start()
        try:
            page, requests = open_page(browser, (1024, 768))
            page.goto(server.url + "/locate")
            expect(page.get_by_role("heading", name="定位与校核")).to_be_visible()
            author = page.get_by_label("录入人（姓名）")
            author.fill("王五")
            author.press("Enter")
            _tap(page, "geocode_all")
            expect(page.get_by_text("个候选，请在下方逐一核对确认")).to_be_visible()
            taps, seconds = [], []
            for number, school in enumerate(schools):
                expect(page.get_by_text(f"正在核对：{school.name}（学校")).to_be_visible()  # riskiest first, by itself
                start = time.monotonic()
                taps.append(_place(page, settings, school.entity_id, truth[school.name], move=number == MOVED))
                seconds.append(time.monotonic() - start)
                if number == MOVED:
                    page.screenshot(path=str(shots / "geocode_flow_1024x768.png"))
            assert external_requests(requests) == []
            page.context.close()
        finally:
            server.stop()
    print(f"\n40 schools through the candidate flow: {sum(seconds) / len(seconds):.1f} s per school "
          f"(median {sorted(seconds)[len(seconds) // 2]:.1f} s, max {max(seconds):.1f} s), "
          f"{sum(taps) / len(taps):.2f} taps per school (max {max(taps)}), {len(fake.requests)} geocoder requests")
    assert len(taps) == 40 and max(taps) <= MAX_TAPS
    positions = {r.entity_id: r for r in stored_positions(data)}
    sent = {c.entity_id: c.raw["location"] for c in CandidateStore(open_store(settings)).load()
            if c.status == "confirmed"}
    assert set(positions) == {s.entity_id for s in schools}
    for number, school in enumerate(schools):
        stored = positions[school.entity_id]
        assert (stored.precision, stored.method, stored.author) == ("geocoded", "geocoder", "王五")
        assert stored.source.startswith(f"高德：{school.name}")
        got = (shapely.get_x(stored.geometry), shapely.get_y(stored.geometry))
        if number == MOVED:
            assert "人工点选调整" in stored.source and 1.0 < _metres(got, truth[school.name]) < 20_000
            continue
        assert _metres(got, truth[school.name]) < 1.0, school.name  # its own point, in WGS-84
        raw = tuple(map(float, sent[school.entity_id].split(",")))
        assert _metres(got, raw) > 100 and _metres(raw, tuple(map(float, wgs84_to_gcj02(*got)))) < 1.0  # GCJ-02 in
