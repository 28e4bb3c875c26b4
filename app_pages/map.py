"""地图: every located school and its water bodies, coloured by risk, over the district's own layers.

Read-only: the map is one cached HTML document (``state.map_html``) in an iframe, not ``st_folium``,
so a page run costs a cache look-up instead of building and rendering the map (the 定位与校核 page,
which needs the clicks back, keeps ``st_folium``). The frame loads the document by address
(``map_frame``), not through the page's websocket. The map is sent before the controls above it (read
from their state); on the session's first visit the controls follow once the browser has drawn the
map (``map_frame.wait_until_drawn``, at most ``FIRST_MAP_WAIT_S``), so that it draws the map before
fetching and laying out the widgets' code. If the controls then give another choice (a township no
longer in the register), the map is replaced.
"""

from __future__ import annotations

import streamlit as st

from app_pages.parts import access, map_frame, state, ui
from app_pages.parts.map_search import found_view, search_box
from school_water_map.domain.users import PATROL
from school_water_map.geo.basemaps import Basemap
from school_water_map.outputs.mapping import MapView

MAP_TITLE = "学校周边危险水域地图"  # the iframe's title (and the page's heading)
FIRST_MAP_WAIT_S = 1.0  # the longest the controls wait for the browser to draw the map (first visit)
FIND_KEY = "map_find"  # the search box: a school or water body to zoom to


def show(slot: st.delta_generator.DeltaGenerator, view: MapView, basemap: Basemap) -> str | None:
    """Put the map in ``slot``; gives the document's address (None: written into the page)."""
    account = access.user()
    patrol = account is not None and account.role == PATROL
    township = account.township if account is not None and patrol else None
    html = state.map_html(settings, view, basemap, township=township, scoped=patrol)
    url = map_frame.address(html, slot._get_delta_path_str())
    slot.iframe(url or html, height=520, alt=MAP_TITLE)
    return url


st.title(MAP_TITLE)
settings = state.settings()
register = access.visible_register(settings)
controls, slot = st.container(), st.empty()
view, basemap = ui.map_choice(register, settings, key="map")
view = found_view(register, view, FIND_KEY)
url = show(slot, view, basemap)
if url and not st.session_state.get(state.MAP_CONTROLS_SHOWN) and st.context.headers:  # a browser's first visit
    map_frame.wait_until_drawn(url, FIRST_MAP_WAIT_S)
st.session_state[state.MAP_CONTROLS_SHOWN] = True
with controls:
    ui.unplaced_notice(register)
    chosen, chosen_basemap = ui.map_filters(register, settings, key="map")
    chosen = search_box(register, chosen, FIND_KEY)
if state.map_key(chosen, chosen_basemap) != state.map_key(view, basemap):
    show(slot, chosen, chosen_basemap)
ui.basemap_note(settings, chosen_basemap)
ui.unplaced_schools(register)
