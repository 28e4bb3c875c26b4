"""Widgets shared by the pages: filters, the basemap choice, the map component, links to locate."""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium  # type: ignore[import-untyped]

from app_pages.parts import access, state
from app_pages.parts.md_text import md
from school_water_map.domain.entities import TOWNSHIP_UNKNOWN, site_id
from school_water_map.domain.register import NO_WATER_LEVEL, Register
from school_water_map.domain.users import ADMIN
from school_water_map.geo.basemaps import LOCAL, Basemap, basemaps, choose
from school_water_map.outputs.colours import risk_text_colours
from school_water_map.outputs.map_assets import localize_assets
from school_water_map.outputs.mapping import MapView
from school_water_map.outputs.review import placed_counts, to_place
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.prefs import PrefsStore, owner

ALL_TOWNSHIPS = "全部乡镇"


def townships(register: Register) -> list[str]:
    """The township labels of the register, 待确认 last."""
    labels = sorted(set(register.pairs["township_label"]) - {TOWNSHIP_UNKNOWN})
    return [*labels, TOWNSHIP_UNKNOWN] if TOWNSHIP_UNKNOWN in set(register.pairs["township_label"]) else labels


def level_choices(register: Register) -> dict[str, str]:
    """Risk level code → Chinese label, highest first, with 无上报水域 last."""
    levels = sorted(register.rules.levels, key=lambda lv: lv.rank)
    return {**{lv.code: lv.label for lv in levels}, NO_WATER_LEVEL[0]: NO_WATER_LEVEL[1]}


def township_filter(register: Register, *, key: str) -> list[str] | None:
    choice = st.selectbox("乡镇", [ALL_TOWNSHIPS, *townships(register)], key=key, placeholder="请选择乡镇")
    return None if choice == ALL_TOWNSHIPS else [choice]


def level_filter(register: Register, *, key: str) -> list[str]:
    labels = level_choices(register)
    chosen = st.pills("风险等级", list(labels), selection_mode="multi", default=list(labels),
                      format_func=labels.__getitem__, key=key)
    return list(chosen or [])


def map_filters(register: Register, settings: Settings, *, key: str) -> tuple[MapView, Basemap]:
    """The map page's controls in one row: township, risk levels, basemap."""
    left, middle, right = st.columns([1, 2, 1])
    with left:
        townships_chosen = township_filter(register, key=f"{key}_township")
    with middle:
        levels = level_filter(register, key=f"{key}_levels")
    with right:
        basemap = basemap_picker(settings, key=f"{key}_basemap")
    return MapView(townships=townships_chosen, levels=levels, notice_url=notices_url()), basemap


def map_choice(register: Register, settings: Settings, *, key: str) -> tuple[MapView, Basemap]:
    """What ``map_filters(..., key=key)`` will give, read from the widgets' state (their defaults on a
    first visit) without drawing them: the map page sends its map first and the controls after."""
    township = st.session_state.get(f"{key}_township", ALL_TOWNSHIPS)
    townships_chosen = [township] if township in townships(register) else None
    levels = st.session_state.get(f"{key}_levels", list(level_choices(register)))
    offer = {b.code: b for b in basemaps(settings.tianditu_key, local=state.local_basemaps(settings))}
    code = st.session_state.get(f"{key}_basemap")
    basemap = offer[code] if code in offer else saved_basemap(settings)
    return MapView(townships=townships_chosen, levels=list(levels or []), notice_url=notices_url()), basemap


def basemap_picker(settings: Settings, *, key: str) -> Basemap:
    """Choose the basemap; the choice is saved in the store and survives a reload. An 管理员's choice
    (or anyone's in open mode) is everyone's default; a 查看 or 乡镇巡查员 changes only its own."""
    store, mine = PrefsStore(open_store(settings)), owner(access.user())
    local = state.local_basemaps(settings)
    saved, reason = choose(store.load(mine).basemap, settings.tianditu_key, local=local)
    if reason:
        st.caption(reason)
    if (trouble := state.tile_source(settings)[1]) and access.can_open(state.PAGE_SETTINGS):
        st.caption(f"离线底图不可用：{md(trouble)}")
    offer = {b.code: b for b in basemaps(settings.tianditu_key, local=local)}
    codes: list[str] = list(offer)

    def save() -> None:
        store.update(mine, basemap=st.session_state[key])

    code = st.selectbox("底图", codes, index=codes.index(saved.code), format_func=lambda c: offer[c].label, key=key,
                        on_change=save, placeholder="请选择底图")
    return offer[code] if code is not None else saved


def saved_basemap(settings: Settings) -> Basemap:
    """The basemap this person chose (their own, or the global default)."""
    return choose(PrefsStore(open_store(settings)).load(owner(access.user())).basemap, settings.tianditu_key,
                  local=state.local_basemaps(settings))[0]


def basemap_note(settings: Settings, basemap: Basemap) -> None:
    """Say what the basemap needs, in one line under the map."""
    notes = (["由本系统提供，无网络时也显示。"] if basemap.code == LOCAL
             else ["无网络时底图不显示，地图仍显示区界、周边区县和黄河。"])
    if basemap.crs == "GCJ02":
        notes.append(f"{basemap.label}使用 GCJ-02 坐标，图上各图层已相应换算。")
    if not settings.tianditu_key:
        notes.append("天地图底图需要密钥：请管理员在“设置”页填写（或设置环境变量 SWMAP_TIANDITU_KEY）。")
    st.caption(f"底图：{basemap.label}。" + "".join(notes))


