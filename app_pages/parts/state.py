"""App-side state in one place: settings, cached data, session-state keys, page paths and the CSS.

The register is cached per data version (the newest position and inspection in the store, and the
applied annex), so a position recorded from the command line shows too; a write from the app also
clears every cache at once.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import streamlit as st
from shapely.geometry.base import BaseGeometry

from app_pages.parts import tile_route
from school_water_map.domain.register import Register
from school_water_map.domain.scope import for_township
from school_water_map.geo.basemaps import Basemap, choose, local_basemap
from school_water_map.geo.layers import ContextLayers, load_context
from school_water_map.geo.tile_source import TileSource, TileSourceError
from school_water_map.io.tile_files import open_tile_source
from school_water_map.outputs.map_assets import DEFAULT_BASE
from school_water_map.outputs.map_html import map_document
from school_water_map.outputs.mapping import MapView, build_map
from school_water_map.pipeline.app_settings import effective_settings
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import DataVersion, open_store

# Pages (paths relative to app.py).
PAGE_MAP = "app_pages/map.py"
PAGE_REGISTER = "app_pages/register.py"
PAGE_LOCATE = "app_pages/locate.py"
PAGE_PATROL = "app_pages/patrol.py"  # 巡查 (also the QR code's ?site=<site id>)
PAGE_COVERAGE = "app_pages/coverage.py"  # 巡查概况
PAGE_USERS = "app_pages/users.py"  # 账号管理
PAGE_NOTICES = "app_pages/notices.py"
PAGE_EXCHANGE = "app_pages/exchange.py"
PAGE_SETTINGS = "app_pages/settings.py"  # 设置 (管理员)
PAGE_OWNERS = "app_pages/owners.py"  # 责任人 (管理员 edits, 查看 reads)
PAGE_TASKS = "app_pages/tasks.py"  # 整改 (管理员, 查看)

# Session-state keys.
AUTHOR = "author"  # who records positions (the signed-in user's name once accounts exist)
USER = "user"  # the signed-in account (accounts.User), re-read from the store on every run
SESSION_TOKEN = "session_token"  # the signed-in browser's session token (sessions.py), checked on every run
COOKIE_PENDING = "session_cookie_pending"  # a token to store in the browser's cookie ("" = clear it)
PATROL_TOWNSHIP = "patrol_township"  # 巡查: the township an admin is looking at
PATROL_RESULT = "patrol_result"  # {site id: inspection id} just submitted, shown above the site's history
PAGES_OPEN = "pages_open"  # the page paths this session's role may open (set by the router on every run)
LOCATE_ENTITY = "locate_entity"  # the school or water body being located
TASK_SITE = "task_site"  # the site a 交办整改任务 button opens the 整改 page on
LOCATE_METHOD = "locate_method"
LOCATE_PARAM = "entity"  # /locate?entity=<id>: the map page's list of unplaced schools opens one
LOCATE_NEXT = "locate_next"  # 保存并定位下一个: the place just saved, whose successor the page opens next
CLICK_PENDING = "locate_click_pending"  # a map click awaiting confirmation: (lon, lat, crs)
LOCATE_INPUTS = "locate_inputs"  # the generation of the inputs typed for one place (see typed_key)
CLICK_SEEN = "locate_click_seen"  # the last click the page has taken (the component keeps returning it)
GPS_REQUEST = "gps_request"  # incremented per 获取位置 press: a fresh component each time
GPS_WAITING = "gps_waiting"  # the browser has not answered the latest request yet
GPS_RESULT = "gps_result"
FLASH = "flash"  # a message shown once, after the rerun that follows a write
MAP_CONTROLS_SHOWN = "map_controls_shown"  # the 地图 page has drawn its controls in this session
REGISTER_TABLE = "register_table"
NOTICE_KIND = "notice_kind"  # letter, site or township (告知书 page)
NOTICE_SCHOOL = "notice_school"
NOTICE_SITE = "notice_site"
NOTICE_SIZE = "notice_size"
NOTICE_TOWNSHIP = "notice_township"
ANNEX_SOURCE = "annex_source"  # 数据交换: the next annex from a file or pasted text
ANNEX_INPUT = "annex_input_version"  # incremented after an apply: fresh, empty inputs
ANNEX_CONFIRM = "annex_confirm_pending"  # the fingerprint of the annex awaiting a confirmed apply
CANDIDATE_ENTITY = "candidate_entity"  # the school or water body whose geocoding candidates are reviewed
CANDIDATE_ASKED = "candidate_asked"  # a search just found candidates for this entity: review it next
CANDIDATE_ADJUST = "candidate_adjust"  # a click moving the reviewed entity's point: (entity id, lon, lat, crs)
CANDIDATE_CLICK_SEEN = "candidate_click_seen"  # the last click the review map gave: (entity id, lon, lat)

STYLE_PATH = Path(__file__).with_name("style.css")
FAVICON_PATH = Path(__file__).with_name("favicon.png")  # local: an icon name would load from a font CDN


def settings() -> Settings:
    """The settings in force: the environment's, with the 设置 page's stored values under it (read once a
    minute at most, and at once after the page saves: ``after_write`` clears every cache)."""
    base = Settings.from_env()
    return _effective(settings_key(base), base)


def local_basemaps(settings: Settings) -> tuple[Basemap, ...]:
    """The bureau's offline tiles as a basemap, served by the app itself (none when not set or unreadable)."""
    source, _ = tile_source(settings)
    return () if source is None else (local_basemap(source, tile_route.publish(source)),)


