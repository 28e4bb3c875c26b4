from __future__ import annotations

from school_water_map.geo.basemaps import OFFLINE, basemaps, choose
from school_water_map.store.database import open_store
from school_water_map.store.prefs import Prefs, PrefsStore


def test_tianditu_is_offered_only_with_a_key_and_carries_it():
    assert not [b for b in basemaps("") if b.code.startswith("tianditu")]
    offer = {b.code: b for b in basemaps("KEY123")}
    assert {"tianditu_vec", "tianditu_img"} <= set(offer)
    assert all("tk=KEY123" in t.url for t in offer["tianditu_img"].tiles)
    assert offer["tianditu_img"].imagery and len(offer["tianditu_img"].tiles) == 2  # imagery + labels


def test_offline_comes_first_and_only_amap_is_gcj02():
    offer = basemaps("KEY")
    assert offer[0].code == OFFLINE and offer[0].tiles == ()
    assert {b.code for b in offer if b.crs == "GCJ02"} == {"amap_vec", "amap_img"}


def test_choose_falls_back_offline_with_a_chinese_reason():
    assert choose("osm") == (next(b for b in basemaps() if b.code == "osm"), "")
    basemap, reason = choose("tianditu_img", "")
    assert basemap.code == OFFLINE and "SWMAP_TIANDITU_KEY" in reason and "未设置天地图密钥" in reason
    assert choose("tianditu_img", "K")[0].code == "tianditu_img"
    assert "未知的底图" in choose("bing")[1]


def test_prefs_survive_a_new_store_on_both_backends(db_settings):
    store = PrefsStore(open_store(db_settings))
    assert store.load() == Prefs()
    assert store.update(basemap="amap_img") == Prefs(basemap="amap_img")
    assert store.update(basemap="osm") == Prefs(basemap="osm")
    assert PrefsStore(open_store(db_settings)).load().basemap == "osm"
