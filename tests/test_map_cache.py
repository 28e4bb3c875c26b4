"""The 地图 page's map is built once per register version, view, basemap and scope, and shared by sessions."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.parts import state
from school_water_map.domain.users import User
from school_water_map.outputs.map_html import ICON_ASSETS, map_document
from school_water_map.outputs.mapping import MapView, build_map
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from tests.app_support import new_app, run_page, shown_map
from tests.placing import place

MAP_TITLE = "学校周边危险水域地图"


@pytest.fixture
def builds(monkeypatch) -> list[MapView]:
    """Every map the app builds (the views it was built for)."""
    made: list[MapView] = []

    def counting(*args, **kwargs):
        made.append(kwargs.get("view") or MapView())
        return build_map(*args, **kwargs)

    monkeypatch.setattr(state, "build_map", counting)
    return made


def _map(at: AppTest) -> str:
    return shown_map(at)


def test_sessions_share_one_built_map_until_the_register_changes(app_settings, builds):
    place(app_settings, "利通区第十一小学")
    first = _map(run_page(new_app()))
    assert "利通区第十一小学" in first and len(builds) == 1
    for _ in range(3):  # new sessions, same register: no new build, the same document
        assert _map(run_page(new_app())) == first
    assert len(builds) == 1
    place(app_settings, "马莲渠中心巴浪湖小学", 106.25, 37.90)  # from outside the app (a new data version)
    assert "马莲渠中心巴浪湖小学" in _map(run_page(new_app()))
    assert len(builds) == 2


def test_filters_and_basemap_are_part_of_the_key(app_settings, builds):
    place(app_settings, "利通区第十一小学")
    place(app_settings, "马莲渠中心巴浪湖小学", 106.25, 37.90)
    at = run_page(new_app())
    at.selectbox(key="map_township").set_value("马莲渠乡")
    run_page(at)
    assert "利通区第十一小学" not in _map(at) and "马莲渠中心巴浪湖小学" in _map(at)
    at.selectbox(key="map_basemap").set_value("osm")
    run_page(at)
    assert "openstreetmap" in _map(at)
    assert len(builds) == 3
    at.selectbox(key="map_township").set_value("全部乡镇")
    at.selectbox(key="map_basemap").set_value("none")
    run_page(at)
    assert len(builds) == 3 and "openstreetmap" not in _map(at)  # the first map again, from the cache


def test_a_patrol_gets_its_townships_map_not_the_admins(app_settings, builds):
    place(app_settings, "640302-W47", 106.25, 37.95)  # 波浪渠, 板桥乡
    place(app_settings, "640302-W50", 106.20, 37.98)  # 马莲渠, 金积镇
    store = open_store(app_settings)
    admin = add_user(store, "admin01", "admin-pass-2026", "admin")
    patrol = add_user(store, "bq01", "reed-bank-2026", "patrol", township="板桥乡")

    def as_user(account: User) -> AppTest:
        at = new_app()
        at.session_state[state.USER] = account
        return run_page(at, state.PAGE_MAP)

    admin_map = _map(as_user(admin))
    assert "马莲渠" in admin_map and "波浪渠" in admin_map
    patrol_map = _map(as_user(patrol))
    assert "波浪渠" in patrol_map and "马莲渠" not in patrol_map
    assert _map(as_user(admin)) == admin_map  # the admin's map did not become the patrol's
    assert len(builds) == 2


def test_the_document_loads_only_local_assets_and_no_icon_kit(register, tmp_path):
    from school_water_map.geo.layers import load_context
    from school_water_map.settings import Settings

    context = load_context(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}).geodata_dir)
    page = map_document(build_map(register, context), "/app/static/vendor")
    assert "https://" not in page.split("<body>")[0].replace("https://leafletjs.com", "")
    assert "/* inlined: /app/static/vendor/leaflet/leaflet.css */" in page  # its images' URLs made absolute
    assert "url(/app/static/vendor/leaflet/images/layers.png)" in page and "url(images/" not in page
    assert "<script src=" not in page  # Leaflet and jQuery are written into the page from static/vendor
    assert "/* inlined: /app/static/vendor/leaflet/leaflet.js */" in page
    assert "bootstrap" not in page.lower() and "fontawesome" not in page.lower()
    assert ICON_ASSETS
    kept = map_document(build_map(register, context), "/base", inline_scripts=False)
    assert '<script src="/base/leaflet/leaflet.js"></script>' in kept


def test_a_map_with_an_icon_keeps_the_icon_kit(register, tmp_path):
    import folium

    from school_water_map.geo.layers import load_context
    from school_water_map.settings import Settings

    fmap = build_map(register, load_context(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}).geodata_dir))
    folium.Marker([37.98, 106.2], icon=folium.Icon(icon="info-sign")).add_to(fmap)
    page = map_document(fmap, "/app/static/vendor", inline_scripts=False)
    assert "/app/static/vendor/bootstrap/bootstrap.min.css" in page