def tile_source(settings: Settings) -> tuple[TileSource | None, str]:
    """The offline tile source set in 设置, opened and checked (at most once a minute, and at once after a
    write), or None and why not in Chinese ("" when none is set)."""
    if not settings.offline_tiles:
        return None, ""
    return _tile_source(settings.offline_tiles, settings.offline_tiles_crs, settings.offline_tiles_kind)


def inspection_key(site_id: str, name: str) -> str:
    """The session-state key of one field of a site's inspection form (a checklist item, text, photo,
    GPS, the record being corrected); every key of a site starts with ``inspection_prefix``."""
    return f"{inspection_prefix(site_id)}{name}"


def inspection_prefix(site_id: str) -> str:
    return f"insp_{site_id}_"


def data_version(settings: Settings) -> DataVersion:
    """Changes when a position or inspection is recorded or another annex is applied (a cache key)."""
    return open_store(settings).version()


def register(settings: Settings) -> Register:
    """The register, rebuilt when a position or inspection is recorded or another annex is applied."""
    return _register(settings, settings_key(settings), data_version(settings))


def notice_pdf(settings: Settings, kind: str, key: str, size: str = "A4") -> bytes:
    """A printable notice (``letter`` of a school, ``site`` notice, ``township`` sheet) as PDF bytes,
    cached per data version, ``notices.toml`` and day (the date is printed)."""
    version = (*data_version(settings), _mtime(settings.notices_config_path))
    return _notice_pdf(settings, kind, key, size, version, date.today())


@st.cache_data(show_spinner=False, max_entries=32)
def notice_preview(pdf: bytes) -> bytes:
    """A PNG of a notice's first page."""
    from school_water_map.notices.render import preview_png  # pypdfium2: only when a preview is shown

    return preview_png(pdf)


def export_file(settings: Settings, fmt: str) -> bytes:
    """The register exported as ``fmt`` (gpkg, geojson, kml, kmz, csv, xlsx), cached per data version."""
    return _export_file(settings, fmt, data_version(settings))


def map_html(settings: Settings, view: MapView, basemap: Basemap, *, township: str | None = None,
             scoped: bool = False) -> str:
    """The map page's whole map as one HTML document, built once per data version, view (filters,
    focus, the popups' 告知书 link), basemap and scope (``scoped``: a 乡镇巡查员's ``township`` only)
    and shared by every session that asks for the same: a render costs about a second of CPU."""
    key = (*map_key(view, basemap), scoped, township if scoped else None, static_base())
    return _map_html(settings, settings_key(settings), data_version(settings), key, view,
                     township if scoped else None, scoped)


def settings_key(settings: Settings) -> str:
    """``settings`` as a cache key: every field, secrets too (in memory only), as one string. Streamlit's
    own hashing of the dataclass cost about 17 ms per look-up under load; the map page makes two."""
    return repr(tuple(getattr(settings, f.name) for f in fields(settings)))


