"""定位与校核 · geocoding in the app, with Streamlit's AppTest: the 查找全部 run against the fake geocoders on
127.0.0.1, the per-place search box, and the review flow (one place at a time, riskiest first, moving on)."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Geod

from app_pages.parts import state
from school_water_map.domain.candidates import Candidate
from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.outputs.review import to_place
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.candidates import CandidateStore
from school_water_map.store.database import open_store
from tests.app_support import login, new_app, refused_outside_district, run_page, texts
from tests.fake_geocoders import FakeGeocoders

LOCATE = "app_pages/locate.py"
S01 = "640302-S01"  # 利通区第十一小学
GEOD = Geod(ellps="WGS84")


@pytest.fixture
def amap(app_settings, monkeypatch):
    """高德 configured, pointing at a fake on 127.0.0.1 that answers each school's name at its own point."""
    register = build_register(app_settings)
    places = {name: [(106.10 + i * 0.004, 37.90 + i * 0.003)] for i, name in enumerate(register.schools["name"])}
    with FakeGeocoders(places) as fake:
        for var, value in {"SWMAP_AMAP_KEY": "amap-test", "SWMAP_AMAP_URL": fake.url, "SWMAP_GEOCODE_INTERVAL": "0",
                           "SWMAP_GEOCODE_TIMEOUT": "1", "SWMAP_GEOCODE_RETRIES": "0"}.items():
            monkeypatch.setenv(var, value)
        yield fake


def _schools_riskiest_first(settings: Settings) -> list[str]:
    return [c.entity_id for c in to_place(build_register(settings)) if c.kind == "school"]


def _add(settings: Settings, entity: str, *points: tuple[float, float]) -> list[int]:
    answers = [Candidate("tianditu", entity, f"{entity}答案{i}", "利通区", lon, lat)
               for i, (lon, lat) in enumerate(points)]
    return [c.candidate_id for c in CandidateStore(open_store(settings)).add(entity, answers)]


def _search_box(at):
    (box,) = [t for t in at.text_input if str(t.key).startswith("geocode_query_")]  # state.typed_key
    return box


def _locate(author: str = "张三"):
    at = run_page(new_app(), LOCATE)
    at.text_input(key="author").input(author)
    return run_page(at)


# the run --------------------------------------------------------------------------------------------------------

def test_find_all_fills_the_queue_from_the_provider_in_wgs84(app_settings, amap):
    at = run_page(new_app(), LOCATE)
    at.button(key="geocode_all").click()
    run_page(at)
    register = build_register(app_settings)
    records = CandidateStore(open_store(app_settings)).load()
    by_entity = {c.entity_id: c for c in records}
    assert set(register.schools.index) <= set(by_entity)  # every unplaced school was asked for
    assert all(c.status == "pending" for c in records)  # nothing confirmed without a person
    assert open_store(app_settings).positions.load() == []
    name = register.schools.at[S01, "name"]
    lon, lat = amap.places[name][0]
    got = by_entity[S01]
    assert (got.provider, got.answer_crs) == ("amap", "GCJ02")
    assert GEOD.inv(got.lon, got.lat, lon, lat)[2] < 1.0  # GCJ-02 converted back to WGS-84
    assert GEOD.inv(*map(float, wgs84_to_gcj02(lon, lat)), lon, lat)[2] > 100  # the conversion mattered
    assert "得到" in at.success[0].value and not at.error
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == _schools_riskiest_first(app_settings)[0]
    assert len(amap.requests) >= len(register.schools)  # asked the fake, one query per place at least


def test_a_spent_quota_stops_the_run_names_the_place_and_keeps_stored_candidates(app_settings, monkeypatch):
    (kept,) = _add(app_settings, S01, (106.2035, 37.9871))
    with FakeGeocoders(every="quota") as fake:
        for var, value in {"SWMAP_AMAP_KEY": "amap-test", "SWMAP_AMAP_URL": fake.url, "SWMAP_GEOCODE_INTERVAL": "0",
                           "SWMAP_GEOCODE_RETRIES": "0"}.items():
            monkeypatch.setenv(var, value)
        at = run_page(new_app(), LOCATE)
        at.button(key="geocode_all").click()
        run_page(at)
        assert len(fake.requests) == 1  # stopped: the next query would fail the same way
    (error,) = at.error
    first = build_register(app_settings).schools["name"].iloc[0]
    assert f"查找“{first}”" in error.value and "高德" in error.value and "配额" in error.value
    assert "已停止" in error.value and "已查到的候选均已保留" in error.value
    assert [c.candidate_id for c in CandidateStore(open_store(app_settings)).load()] == [kept]


def test_without_a_provider_the_page_says_so_and_links_to_settings(app_settings):
    at = run_page(new_app(), LOCATE)
    assert not [b for b in at.button if b.key in ("geocode_all", "geocode_search")]
    assert "尚未配置在线地理编码" in at.info[0].value and "设置" in at.info[0].value
    assert "没有待确认的候选" in texts(at.caption)


def test_a_patrol_never_runs_a_geocoder(app_settings, accounts, amap):
    at = run_page(login("bq01"), LOCATE)
    assert at.title[0].value == "定位与校核"
    assert not [b for b in at.button if b.key in ("geocode_all", "geocode_search")]
    assert amap.requests == []


