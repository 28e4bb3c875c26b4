"""The app's page flows with Streamlit's AppTest (the map component is checked through its arguments)."""

from __future__ import annotations

import json
import re

import pytest
import shapely
from streamlit.testing.v1 import AppTest

from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.outputs.review import to_place
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from school_water_map.store.prefs import PrefsStore
from tests.app_support import MAP_TITLE, new_app, refused_outside_district, run_page, shown, shown_map, texts
from tests.placing import TEST_LAT, TEST_LON, place

S01 = "640302-S01"  # 利通区第十一小学
S08 = "640302-S08"  # 马莲渠中心巴浪湖小学 (first in the register: row 15, at the gate)


def _typed(at, label: str):
    """The 输入坐标 input ``label`` (its key changes with each place chosen: ``state.typed_key``)."""
    (found,) = [t for t in at.text_input if t.label == label]
    return found


def _map_args(at: AppTest, index: int = 0) -> dict:
    """The map's script and assets: the 地图 page's cached HTML document (an iframe), or st_folium's arguments."""
    frames = [shown_map(at)] if any(f.proto.alt == MAP_TITLE for f in at.get("iframe")) else []
    if frames:
        scripts = re.findall(r'<script src="([^"]+)"|<script>/\* inlined: (\S+) \*/', frames[0])
        return {"script": frames[0], "returned_objects": [], "js_links": [a or b for a, b in scripts],
                "css_links": re.findall(r'<link rel="stylesheet" href="([^"]+)"', frames[0])}
    components = [c for c in at.get("component_instance") if "st_folium" in c.proto.component_name]
    return json.loads(components[index].proto.json_args)


def test_map_page_works_offline_and_says_what_is_unplaced(app_settings):
    at = run_page(new_app())
    assert at.title[0].value == "学校周边危险水域地图"
    assert "已定位 0/40 所学校，1/51 处水体。尚有 40 所学校未定位" in at.warning[0].value
    args = _map_args(at)
    assert args["returned_objects"] == []  # a click on this map does not rerun the page
    assert args["js_links"] and all(u.startswith("/app/static/vendor/") for u in args["js_links"] + args["css_links"])
    assert "黄河" in args["script"] and "青铜峡市" in args["script"] and "swm-school" not in args["script"]
    assert "L.tileLayer" not in args["script"]  # offline by default: no tiles
    assert "天地图底图需要密钥" in texts(at.caption)


def test_a_placed_school_is_drawn_and_the_basemap_choice_survives_a_reload(app_settings):
    place(app_settings, "利通区第十一小学")
    at = run_page(new_app())
    assert "已定位 1/40 所学校" in at.warning[0].value and "尚有 39 所学校未定位" in at.warning[0].value
    assert "swm-school" in _map_args(at)["script"] and "利通区第十一小学" in _map_args(at)["script"]
    at.selectbox(key="map_basemap").set_value("amap_vec")
    run_page(at)
    assert PrefsStore(open_store(app_settings)).load().basemap == "amap_vec"
    assert "autonavi" in _map_args(at)["script"]
    reloaded = run_page(new_app())  # a new session: the choice comes from the store
    assert reloaded.selectbox(key="map_basemap").value == "amap_vec"
    _, gcj_lat = wgs84_to_gcj02(TEST_LON, TEST_LAT)
    assert f"{float(gcj_lat):.6f}"[:8] in _map_args(reloaded)["script"]  # drawn shifted to GCJ-02


def test_a_saved_tianditu_choice_without_a_key_falls_back_and_says_why(app_settings):
    PrefsStore(open_store(app_settings)).update(basemap="tianditu_img")
    at = run_page(new_app())
    assert at.selectbox(key="map_basemap").value == "none"
    assert "未设置天地图密钥" in texts(at.caption) and "L.tileLayer" not in _map_args(at)["script"]


def test_tianditu_is_offered_with_a_key(app_settings, monkeypatch):
    monkeypatch.setenv("SWMAP_TIANDITU_KEY", "k123")
    PrefsStore(open_store(app_settings)).update(basemap="tianditu_img")
    at = run_page(new_app())
    assert "天地图 影像" in at.selectbox(key="map_basemap").options
    assert "tianditu.gov.cn" in _map_args(at)["script"] and "tk=k123" in _map_args(at)["script"]