def show_map(fmap: folium.Map, *, key: str, height: int, clicks: bool = False, drawings: bool = False,
             pending: folium.FeatureGroup | None = None) -> dict[str, Any] | None:
    """Draw the map from local assets; with ``clicks`` the page reruns on a click and gets it back, with
    ``drawings`` on each shape drawn, edited or deleted (``all_drawings``, Leaflet.draw's GeoJSON)."""
    localize_assets(fmap, state.static_base())
    returned = [*(["last_clicked"] if clicks else []), *(["all_drawings"] if drawings else [])]
    result: dict[str, Any] | None = st_folium(
        fmap, key=key, height=height, use_container_width=True, returned_objects=returned,
        feature_group_to_add=pending)
    return result


def notices_url() -> str | None:
    """The 告知书 page's address (under ``server.baseUrlPath``): map popups link to it; None for a role
    without the page (a 乡镇巡查员: the page lists every township)."""
    if not access.can_open(state.PAGE_NOTICES):
        return None
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}/notices" if prefix else "/notices"


def notice_downloads(settings: Settings, register: Register, school_id: str, water_id: object, *, key: str) -> None:
    """下载告知书 (the school's letter) and 下载警示告示 (its site's, A4): each PDF is made when pressed."""
    from school_water_map.pipeline.notices import school_filename, site_filename  # WeasyPrint: on use only

    left, right = st.columns(2)
    left.download_button("下载告知书", lambda: state.notice_pdf(settings, "letter", school_id),
                         file_name=school_filename(register, school_id), mime="application/pdf",
                         icon=":material/print:", key=f"{key}_letter", on_click="ignore", width="stretch")
    if isinstance(water_id, str):
        site = site_id(school_id, water_id)
        right.download_button("下载警示告示", lambda: state.notice_pdf(settings, "site", site),
                              file_name=site_filename(site), mime="application/pdf", icon=":material/print:",
                              key=f"{key}_site", on_click="ignore", width="stretch")


def author_field(container: Any = st) -> str:
    """录入人: the name kept with what a person records (the same field on every page); returns it.
    Once logged in it is the account's name, shown and not editable."""
    account = access.user()
    if account is not None:
        st.session_state[state.AUTHOR] = access.author_name(account)
    container.text_input("录入人（姓名）", key=state.AUTHOR, placeholder="请填写姓名", disabled=account is not None)
    return current_author()


def current_author() -> str:
    account = access.user()
    return access.author_name(account) if account else str(st.session_state.get(state.AUTHOR, "")).strip()


def locate_button(entity_id: str, label: str, *, key: str) -> None:
    """A button that opens the 定位与校核 page on this school or water body (for those who may locate)."""
    if access.can_open(state.PAGE_LOCATE) and st.button(label, key=key, icon=":material/add_location_alt:"):
        st.session_state[state.LOCATE_ENTITY] = entity_id
        st.switch_page(state.PAGE_LOCATE)


def task_button(site_id: object, *, key: str) -> None:
    """For a 管理员: a button that opens the 整改 page's 交办整改任务 on this site."""
    user = access.user()
    if (isinstance(site_id, str) and user is not None and user.role == ADMIN
            and st.button("交办整改任务", key=key, icon=":material/add_task:")):
        st.session_state[state.TASK_SITE] = site_id
        st.switch_page(state.PAGE_TASKS)


def unplaced_notice(register: Register) -> None:
    """How many schools are not on the map yet, and a link to place them."""
    schools = register.schools
    unplaced = int((schools["precision"] == "unplaced").sum())
    if unplaced == 0:
        return
    text, link = st.columns([4, 1], vertical_alignment="center") if access.can_open(state.PAGE_LOCATE) else (st, None)
    text.warning(f"{placed_counts(register)}。尚有 {unplaced} 所学校未定位，它们及其周边水体暂不在地图上显示。",
                 icon=":material/location_off:")
    if link is not None:
        link.page_link(state.PAGE_LOCATE, label="去定位", icon=":material/add_location_alt:")


def unplaced_schools(register: Register) -> None:
    """The schools not yet placed, riskiest first, each a link that opens 定位与校核 on it."""
    waiting = [c for c in to_place(register) if c.kind == "school" and c.precision == "unplaced"]
    if not waiting or not access.can_open(state.PAGE_LOCATE):
        return
    with st.expander(f"未定位的学校（{len(waiting)}）：按风险从高到低，点按即去定位", icon=":material/location_off:"):
        for candidate in waiting:
            township = register.schools.at[candidate.entity_id, "township_label"]
            st.page_link(state.PAGE_LOCATE, label=f"{candidate.name}（{township}）", icon=":material/add_location_alt:",
                         query_params={state.LOCATE_PARAM: candidate.entity_id})


def risk_styled(table: pd.DataFrame, register: Register) -> Any:
    """The register table with its 风险 columns in the risk levels' text colours (WCAG AA on white)."""
    by_label = {label: risk_text_colours(register.rules)[code] for code, label in level_choices(register).items()}
    return table.style.map(lambda label: f"color: {by_label.get(label, 'inherit')}; font-weight: 600",
                           subset=[c for c in ("风险", "措施后风险") if c in table.columns])
