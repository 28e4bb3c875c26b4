"""巡查 · a patrol places what it stands at: at a site not yet placed, with a good enough GPS fix, 我在学校门口
records the school's position and 我在水边 the water body's (``domain.patrol_place``; the locate path refuses
another township's). The register is rebuilt at once, so the presence check works from then on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from app_pages.parts import state
from app_pages.parts.md_text import md
from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.locate import record
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.patrol_place import SCHOOL_GATE, SPOTS, WATER_EDGE, placement
from school_water_map.domain.sites import Site
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, PositionError, UnknownPlaceError
from school_water_map.store.database import open_store


def offer(user: User, site: Site, held: Mapping[str, Any], rules: PatrolRules) -> None:
    """The buttons for what is still unplaced at ``site``, or why the fix cannot place it."""
    settings = state.settings()
    register = state.register(settings)
    open_spots = [spot for spot, frame, ident in ((SCHOOL_GATE, register.schools, site.school_id),
                                                  (WATER_EDGE, register.waters, site.water_id))
                  if frame.at[ident, "geometry"] is None]
    if not open_spots:
        return
    fix = DevicePosition(held["lon"], held["lat"], held["accuracy"])
    if held["accuracy"] > rules.place_accuracy_m:
        st.caption(f"定位精度 ±{held['accuracy']:.0f} 米：达到 ±{rules.place_accuracy_m:g} 米以内才能用它给站点定位。")
        return
    st.caption("站在学校门口或水边时，可用这次定位给站点定位（记为“实测”，来源“巡查定位”，区教育局可核查）：")
    columns = st.columns(len(open_spots))
    for column, spot in zip(columns, open_spots, strict=True):
        if column.button(SPOTS[spot], key=f"patrol_place_{spot}_{site.site_id}", icon=":material/add_location_alt:",
                         width="stretch"):
            _place(user, site, spot, fix, rules)


def _place(user: User, site: Site, spot: str, fix: DevicePosition, rules: PatrolRules) -> None:
    settings = state.settings()
    register = state.register(settings)
    try:
        request = placement(site, spot, fix, rules, author=user.display_name or user.username)
        record([request], register.resolution, state.area(settings), open_store(settings).positions, user=user)
    except (PositionError, AuthError, UnknownPlaceError) as exc:
        st.error(f"未定位：{md(exc)}", icon=":material/error:")
        return
    name = site.school if spot == SCHOOL_GATE else site.water
    state.after_write(f"已用巡查定位给“{md(name)}”定位（精度 ±{fix.accuracy_m or 0:.0f} 米）。现在可以核验是否在现场。")
    st.rerun()
