from __future__ import annotations

import json

from school_water_map.basemaps import OFFLINE, basemaps, choose
from school_water_map.prefs import Prefs, PrefsStore


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


def test_prefs_survive_a_new_store_and_bad_files_give_defaults(tmp_path):
    path = tmp_path / "data" / "prefs.json"
    store = PrefsStore(path)
    assert store.load() == Prefs()
    assert store.update(basemap="amap_img") == Prefs(basemap="amap_img")
    assert PrefsStore(path).load().basemap == "amap_img"
    assert json.loads(path.read_text(encoding="utf-8")) == {"basemap": "amap_img"}
    assert not list(path.parent.glob(".prefs-*"))  # no temporary file left behind
    for broken in ("{not json", "[1, 2]", '{"unknown": 1}'):
        path.write_text(broken, encoding="utf-8")
        assert PrefsStore(path).load() == Prefs()