def test_map_filters_narrow_the_schools(app_settings):
    place(app_settings, "利通区第十一小学")
    place(app_settings, "马莲渠中心巴浪湖小学", 106.25, 37.90)
    at = run_page(new_app())
    assert _map_args(at)["script"].count("swm-school") == 2
    at.selectbox(key="map_township").set_value("马莲渠乡")
    run_page(at)
    assert _map_args(at)["script"].count("swm-school") == 1 and "利通区第十一小学" not in _map_args(at)["script"]
    at.selectbox(key="map_township").set_value("全部乡镇")
    at.button_group(key="map_levels").set_value(["high"])
    run_page(at)
    assert _map_args(at)["script"].count("swm-school") == 1


def test_register_lists_every_row_and_filters_and_searches(app_settings):
    at = run_page(new_app(), "app_pages/register.py")
    assert at.title[0].value == "隐患清单"
    table = at.dataframe[0].value
    assert len(table) == 89 and list(table["序号"][:3]) == [15, 83, 44] and "原因" in table.columns
    assert [b.label for b in at.download_button] == ["下载 CSV", "下载 Excel（XLSX）"]
    at.text_input(key="register_search").input("巴浪湖")
    run_page(at)
    assert list(at.dataframe[0].value["序号"]) == [15, 14]
    at.text_input(key="register_search").input("")
    at.selectbox(key="register_distance").set_value("unknown")
    run_page(at)
    assert list(at.dataframe[0].value["序号"]) == [16]
    assert "当前显示 1 行" in texts(at.caption)