def test_the_search_box_asks_in_the_persons_words_for_the_place_at_hand(app_settings, amap):
    amap.places["板桥乡 波浪渠小学"] = [(106.31, 37.93)]
    at = run_page(new_app(), LOCATE)
    chosen = at.selectbox(key=state.LOCATE_ENTITY).value
    _search_box(at).input("板桥乡 波浪渠小学")
    at.button(key="geocode_search").click()
    run_page(at)
    (found,) = CandidateStore(open_store(app_settings)).load()
    assert (found.entity_id, found.query, found.status) == (chosen, "板桥乡 波浪渠小学", "pending")
    assert "找到 1 个候选" in at.success[0].value
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == chosen  # the review shows what was just found


def test_a_search_with_no_answer_says_so(app_settings, amap):
    at = run_page(new_app(), LOCATE)
    _search_box(at).input("none")
    at.button(key="geocode_search").click()
    run_page(at)
    assert "“none”没有找到结果" in at.warning[0].value
    assert CandidateStore(open_store(app_settings)).load() == []


# the flow -------------------------------------------------------------------------------------------------------

def test_one_tap_confirms_and_the_flow_moves_to_the_next_riskiest(app_settings):
    first, second, third = _schools_riskiest_first(app_settings)[:3]
    _add(app_settings, third, (106.22, 37.97))
    best, other = _add(app_settings, first, (106.2035, 37.9871), (106.2101, 37.9902))
    _add(app_settings, second, (106.21, 37.98))
    at = _locate()
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == first  # riskiest first, not the first added
    at.button(key=f"candidate_confirm_{best}").click()
    run_page(at)
    assert f"已确认候选 #{best}" in at.success[0].value and "其余 1 个候选已随之拒绝" in at.success[0].value
    (stored,) = open_store(app_settings).positions.load()
    assert (stored.entity_id, stored.precision, stored.method, stored.author) == (first, "geocoded", "geocoder", "张三")
    assert stored.source.startswith("天地图：")
    assert (shapely.get_x(stored.geometry), shapely.get_y(stored.geometry)) == pytest.approx((106.2035, 37.9871))
    statuses = {c.candidate_id: c.status for c in CandidateStore(open_store(app_settings)).load()}
    assert (statuses[best], statuses[other]) == ("confirmed", "rejected")
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == second  # moved on by itself


def test_rejecting_keeps_the_place_until_its_last_candidate_then_moves_on(app_settings):
    first, second = _schools_riskiest_first(app_settings)[:2]
    wrong, right = _add(app_settings, first, (106.25, 37.95), (106.2035, 37.9871))
    _add(app_settings, second, (106.21, 37.98))
    at = _locate()
    at.button(key=f"candidate_reject_{wrong}").click()
    run_page(at)
    assert f"已拒绝候选 #{wrong}" in at.success[0].value
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == first  # one candidate left here
    at.button(key=f"candidate_reject_{right}").click()
    run_page(at)
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == second
    assert open_store(app_settings).positions.load() == []  # rejecting never places


def test_a_point_clicked_for_one_place_is_never_offered_for_the_next(app_settings):
    first, second = _schools_riskiest_first(app_settings)[:2]
    (one,) = _add(app_settings, first, (106.2035, 37.9871))
    (two,) = _add(app_settings, second, (106.21, 37.98))
    at = _locate()
    at.session_state[state.CANDIDATE_ADJUST] = (first, 106.2050, 37.9880, "WGS84")  # as a map click leaves it
    run_page(at)
    assert at.button(key=f"candidate_confirm_{one}").proto.label == "按点选确认"
    at.selectbox(key=state.CANDIDATE_ENTITY).set_value(second)  # another place chosen: the click is dropped
    run_page(at)
    assert at.button(key=f"candidate_confirm_{two}").proto.label == "确认"
    assert not any("点选的位置" in i.value for i in at.info)
    at.selectbox(key=state.CANDIDATE_ENTITY).set_value(first)
    run_page(at)
    assert at.button(key=f"candidate_confirm_{one}").proto.label == "确认"  # and it does not come back


def test_confirming_a_clicked_point_records_it_and_the_next_place_starts_clean(app_settings):
    first, second = _schools_riskiest_first(app_settings)[:2]
    (one,) = _add(app_settings, first, (106.2035, 37.9871))
    (two,) = _add(app_settings, second, (106.21, 37.98))
    at = _locate()
    at.session_state[state.CANDIDATE_ADJUST] = (first, *map(float, wgs84_to_gcj02(106.2050, 37.9880)), "GCJ02")
    run_page(at)
    at.button(key=f"candidate_confirm_{one}").click()
    run_page(at)
    (stored,) = open_store(app_settings).positions.load()
    assert stored.entity_id == first and "人工点选调整" in stored.source and "调整前" in stored.note
    assert GEOD.inv(shapely.get_x(stored.geometry), shapely.get_y(stored.geometry), 106.2050, 37.9880)[2] < 1.0
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == second
    assert at.button(key=f"candidate_confirm_{two}").proto.label == "确认"


def test_nothing_is_confirmed_without_a_name(app_settings):
    (one,) = _add(app_settings, S01, (106.2035, 37.9871))
    at = run_page(new_app(), LOCATE)
    assert at.button(key=f"candidate_confirm_{one}").disabled and at.button(key=f"candidate_reject_{one}").disabled


def test_a_candidate_outside_the_district_is_not_confirmed(app_settings):
    (far,) = _add(app_settings, "640302-W01", (116.4, 39.9))
    at = _locate()
    assert at.selectbox(key=state.CANDIDATE_ENTITY).value == "640302-W01"
    refused_outside_district(at, f"candidate_confirm_{far}", app_settings, f"未确认候选 #{far}")
    assert CandidateStore(open_store(app_settings)).load()[0].status == "pending"
