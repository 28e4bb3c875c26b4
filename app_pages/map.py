"""地图: every located school and its water bodies, coloured by risk, over the district's own layers.

Read-only: the map is one cached HTML document (``state.map_html``) in an iframe, not ``st_folium``,
so a page run costs a cache look-up instead of building and rendering the map (the 定位与校核 page,
which needs the clicks back, keeps ``st_folium``). The map is sent before the controls above it (read
from their state), so the browser starts drawing it first; if the controls then give another choice
(a township no longer in the register), the map is replaced.
"""

from __future__ import annotations

import streamlit as st

from app_pages.parts import access, state, ui
from school_water_map.domain.users import PATROL
from school_water_map.geo.basemaps import Basemap
from school_water_map.outputs.mapping import MapView

MAP_TITLE = "学校周边危险水域地图"  # the iframe's title (and the page's heading)


def show(slot: st.delta_generator.DeltaGenerator, view: MapView, basemap: Basemap) -> None:
    account = access.user()
    patrol = account is not None and account.role == PATROL
    township = account.township if account is not None and patrol else None
    slot.iframe(state.map_html(settings, view, basemap, township=township, scoped=patrol), height=520, alt=MAP_TITLE)


st.title(MAP_TITLE)
settings = state.settings()
register = access.visible_register(settings)
controls, slot = st.container(), st.empty()
view, basemap = ui.map_choice(register, settings, key="map")
show(slot, view, basemap)
with controls:
    ui.unplaced_notice(register)
    chosen, chosen_basemap = ui.map_filters(register, settings, key="map")
if state.map_key(chosen, chosen_basemap) != state.map_key(view, basemap):
    show(slot, chosen, chosen_basemap)
ui.basemap_note(settings, chosen_basemap)
