"""地图: every located school and its water bodies, coloured by risk, over the district's own layers."""

from __future__ import annotations

import streamlit as st

from app_pages import access, state, ui
from school_water_map.mapping import build_map

st.title("学校周边危险水域地图")
settings = state.settings()
register = access.visible_register(settings)
ui.unplaced_notice(register)

view, basemap = ui.map_filters(register, settings, key="map")
ui.show_map(build_map(register, state.context(settings), basemap=basemap, view=view), key="map_main", height=520)
ui.basemap_note(settings, basemap)
