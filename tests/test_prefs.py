"""Preferences per account: a 查看's or 乡镇巡查员's basemap is its own; an 管理员 sets everyone's default."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app_pages.parts import state
from school_water_map.domain.users import User
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from school_water_map.store.db.models import PrefRow
from school_water_map.store.prefs import Prefs, PrefsStore, owner, pref_key
from tests.app_support import new_app, run_page, shown_map


def _user(role: str, user_id: int = 7, township: str | None = None) -> User:
    return User(id=user_id, username=f"u{user_id}", display_name="", role=role, township=township, active=True)


def test_an_account_changes_only_its_own_preference_on_both_backends(db_settings):
    store = PrefsStore(open_store(db_settings))
    store.update(None, basemap="amap_vec")  # the bureau's default
    assert store.update(7, basemap="osm") == Prefs(basemap="osm")
    fresh = PrefsStore(open_store(db_settings))
    assert fresh.load() == Prefs(basemap="amap_vec")  # everyone else's map is unchanged
    assert fresh.load(7) == Prefs(basemap="osm")
    assert fresh.load(8) == Prefs(basemap="amap_vec")  # no choice of its own: the default
    with open_store(db_settings).session() as session:
        assert session.get(PrefRow, "user:7:basemap").value == "osm"
        assert session.get(PrefRow, "basemap").value == "amap_vec"


def test_a_new_default_reaches_accounts_without_a_choice_of_their_own(db_settings):
    store = PrefsStore(open_store(db_settings))
    store.update(3, basemap="osm")
    store.update(None, basemap="amap_img")
    assert (store.load(3).basemap, store.load(4).basemap) == ("osm", "amap_img")


def test_whose_preference_a_role_changes():
    assert owner(None) is None  # open mode: one shared choice
    assert owner(_user("admin")) is None  # the bureau sets the default
    assert owner(_user("viewer", 7)) == 7 and owner(_user("patrol", 9, "板桥乡")) == 9
    assert pref_key("basemap") == "basemap" and pref_key("basemap", 9) == "user:9:basemap"


def _as(account: User) -> AppTest:
    """The map page in a new session of a signed-in account (the router re-reads it from the store)."""
    at = new_app()
    at.session_state[state.USER] = account
    return run_page(at)


def test_a_viewers_basemap_does_not_change_the_admins_map(app_settings):
    store = open_store(app_settings)
    admin = add_user(store, "admin01", "admin-pass-2026", "admin", display_name="王局")
    viewer = add_user(store, "look01", "viewer-pass-2026", "viewer", display_name="赵查看")
    at = _as(viewer)
    assert at.title[0].value == "学校周边危险水域地图"
    at.selectbox(key="map_basemap").set_value("osm")
    run_page(at)
    assert "openstreetmap" in shown_map(at)
    assert _as(admin).selectbox(key="map_basemap").value == "none"  # the admin's map stays offline
    assert "openstreetmap" not in shown_map(_as(admin))
    assert _as(viewer).selectbox(key="map_basemap").value == "osm"  # the viewer's own choice survives
    at = _as(admin)
    at.selectbox(key="map_basemap").set_value("amap_vec")  # the admin sets everyone's default
    run_page(at)
    assert PrefsStore(store).load().basemap == "amap_vec"
    assert _as(viewer).selectbox(key="map_basemap").value == "osm"


def test_without_accounts_the_choice_is_shared(app_settings):
    at = run_page(new_app())
    at.selectbox(key="map_basemap").set_value("osm")
    run_page(at)
    assert PrefsStore(open_store(app_settings)).load().basemap == "osm"
    assert run_page(new_app()).selectbox(key="map_basemap").value == "osm"
