"""描绘水体 on the 定位与校核 page: trace a canal, ditch or river as a line, a pond, lake or park water as an
outline, over the chosen basemap; edit its vertices; save it with source, author and precision.

The drawing tools are Leaflet.draw (``outputs.trace_tools``); st_folium sends back every drawn shape on
each change. The shapes come in the basemap's CRS (GCJ-02 on 高德) and are converted to WGS-84 by the
one locate path (``domain.locate``). The map's key names the place, the basemap and the input version:
choosing another place or basemap, or saving, starts from a clean drawing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from app_pages.parts import access, state, ui
from app_pages.parts.md_text import md
from app_pages.parts.position_upload import precision_choice
from school_water_map.domain.locate import LocateRequest, prepare, record
from school_water_map.domain.positions import PRECISION_ZH
from school_water_map.domain.register import Register
from school_water_map.domain.trace import Shape, describe, shapes_for, trace_request
from school_water_map.errors import AuthError, PositionError, UnknownPlaceError
from school_water_map.geo.basemaps import Basemap
from school_water_map.outputs.mapping import MapView, build_map
from school_water_map.outputs.review import ToPlace
from school_water_map.outputs.trace_tools import add_trace_tools
from school_water_map.settings import Settings
from school_water_map.store.database import open_store

LABEL = "描绘水体"


def by_tracing(settings: Settings, register: Register, entity: ToPlace) -> None:
    """The basemap, the map with the drawing tools, and what was drawn ready to save."""
    if entity.kind != "water":
        st.info("描绘水体用于渠道、沟、河流、坑塘等水体：请在上方选择一处水体。学校请用其他定位方式。",
                icon=":material/info:")
        return
    water = register.resolution.waters[entity.entity_id]
    shapes = shapes_for(water.kind)
    basemap = ui.basemap_picker(settings, key="trace_basemap")
    hint = "" if basemap.imagery else "当前底图没有影像，只能粗略描绘；有网络时请选“天地图 影像”或“高德 影像”。"
    st.caption(f"用地图左上角的工具描绘“{md(entity.name)}”（{register.waters.at[entity.entity_id, 'kind_label']}）："
               + "；".join(f"{s.label}：{s.hint}" for s in shapes)
               + "。画完可用“修改顶点”拖动顶点，再在下方保存。一条渠流经多所学校时只需描绘一次。" + hint)
    drawings = _drawn(settings, register, entity, basemap, shapes)
    if not drawings:
        st.caption("在地图上画好后，这里显示待保存的图形。")
        return
    author = ui.current_author()
    request = _request(settings, drawings, register, entity, basemap, author)
    if request is not None:
        _save(settings, register, entity, request)


def _drawn(settings: Settings, register: Register, entity: ToPlace, basemap: Basemap,
           shapes: tuple[Shape, ...]) -> list[dict[str, Any]]:
    saved = register.waters.at[entity.entity_id, "geometry"]
    editable = saved if saved is not None and saved.geom_type != "Point" else None
    fmap = build_map(register, state.context(settings), basemap=basemap, view=MapView(focus_entity=entity.entity_id))
    add_trace_tools(fmap, shapes, basemap_crs=basemap.crs, existing=editable)
    key = state.typed_key(f"trace_map_{entity.entity_id}_{basemap.code}")
    result = ui.show_map(fmap, key=key, height=520, drawings=True)
    return list((result or {}).get("all_drawings") or [])


def _request(settings: Settings, drawings: list[dict[str, Any]], register: Register, entity: ToPlace,
             basemap: Basemap, author: str) -> LocateRequest | None:
    """The request for what was drawn, shown as it will be saved (WGS-84), or the problem in Chinese; then
    its precision and source."""
    water = register.resolution.waters[entity.entity_id]
    try:
        request = trace_request(drawings, water, crs=basemap.crs, source=LABEL, author=author or "（未填写）")
        (checked,) = prepare([request], register.resolution, state.area(settings), user=access.user())
    except (PositionError, AuthError) as exc:
        st.error(f"不能保存：{md(exc)}", icon=":material/error:")
        return None
    st.info(f"待保存的图形：{describe(checked.geometry)}（已换算为 WGS-84）", icon=":material/draw:")
    precision = precision_choice("trace", default="surveyed" if basemap.imagery else "geocoded")
    source = st.text_input("来源", value=f"{LABEL}（底图：{basemap.label}）", key=state.typed_key("source_trace"))
    return replace(request, precision=precision, source=source)


def _save(settings: Settings, register: Register, entity: ToPlace, request: LocateRequest) -> None:
    author = ui.current_author()
    if not author:
        st.caption("请先在上方填写录入人，才能保存。")
    left, right = st.columns(2)
    save = left.button(f"保存“{md(entity.name)}”的图形", type="primary", disabled=not author, icon=":material/save:",
                       key="save_trace", width="stretch")
    save_next = right.button("保存并定位下一个", disabled=not author, icon=":material/skip_next:",
                             key="save_next_trace", width="stretch")
    if not (save or save_next):
        return
    request = replace(request, author=author)
    try:
        record([request], register.resolution, state.area(settings), open_store(settings).positions,
               user=access.user())
    except (PositionError, UnknownPlaceError, AuthError) as exc:
        st.error(f"未保存：{md(exc)}", icon=":material/error:")
        return
    state.forget_pending()
    if save_next:
        st.session_state[state.LOCATE_NEXT] = entity.entity_id
    state.after_write(f"已保存“{md(entity.name)}”的图形（{PRECISION_ZH[request.precision]}，{LABEL}）。"
                      "涉及该水体的每所学校的距离和风险已更新。")
    st.rerun()
