"""地图 · 查找: a school or water body by name → the map zooms to it and opens its popup.

The choice is an ordinary focused view (``MapView.focus_entity`` with ``open_popup``), so the map stays
one cached document per choice. Only what the map can show is offered: placed schools, and water bodies
with their own position or one derived from a placed school and the annex.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app_pages.parts.md_text import md
from school_water_map.domain.register import Register
from school_water_map.outputs.mapping import MapView, visible_pairs


def findable(register: Register) -> dict[str, str]:
    """What the map can show, by entity id: its label in the search box (name, then what it is)."""
    out: dict[str, str] = {}
    schools = register.schools[register.schools["geometry"].notna()]
    for school_id, school in schools.iterrows():
        out[str(school_id)] = f"{school['name']}（学校 · {school['township_label']}）"
    derived = set(register.derived.loc[register.derived.geometry.notna(), "water_id"].dropna())
    for water_id, water in register.waters.iterrows():
        if water["geometry"] is not None or water_id in derived:
            out[str(water_id)] = f"{water['name']}（{water['kind_label']}）"
    return dict(sorted(out.items(), key=lambda item: item[1]))


def found_view(register: Register, view: MapView, key: str) -> MapView:
    """``view`` focused on what the search box ``key`` holds (read from its state; unchanged when empty)."""
    chosen = st.session_state.get(key)
    if chosen is None or chosen not in findable(register):
        return view
    return replace(view, focus_entity=chosen, open_popup=True)


def search_box(register: Register, view: MapView, key: str) -> MapView:
    """Draw the search box; gives ``view`` focused on the choice. Says so when the filters hide it."""
    offer = findable(register)
    if not offer:
        return view
    st.selectbox("查找学校或水体", list(offer), index=None, format_func=offer.__getitem__, key=key,
                 placeholder="输入学校或水体名称，地图将移到该处")
    focused = found_view(register, view, key)
    chosen = focused.focus_entity
    if chosen is not None and not _shown(register, focused, chosen):
        st.caption(f"“{md(offer[chosen])}”不在当前的乡镇或风险等级筛选中：请放宽筛选后查看。")
    return focused


def _shown(register: Register, view: MapView, entity_id: str) -> bool:
    pairs = visible_pairs(register.pairs, view)
    return bool(((pairs["school_id"] == entity_id) | (pairs["water_id"] == entity_id)).any())
