"""定位与校核: place a school or water body (map click, typed coordinates, tablet GPS, CSV), and review."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.parts import access, state, ui
from app_pages.parts.candidates_review import candidate_review
from app_pages.parts.geocode_flow import search_one
from app_pages.parts.locate_methods import BY_METHOD, METHODS
from app_pages.parts.md_text import md
from app_pages.parts.patrol_reject import reject_form
from school_water_map.domain.positions import METHOD_ZH, PRECISION_ZH
from school_water_map.domain.register import Register
from school_water_map.domain.reported import format_metres
from school_water_map.outputs.review import ToPlace, next_to_place, placed_counts, review_tables, to_place
from school_water_map.settings import Settings
from school_water_map.store.database import open_store

PATROL_TITLE = "巡查定位"  # the review tab of positions patrols recorded (outputs.review)

def main() -> None:
    st.title("定位与校核")
    settings = state.settings()
    register = access.visible_register(settings)
    state.show_flash()
    candidates = {c.entity_id: c for c in to_place(register) if access.may_place(register, c.entity_id)}
    st.caption(f"{placed_counts(register)}。")
    _open_asked(candidates)
    _open_next(register, candidates)
    candidate_review(settings, register)
    _keep_chosen(candidates)
    left, right = st.columns([2, 1])
    entity_id = left.selectbox("要定位的学校或水体", list(candidates), key=state.LOCATE_ENTITY,
                               format_func=lambda i: candidates[i].label, on_change=state.forget_pending,
                               placeholder="请选择学校或水体")
    ui.author_field(right)
    entity = candidates[entity_id]
    _status(settings, register, entity)
    search_one(settings, entity)
    method = st.segmented_control("定位方式", list(METHODS), format_func=METHODS.__getitem__, default="click",
                                  required=True, key=state.LOCATE_METHOD)
    BY_METHOD[method or "click"](settings, register, entity)
    _surroundings(register, entity)
    _review(settings, register)


def _keep_chosen(candidates: dict[str, ToPlace]) -> None:
    """Send the chosen place back to the browser on every run. The browser keeps a selectbox's choice as its
    label, and saving a position changes the label (its precision): the next rerun would read the old label
    as unknown and silently switch to the first place in the list."""
    chosen = st.session_state.get(state.LOCATE_ENTITY)
    if chosen in candidates:
        st.session_state[state.LOCATE_ENTITY] = chosen


def _open_asked(candidates: dict[str, ToPlace]) -> None:
    """``?entity=<id>`` (a link from the map page): choose that place once, then drop it from the address."""
    asked = st.query_params.get(state.LOCATE_PARAM)
    if asked is None:
        return
    if asked in candidates:
        state.forget_pending()
        st.session_state[state.LOCATE_ENTITY] = asked
    else:
        st.warning(f"链接中的学校或水体“{md(asked)}”不存在，或本账号无权定位。", icon=":material/help:")
    del st.query_params[state.LOCATE_PARAM]


def _open_next(register: Register, candidates: dict[str, ToPlace]) -> None:
    """After 保存并定位下一个: choose the next unplaced place (before the picker is drawn) or say none is left."""
    saved = st.session_state.pop(state.LOCATE_NEXT, None)
    if saved is None:
        return
    following = next_to_place(register, saved)
    if following in candidates:
        st.session_state[state.LOCATE_ENTITY] = following
    else:
        st.info("已没有待定位的学校或水体。", icon=":material/task_alt:")


def _status(settings: Settings, register: Register, entity: ToPlace) -> None:
    frame = register.schools if entity.kind == "school" else register.waters
    row = frame.loc[entity.entity_id]
    if row["geometry"] is None:
        st.markdown(f"**{md(entity.name)}**：{row['precision_label']}")
        return
    point = row["geometry"].representative_point()
    when = str(row["recorded_at"])[:16].replace("T", " ")
    st.markdown(f"**{md(entity.name)}**：{row['precision_label']}，经度 {point.x:.6f}、纬度 {point.y:.6f}（WGS-84）；"
                f"来源：{md(row['source'])}；录入人：{md(row['author'])}；{when}")
    history = open_store(settings).positions.history(entity.entity_id)
    with st.expander(f"位置记录（共 {len(history)} 条，最新的为当前位置）"):
        st.dataframe(pd.DataFrame([{
            "时间": r.recorded_at[:19].replace("T", " "), "精度": PRECISION_ZH[r.precision],
            "方式": METHOD_ZH.get(r.method, r.method), "位置（WGS-84）": r.wkt, "来源": r.source, "录入人": r.author,
        } for r in reversed(history)]), hide_index=True)


def _surroundings(register: Register, entity: ToPlace) -> None:
    """The entity's pairs: reported distance, the derived position, the computed distance and the risk."""
    column = "school_id" if entity.kind == "school" else "water_id"
    pairs = register.pairs[register.pairs[column] == entity.entity_id]
    derived = register.derived.set_index("row")["explanation"]
    st.subheader("该校周边水域" if entity.kind == "school" else "涉及的学校")
    st.dataframe(pd.DataFrame([{
        "序号": p.row, "学校": p.school, "水体": p.water, "上报距离": p.distance_text or "未报",
        "按附件推算": derived.get(p.row, "学校定位后推算" if p.school_precision == "unplaced" else ""),
        "计算距离（米）": _computed_text(p), "风险": p.risk_level_label,
    } for p in pairs.itertuples()]), hide_index=True)


def _computed_text(pair: Any) -> str:
    if pd.notna(pair.computed_distance_m):
        return format_metres(round(pair.computed_distance_m))
    if pair.school_precision == "unplaced":
        return "学校定位后计算"
    return "水体定位后计算" if isinstance(pair.water_id, str) else ""


def _review(settings: Settings, register: Register) -> None:
    st.subheader("待定位与待核查")
    tables = review_tables(register)
    for tab, (title, table) in zip(st.tabs([f"{t}（{len(df)}）" for t, df in tables.items()]), tables.items(),
                                   strict=True):
        with tab:
            if table.empty:
                st.caption(f"没有{title}。")
            else:
                st.dataframe(table, hide_index=True)
                if title == PATROL_TITLE:
                    st.caption("巡查人员在现场用 GPS 给站点定的位置。位置有误时，可在上方选中该学校或水体重新定位"
                               "（新位置取代它），或在下面否决它（恢复此前的位置）：原记录都保留在位置记录中。")
                    reject_form(settings, table)


main()