def map_key(view: MapView, basemap: Basemap) -> tuple[str, str]:
    """What makes one map differ from another for the same register and scope (filters in any order)."""
    return repr(_canonical(view)), basemap.code


def context(settings: Settings) -> ContextLayers:
    return _context(settings.geodata_dir)


def area(settings: Settings) -> BaseGeometry:
    """Where a position may fall: the district outline (locate adds a margin)."""
    outline: BaseGeometry = context(settings).outline.union_all()
    return outline


def after_write(message: str) -> None:
    """After recording positions: drop cached data so map, distances and risk update, and say so once."""
    st.cache_data.clear()
    st.session_state[FLASH] = message


def forget_pending() -> None:
    """Drop a position awaiting confirmation and everything typed for it (after saving it, or when another
    place is chosen): a number typed for one school must never be offered for the next. The typed inputs
    get fresh keys (``typed_key``): the browser would send an input's old value back under its old key."""
    for key in (CLICK_PENDING, GPS_RESULT):
        st.session_state.pop(key, None)
    st.session_state[LOCATE_INPUTS] = st.session_state.get(LOCATE_INPUTS, 0) + 1


def typed_key(name: str) -> str:
    """The key of a 定位与校核 input typed for the place at hand (``typed_lon`` → ``typed_lon_0``)."""
    return f"{name}_{st.session_state.get(LOCATE_INPUTS, 0)}"


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


@st.cache_data(show_spinner=False, max_entries=4, ttl=60)
def _effective(key: str, _base: Settings) -> Settings:  # noqa: ARG001 (cache key)
    return effective_settings(_base)


@st.cache_data(show_spinner=False, max_entries=4, ttl=60)
def _tile_source(path: str, crs: str, kind: str) -> tuple[TileSource | None, str]:
    try:
        return open_tile_source(path, crs=crs, imagery=kind == "imagery"), ""
    except TileSourceError as exc:
        return None, str(exc)


@st.cache_data(show_spinner=False, max_entries=4)
def _register(_settings: Settings, key: str, version: DataVersion) -> Register:  # noqa: ARG001 (cache key)
    return build_register(_settings)


@st.cache_data(show_spinner=False, max_entries=32)
def _notice_pdf(settings: Settings, kind: str, key: str, size: str, version: tuple[int, ...],  # noqa: ARG001
                day: date) -> bytes:
    from school_water_map.pipeline.notices import school_pdf_bytes, site_pdf_bytes, township_pdf_bytes  # WeasyPrint

    held = register(settings)
    if kind == "letter":
        return school_pdf_bytes(settings, key, register=held, today=day)
    if kind == "site":
        return site_pdf_bytes(settings, key, size=size, register=held, today=day)
    return township_pdf_bytes(settings, key, register=held, today=day)


@st.cache_data(show_spinner=False, max_entries=12)
def _export_file(settings: Settings, fmt: str, version: DataVersion) -> bytes:  # noqa: ARG001
    from school_water_map.outputs.export import export_bytes  # fastkml, openpyxl: only when a file is asked for

    return export_bytes(register(settings), fmt)


@st.cache_data(show_spinner=False, max_entries=64)
def _map_html(_settings: Settings, settings_id: str, version: DataVersion, key: tuple[object, ...],
              _view: MapView, _township: str | None, _scoped: bool) -> str:
    """``key``: ``map_key``, the scope and the assets' base (``_view`` etc. are in it, so not hashed)."""
    settings, view, base = _settings, _view, str(key[-1])
    whole = _register(settings, settings_id, version)  # the version of the key, not a newer one read meanwhile
    held = for_township(whole, _township) if _scoped else whole
    basemap = choose(str(key[1]), settings.tianditu_key, local=local_basemaps(settings))[0]
    return map_document(build_map(held, context(settings), basemap=basemap, view=view), base)


def _canonical(view: MapView) -> MapView:
    """The view with its filters as sorted tuples: the same choice in another order is the same map."""
    townships = None if view.townships is None else tuple(sorted(view.townships))
    levels = None if view.levels is None else tuple(sorted(view.levels))
    return replace(view, townships=townships, levels=levels)


@st.cache_resource(show_spinner=False)
def _context(geodata_dir: Path) -> ContextLayers:
    """The district's own layers, read once per process (shared, never copied: nothing changes them)."""
    return load_context(geodata_dir)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0