def test_choosing_an_unplaced_row_offers_to_locate_it(app_settings):
    at = run_page(new_app(), "app_pages/register.py")
    at.session_state["register_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    run_page(at)
    assert at.subheader[0].value == "第 15 行：马莲渠中心巴浪湖小学 — 水渠"
    assert "该校尚未定位" in texts(at.info)
    at.button(key="register_locate_school").click()
    run_page(at)
    assert at.title[0].value == "定位与校核"
    assert at.selectbox(key="locate_entity").value == S08


def test_choosing_a_placed_row_shows_it_on_a_focused_map(app_settings):
    place(app_settings, "马莲渠中心巴浪湖小学", 106.25, 37.90)
    at = run_page(new_app(), "app_pages/register.py")
    at.session_state["register_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    run_page(at)
    args = _map_args(at)
    assert "swm-gate" in args["script"] and "fitBounds" in args["script"]
    assert "37.9" in args["script"].split("fitBounds")[1][:200]  # focused on the school, not the district


def _locate(app_settings, entity: str, method: str, author: str = "张三") -> AppTest:
    at = run_page(new_app(), "app_pages/locate.py")
    at.selectbox(key="locate_entity").set_value(entity)
    at.text_input(key="author").input(author)
    at.button_group(key="locate_method").set_value(method)
    return run_page(at)


def test_typed_coordinates_are_saved_and_the_school_waters_appear(app_settings):
    at = _locate(app_settings, S01, "typed")
    _typed(at, "经度").input("106°12′")
    _typed(at, "纬度").input("37.98")
    run_page(at)
    assert "待保存的位置：37°58′48.0″N、106°12′00.0″E" in texts(at.info)
    at.button(key="save_typed").click()
    run_page(at)
    (stored,) = open_store(app_settings).positions.load()
    assert (stored.entity_id, stored.author, stored.method, stored.precision) == (S01, "张三", "typed", "surveyed")
    assert shapely.get_x(stored.geometry) == pytest.approx(106.2)
    assert "已保存“利通区第十一小学”的位置" in at.success[0].value
    surroundings = next(t.value for t in at.dataframe if "按附件推算" in t.value.columns)
    assert "按附件方向（北）和距离 400 米推算" in set(surroundings["按附件推算"])
    computed = dict(zip(surroundings["水体"], surroundings["计算距离（米）"], strict=True))
    assert computed.pop("黄河").isdigit()  # the Yellow River's map line (geodata) gives a distance at once
    assert set(computed.values()) == {"水体定位后计算"}
    assert "swm-school" in _map_args(run_page(new_app()))["script"]  # the map page shows it at once


def test_a_typed_point_is_previewed_on_a_small_map_before_it_is_saved(app_settings):
    at = _locate(app_settings, S01, "typed")
    assert not [c for c in at.get("component_instance") if "st_folium" in c.proto.component_name]  # nothing typed
    _typed(at, "经度").input("106.2")
    _typed(at, "纬度").input("37.98")
    run_page(at)
    preview = _map_args(at)
    assert preview["height"] == 300 and preview["returned_objects"] == []  # a look, not a click target
    assert "L.marker(\n                [37.98, 106.2]" in preview["feature_group"]  # the typed point, unsaved
    (corners,) = re.findall(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", preview["script"])
    south, west, north, east = map(float, corners)
    assert south <= 37.98 <= north and west <= 106.2 <= east
    assert open_store(app_settings).positions.load() == []  # previewed only


def test_save_and_next_opens_the_riskiest_unplaced_school_twice_in_a_row(app_settings):
    register = build_register(app_settings)
    first, second, third = [c.entity_id for c in to_place(register)[:3]]
    at = _locate(app_settings, first, "typed")
    assert "已定位 0/40 所学校，1/51 处水体" in texts(at.caption)
    for entity, following, lon in ((first, second, "106.2035"), (second, third, "106.2135")):
        assert at.selectbox(key="locate_entity").value == entity
        _typed(at, "经度").input(lon)
        _typed(at, "纬度").input("37.98")
        run_page(at)
        at.button(key="save_next_typed").click()
        run_page(at)
        assert at.selectbox(key="locate_entity").value == following  # the next one, chosen for the clerk
        assert [_typed(at, "经度").value, _typed(at, "纬度").value] == ["", ""]  # nothing carried over
        assert "save_typed" not in [b.key for b in at.button]
    stored = open_store(app_settings).positions.load()
    assert [(r.entity_id, shapely.get_x(r.geometry)) for r in stored] == [(first, 106.2035), (second, 106.2135)]
    assert "已定位 2/40 所学校，1/51 处水体" in texts(at.caption)


def test_the_map_lists_the_unplaced_schools_and_each_link_opens_it_on_the_locate_page(app_settings):
    place(app_settings, "利通区第十一小学")
    at = run_page(new_app())
    links = [link.proto for link in at.get("page_link") if link.proto.query_string.startswith("entity=")]
    assert len(links) == 39 and "未定位的学校（39）" in at.expander[-1].label
    assert links[0].label == "马莲渠中心巴浪湖小学（马莲渠乡）"  # row 15, high, at the gate: the riskiest
    assert "利通区第十一小学" not in {link.label.split("（")[0] for link in links}  # placed: not listed
    asked = links[1].query_string.removeprefix("entity=")
    locate = run_page(new_app(entity=asked), "app_pages/locate.py")
    assert locate.selectbox(key="locate_entity").value == asked
    assert "entity" not in locate.query_params  # taken once: choosing another place is not undone
    wrong = run_page(new_app(entity="640302-S999"), "app_pages/locate.py")
    assert "链接中的学校或水体“640302-S999”不存在" in shown(wrong.warning[0].value)


def test_typed_coordinates_in_gcj02_are_converted(app_settings):
    at = _locate(app_settings, S01, "typed")
    gcj_lon, gcj_lat = wgs84_to_gcj02(106.2, 37.98)
    _typed(at, "经度").input(f"{float(gcj_lon):.8f}")
    _typed(at, "纬度").input(f"{float(gcj_lat):.8f}")
    at.selectbox(key="typed_crs").set_value("GCJ02")
    run_page(at)
    at.button(key="save_typed").click()
    run_page(at)
    (stored,) = open_store(app_settings).positions.load()
    assert stored.input_crs == "GCJ02"
    assert (shapely.get_x(stored.geometry), shapely.get_y(stored.geometry)) == pytest.approx((106.2, 37.98))


@pytest.mark.parametrize(("lon", "lat", "message"), [
    ("106.2", "北纬三十七度", "纬度“北纬三十七度”无法识别"),
    ("37.98", "106.2", "纬度“106.2”超出范围"),
])
def test_bad_coordinates_are_refused_in_chinese(app_settings, lon, lat, message):
    at = _locate(app_settings, S01, "typed")
    _typed(at, "经度").input(lon)
    _typed(at, "纬度").input(lat)
    run_page(at)
    assert message in shown(at.error[0].value)
    assert "save_typed" not in [b.key for b in at.button]  # nothing to save


def test_a_position_outside_the_district_is_not_saved(app_settings):
    at = _locate(app_settings, S01, "typed")
    _typed(at, "经度").input("116.4")
    _typed(at, "纬度").input("39.9")
    run_page(at)
    refused_outside_district(at, "save_typed", app_settings, "未保存")


def test_saving_needs_a_name(app_settings):
    at = _locate(app_settings, S01, "typed", author="")
    _typed(at, "经度").input("106.2")
    _typed(at, "纬度").input("37.98")
    run_page(at)
    assert at.button(key="save_typed").disabled
    assert "请先在上方填写录入人" in texts(at.caption)


@pytest.fixture
def clicks(monkeypatch) -> dict:
    """What the map component returns: set ``clicks["last_clicked"]`` to click (AppTest cannot click a map)."""
    from app_pages.parts import ui

    answer: dict = {"last_clicked": None}
    monkeypatch.setattr(ui, "st_folium", lambda *_args, **_kwargs: dict(answer))
    return answer


def test_a_map_click_is_confirmed_then_saved(app_settings, clicks):
    at = _locate(app_settings, S01, "click")
    assert "当前底图没有影像" in texts(at.caption)
    clicks["last_clicked"] = {"lat": 37.99, "lng": 106.21}
    run_page(at)
    assert "待保存的位置" in texts(at.info) and "106.210000" in texts(at.info)
    assert at.radio(key="precision_click_geocoded").value == "geocoded"  # no imagery: unconfirmed by default
    at.button(key="save_click").click()
    run_page(at)
    (stored,) = open_store(app_settings).positions.load()
    assert (stored.method, stored.precision, stored.author) == ("click", "geocoded", "张三")
    assert "底图：无底图（离线）" in stored.source
    assert (shapely.get_x(stored.geometry), shapely.get_y(stored.geometry)) == pytest.approx((106.21, 37.99))
    assert not at.info or "待保存的位置" not in texts(at.info)  # the same click is not offered again


def test_a_pending_click_is_forgotten_when_another_place_is_chosen(app_settings, clicks):
    at = _locate(app_settings, S01, "click")
    clicks["last_clicked"] = {"lat": 37.99, "lng": 106.21}
    run_page(at)
    assert "待保存的位置" in texts(at.info)
    at.selectbox(key="locate_entity").set_value(S08)
    run_page(at)
    assert not [i for i in at.info if "待保存的位置" in i.value]
    assert "save_click" not in [b.key for b in at.button]


def test_a_click_on_the_amap_basemap_is_read_as_gcj02(app_settings, clicks):
    PrefsStore(open_store(app_settings)).update(basemap="amap_img")
    gcj_lon, gcj_lat = wgs84_to_gcj02(106.21, 37.99)
    at = _locate(app_settings, S01, "click")
    clicks["last_clicked"] = {"lat": float(gcj_lat), "lng": float(gcj_lon)}
    run_page(at)
    assert at.radio(key="precision_click_surveyed").value == "surveyed"  # imagery: surveyed by default
    at.button(key="save_click").click()
    run_page(at)
    (stored,) = open_store(app_settings).positions.load()
    assert stored.input_crs == "GCJ02"
    assert (shapely.get_x(stored.geometry), shapely.get_y(stored.geometry)) == pytest.approx((106.21, 37.99))


def test_gps_on_an_insecure_page_says_so(app_settings, monkeypatch):
    from app_pages.parts import gps

    monkeypatch.setattr(gps, "request_position", lambda **_key: {"error": {"code": -1, "message": "insecure"}})
    at = _locate(app_settings, S01, "gps")
    at.button(key="gps_button").click()
    run_page(at)
    assert "没有获得位置" in at.warning[0].value and "HTTPS" in at.warning[0].value


def test_gps_position_is_saved_with_its_accuracy(app_settings, monkeypatch):
    from app_pages.parts import gps

    answers = iter([None, {"coords": {"longitude": 106.21, "latitude": 37.99, "accuracy": 8.0}}])
    monkeypatch.setattr(gps, "request_position", lambda **_key: next(answers))
    at = _locate(app_settings, S01, "gps")
    at.button(key="gps_button").click()
    run_page(at)
    assert "正在获取位置" in texts(at.info)
    run_page(at)  # the browser answers
    at.button(key="save_gps").click()
    run_page(at)
    (stored,) = open_store(app_settings).positions.load()
    assert (stored.method, stored.accuracy_m, stored.precision) == ("gps", 8.0, "surveyed")
    assert "±8 米" in stored.source


def test_review_lists_count_what_is_left(app_settings):
    place(app_settings, "利通区第十一小学", precision="geocoded")
    at = run_page(new_app(), "app_pages/locate.py")
    labels = [t.label for t in at.tabs]
    assert labels == ["未定位的学校（39）", "没有自身位置的水体（50）", "未确认的位置（1）", "巡查定位（0）",
                      "距离不符（0）"]
