"""定位与校核 → 描绘水体 under AppTest: what the drawing tools send back (st_folium's ``all_drawings``, set by the
test: AppTest cannot draw) is checked, shown, converted from GCJ-02 on 高德 and saved; row 83 then has a
computed distance. Coordinates are test data, not the school's or the canal's real position."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from school_water_map.store.prefs import PrefsStore
from tests.app_support import new_app, run_page, shown, texts
from tests.placing import place

W47 = "640302-W47"  # 波浪渠
SCHOOL = (106.30, 37.90)  # 板桥波浪渠小学's test position
LINE = [(106.298, 37.8995), (106.300, 37.8995), (106.302, 37.8996)]  # about 55 m south of it


@pytest.fixture
def drawings(monkeypatch) -> dict:
    """What the map component returns: set ``drawings["all_drawings"]`` to draw."""
    from app_pages.parts import ui

    answer: dict = {"all_drawings": None}
    monkeypatch.setattr(ui, "st_folium", lambda *_args, **_kwargs: dict(answer))
    return answer


def _feature(kind: str, coordinates) -> dict:
    return {"type": "Feature", "properties": {}, "geometry": {"type": kind, "coordinates": coordinates}}


def _tracing(entity: str):
    at = run_page(new_app(), "app_pages/locate.py")
    at.selectbox(key="locate_entity").set_value(entity)
    at.text_input(key="author").input("张三")
    at.button_group(key="locate_method").set_value("trace")
    return run_page(at)


def test_a_line_drawn_on_amap_is_saved_in_wgs84_and_gives_row_83_a_distance(app_settings, drawings):
    place(app_settings, "板桥波浪渠小学", *SCHOOL)  # test data, typed coordinates
    PrefsStore(open_store(app_settings)).update(basemap="amap_img")
    at = _tracing(W47)
    assert "线：沿水体中心线逐点点按" in texts(at.caption)
    lon, lat = wgs84_to_gcj02(np.array([p[0] for p in LINE]), np.array([p[1] for p in LINE]))
    drawings["all_drawings"] = [_feature("LineString", [[float(x), float(y)] for x, y in zip(lon, lat, strict=True)])]
    run_page(at)
    assert "待保存的图形：线，3 个顶点，长约 352 米（已换算为 WGS-84）" in shown(texts(at.info))
    assert at.radio(key="precision_trace_surveyed").value == "surveyed"  # imagery: surveyed by default
    at.button(key="save_trace").click()
    run_page(at)
    (stored,) = [r for r in open_store(app_settings).positions.load() if r.entity_id == W47]
    assert (stored.method, stored.precision, stored.author, stored.input_crs) == ("trace", "surveyed", "张三", "GCJ02")
    assert stored.source == "描绘水体（底图：高德 影像）"
    assert np.allclose(shapely.get_coordinates(stored.geometry), LINE, atol=1e-8)
    assert "已保存“波浪渠”的图形" in shown(at.success[0].value)
    row = build_register(app_settings).pairs.set_index("row").loc[83]
    assert row["computed_distance_m"] == pytest.approx(55.5, abs=2)


def test_a_canal_drawn_as_an_outline_is_refused_and_nothing_is_offered_to_save(app_settings, drawings):
    at = _tracing(W47)
    drawings["all_drawings"] = [_feature("Polygon", [[[106.30, 37.90], [106.31, 37.90], [106.31, 37.91],
                                                       [106.30, 37.90]]])]
    run_page(at)
    assert "不能保存：“波浪渠”是支渠，应描绘为线，不能是面" in shown(at.error[0].value)
    assert "save_trace" not in [b.key for b in at.button]
    assert not [r for r in open_store(app_settings).positions.load() if r.entity_id == W47]


def test_a_school_is_not_traced(app_settings, drawings):
    at = _tracing("640302-S01")
    assert "描绘水体用于渠道、沟、河流、坑塘等水体" in texts(at.info)
