"""地图 · 查找学校或水体: the search box zooms the map to a school or water body and opens its popup."""

from __future__ import annotations

import re

from tests.app_support import new_app, run_page, shown_map, texts
from tests.placing import place

S01, S08 = "640302-S01", "640302-S08"  # 利通区第十一小学; 马莲渠中心巴浪湖小学 (马莲渠乡)


def _bounds(script: str) -> list[float]:
    """The map's fitBounds corners: [south, west, north, east]."""
    (found,) = re.findall(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", script)
    return [float(v) for v in found]


def _popup_opened_for(script: str) -> list[str]:
    """The content of each popup opened once the map is drawn (``mapping._OpenPopup``: ``layer.openPopup()``)."""
    opened = re.findall(r"^\s*(\w+)\.openPopup\(\);", script, re.M)
    names = []
    for layer in opened:
        (popup,) = re.findall(rf"{layer}\.bindPopup\((popup_\w+)\)", script)
        (html,) = re.findall(rf"{popup}\.setContent\((html_\w+)\)", script)
        (content,) = re.findall(rf"var {html} = \$\(`(.*?)`\)\[0\];", script, re.S)
        names.append(content)
    return names


def test_searching_a_school_zooms_to_it_and_opens_its_popup_and_a_second_search_moves_on(app_settings):
    place(app_settings, "利通区第十一小学")
    place(app_settings, "马莲渠中心巴浪湖小学", 106.25, 37.90)
    at = run_page(new_app())
    box = at.selectbox(key="map_find")
    assert box.value is None and "马莲渠中心巴浪湖小学（学校 · 马莲渠乡）" in box.options
    assert "波浪渠小学" not in " ".join(box.options)  # unplaced: not on the map, not offered
    whole = _bounds(shown_map(at))
    assert _popup_opened_for(shown_map(at)) == []
    box.set_value(S08)
    run_page(at)
    south, west, north, east = _bounds(shown_map(at))
    assert south <= 37.90 <= north and west <= 106.25 <= east
    assert (north - south) < (whole[2] - whole[0]) / 4  # zoomed in, not the district
    (opened,) = _popup_opened_for(shown_map(at))
    assert "马莲渠中心巴浪湖小学" in opened and "利通区第十一小学" not in opened
    at.selectbox(key="map_find").set_value(S01)  # the second search: the first one's popup is not left open
    run_page(at)
    (opened,) = _popup_opened_for(shown_map(at))
    assert "利通区第十一小学" in opened and "马莲渠中心巴浪湖小学" not in opened


def test_a_water_body_derived_from_its_school_is_found(app_settings):
    place(app_settings, "利通区第十一小学")
    at = run_page(new_app())
    waters = [o for o in at.selectbox(key="map_find").options if "学校" not in o]
    assert waters, "the placed school's water bodies (derived from the annex) are offered"


def test_a_school_hidden_by_the_filters_says_so(app_settings):
    place(app_settings, "利通区第十一小学")
    place(app_settings, "马莲渠中心巴浪湖小学", 106.25, 37.90)
    at = run_page(new_app())
    at.selectbox(key="map_township").set_value("马莲渠乡")
    at.selectbox(key="map_find").set_value(S01)
    run_page(at)
    assert "“利通区第十一小学（学校 · 待确认）”不在当前的乡镇或风险等级筛选中" in texts(at.caption)
