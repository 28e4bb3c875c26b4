"""App-side state in one place: settings, cached data, session-state keys, page paths and the CSS.

The register is cached per data version (the newest position and inspection in the store, and the
applied annex), so a position recorded from the command line shows too; a write from the app also
clears every cache at once.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from shapely.geometry.base import BaseGeometry

from school_water_map.annex_store import active_annex_path
from school_water_map.layers import ContextLayers, load_context
from school_water_map.map_assets import DEFAULT_BASE
from school_water_map.register import Register, build_register
from school_water_map.settings import Settings
from school_water_map.store import open_store

# Pages (paths relative to app.py).
PAGE_MAP = "app_pages/map.py"
PAGE_REGISTER = "app_pages/register.py"
PAGE_LOCATE = "app_pages/locate.py"

# Session-state keys.
AUTHOR = "author"  # who records positions (accounts come later)
LOCATE_ENTITY = "locate_entity"  # the school or water body being located
LOCATE_METHOD = "locate_method"
CLICK_PENDING = "locate_click_pending"  # a map click awaiting confirmation: (lon, lat, crs)
CLICK_SEEN = "locate_click_seen"  # the last click the page has taken (the component keeps returning it)
GPS_REQUEST = "gps_request"  # incremented per 获取位置 press: a fresh component each time
GPS_WAITING = "gps_waiting"  # the browser has not answered the latest request yet
GPS_RESULT = "gps_result"
FLASH = "flash"  # a message shown once, after the rerun that follows a write
REGISTER_TABLE = "register_table"

STYLE_PATH = Path(__file__).with_name("style.css")
FAVICON_PATH = Path(__file__).with_name("favicon.png")  # local: an icon name would load from a font CDN


def settings() -> Settings:
    return Settings.from_env()


def register(settings: Settings) -> Register:
    """The register, rebuilt when a position or inspection is recorded or another annex is applied."""
    return _register(settings, (*open_store(settings).version(), _mtime(active_annex_path(settings))))


def context(settings: Settings) -> ContextLayers:
    return _context(settings.geodata_dir)


def area(settings: Settings) -> BaseGeometry:
    """Where a position may fall: the district outline (locate adds a margin)."""
    return context(settings).outline.union_all()


def after_write(message: str) -> None:
    """After recording positions: drop cached data so map, distances and risk update, and say so once."""
    st.cache_data.clear()
    st.session_state[FLASH] = message


def forget_pending() -> None:
    """Drop a position awaiting confirmation (after saving it, or when another place is chosen)."""
    for key in (CLICK_PENDING, GPS_RESULT):
        st.session_state.pop(key, None)


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def static_base() -> str:
    """Where the vendored map assets are served: ``/app/static/vendor`` under ``server.baseUrlPath``."""
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}{DEFAULT_BASE}" if prefix else DEFAULT_BASE


def apply_style() -> None:
    """The app's CSS (touch targets, tablet layout, Chinese for Streamlit's built-in English)."""
    st.html(f"<style>{STYLE_PATH.read_text(encoding='utf-8')}</style>")


@st.cache_data(show_spinner=False, max_entries=4)
def _register(settings: Settings, version: tuple[int, int, int]) -> Register:  # noqa: ARG001 (cache key)
    return build_register(settings)


@st.cache_data(show_spinner=False)
def _context(geodata_dir: Path) -> ContextLayers:
    return load_context(geodata_dir)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0
