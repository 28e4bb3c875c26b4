"""设置 · 学校所属乡镇: a 管理员 assigns a school's township (待确认 schools listed first); the assignment is
kept with who and when (``store.townships``, append-only), and the school's sites then belong to that
township's patrols. The history of assignments follows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.parts import access, state
from app_pages.parts.md_text import md
from school_water_map.domain.entities import TOWNSHIP_UNKNOWN, TOWNSHIPS
from school_water_map.domain.inspections import LOCAL_TIME
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, SettingsError
from school_water_map.settings import Settings
from school_water_map.store.database import Store
from school_water_map.store.townships import assign, history

SCHOOL_KEY = "township_school"


def show(store: Store, me: User, base: Settings) -> None:
    """The section: choose a school, its township, an optional note, 保存; then the history."""
    st.subheader("学校所属乡镇")
    schools = state.register(state.settings()).schools
    unknown = schools["township"].isna()
    ordered = pd.concat([schools[unknown], schools[~unknown]])
    names = dict(zip(ordered["school_id"], ordered["name"], strict=True))
    labels = dict(zip(ordered["school_id"], ordered["township_label"], strict=True))
    bases = dict(zip(ordered["school_id"], ordered["township_basis"], strict=True))
    st.caption(f"尚有 {int(unknown.sum())} 所学校乡镇{TOWNSHIP_UNKNOWN}（列在最前），其站点暂无乡镇巡查员负责。"
               "指定后，该校的站点归所指定乡镇的巡查员巡查；每次指定均有记录。")
    school = st.selectbox("学校", list(names), key=SCHOOL_KEY,
                          format_func=lambda s: f"{names[s]}（{s}，乡镇：{labels[s]}）",
                          placeholder="请选择学校")
    if school is None:
        return
    st.caption(f"当前乡镇：{md(labels[school])}（依据：{md(bases[school])}）")
    held = labels[school]
    with st.form(f"township_assign_{school}"):
        township = st.selectbox("所属乡镇（街道）", TOWNSHIPS,
                                index=TOWNSHIPS.index(held) if held in TOWNSHIPS else None,
                                key=f"township_choice_{school}", placeholder="请选择乡镇")
        note = st.text_input("说明（可选）", key=f"township_note_{school}",
                             placeholder="如：依据区教育局 2026 年学校名册")
        saved = st.form_submit_button("保存", type="primary", icon=":material/save:", key=f"township_save_{school}")
    if saved:
        _save(store, me, base, school, township, note, names[school])
    _history(store, names)


def _save(store: Store, me: User, base: Settings, school: str, township: str | None, note: str, name: str) -> None:
    if township is None:
        st.error("请选择乡镇（街道）后再保存。", icon=":material/error:")
        return
    try:
        assign(store, school, township, actor=me, schools=set(state.register(state.settings()).schools.index),
               note=note, client=access.client_address(base))
    except (SettingsError, AuthError) as exc:
        st.error(f"未保存：{md(exc)}", icon=":material/error:")
        return
    state.after_write(f"已将{md(name)}指定为{md(township)}（指定人：{md(me.display_name or me.username)}）")
    st.rerun()


def _history(store: Store, names: dict[str, str]) -> None:
    st.markdown("**乡镇指定记录**")
    done = history(store)
    if not done:
        st.caption("尚无乡镇指定记录。")
        return
    st.dataframe(pd.DataFrame([{"时间": a.assigned_at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S"),
                                "学校": names.get(a.school_id, a.school_id), "学校编号": a.school_id,
                                "乡镇": a.township, "指定人": a.assigned_by, "说明": a.note} for a in done]),
                 hide_index=True, width="stretch")
