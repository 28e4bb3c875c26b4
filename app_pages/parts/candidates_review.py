"""定位与校核 · 地理编码候选: a person confirms or rejects each candidate an online geocoder returned.

Nothing is confirmed automatically: a confirmed candidate becomes the entity's ``geocoded`` (unconfirmed)
position through the one locate path; a rejected one is only marked. Running a geocoder stays a
command-line task (``swmap geocode``): it needs a key and the network.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st

from app_pages.parts import access, state, ui
from app_pages.parts.md_text import md
from school_water_map.domain.candidates import CandidateRecord
from school_water_map.domain.register import Register
from school_water_map.domain.users import ADMIN, ROLE_ZH
from school_water_map.errors import PROVIDER_ZH, AuthError, DataFileError, PositionError, UnknownPlaceError
from school_water_map.outputs.mapping import MapView, build_map, candidate_layer
from school_water_map.settings import Settings
from school_water_map.store.candidates import CandidateStore, confirm
from school_water_map.store.database import open_store


def candidate_review(settings: Settings, register: Register) -> None:
    st.subheader("地理编码候选")
    store = CandidateStore(open_store(settings))
    try:
        records = store.load()
    except DataFileError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    decided = Counter(c.status for c in records)
    st.caption(f"候选来自在线地理编码（由{ROLE_ZH[ADMIN]}运行命令 swmap geocode --provider tianditu、amap "
               "或 nominatim，需要密钥和网络），不会自动采用：请对照地图逐一确认或否决。确认后记为“未确认”的粗略位置"
               f"（地图上以虚线显示），之后仍可实测更正。已确认 {decided['confirmed']} 个，"
               f"已否决 {decided['rejected']} 个。")
    by_entity: dict[str, list[CandidateRecord]] = {}
    for candidate in records:  # pending, and of what this user may place (a patrol: its township)
        if candidate.status == "pending" and _known(register, candidate.entity_id):
            by_entity.setdefault(candidate.entity_id, []).append(candidate)
    if not by_entity:
        st.caption("没有待确认的候选。")
        return
    entity = str(st.selectbox(
        f"有候选的学校或水体（{len(by_entity)} 处，共 {sum(map(len, by_entity.values()))} 个候选）", list(by_entity),
        format_func=lambda i: f"{_name(register, i)}：{len(by_entity[i])} 个候选", key=state.CANDIDATE_ENTITY,
        placeholder="请选择学校或水体"))
    candidates = by_entity[entity]
    basemap = ui.saved_basemap(settings)
    fmap = build_map(register, state.context(settings), basemap=basemap,
                     view=MapView(focus_entity=entity, focus_points=tuple((c.lon, c.lat) for c in candidates)))
    ui.show_map(fmap, key="candidate_map", height=420,
                pending=candidate_layer([(c.lon, c.lat, f"#{c.candidate_id}") for c in candidates], basemap))
    author = ui.current_author()
    if not author:
        st.caption("请先在上方填写录入人，才能确认或否决。")
    problem = None
    for candidate in candidates:
        with st.container(border=True):
            text, yes, no = st.columns([4, 1, 1], vertical_alignment="center")
            provider = PROVIDER_ZH.get(candidate.provider, candidate.provider)
            address = md(candidate.address) if candidate.address else "（无地址）"
            text.markdown(f"**#{candidate.candidate_id} {md(candidate.name)}**（{md(provider)}）  \n"
                          f"{address}  \n经度 {candidate.lon:.6f}，纬度 {candidate.lat:.6f}"
                          f"（WGS-84）；查询“{md(candidate.query)}”")
            if yes.button("确认", key=f"candidate_confirm_{candidate.candidate_id}", type="primary",
                          disabled=not author, icon=":material/check:", width="stretch"):
                problem = _confirm(settings, register, store, candidate, author)
            if no.button("否决", key=f"candidate_reject_{candidate.candidate_id}", disabled=not author,
                         icon=":material/close:", width="stretch"):
                problem = _reject(store, candidate, author)
    if problem:
        st.error(problem, icon=":material/error:")  # escaped where it is made


def _confirm(settings: Settings, register: Register, store: CandidateStore, candidate: CandidateRecord,
             author: str) -> str | None:
    try:
        confirm(store, candidate.candidate_id, by=author, resolution=register.resolution, area=state.area(settings),
                positions=open_store(settings).positions, user=access.user())
    except (PositionError, UnknownPlaceError, AuthError) as exc:
        return f"未确认候选 #{candidate.candidate_id}：{md(exc)}"
    state.after_write(f"已确认候选 #{candidate.candidate_id}：“{md(_name(register, candidate.entity_id))}”的位置已记录"
                      "（未确认，地理编码）。地图、距离和风险已更新。")
    st.rerun()
    return None  # not reached: the rerun starts the page again


def _reject(store: CandidateStore, candidate: CandidateRecord, author: str) -> str | None:
    try:
        store.decide(candidate.candidate_id, "rejected", author)
    except PositionError as exc:  # decided meanwhile (another tablet, or the command line)
        return md(exc)
    st.session_state[state.FLASH] = f"已否决候选 #{candidate.candidate_id}（{md(candidate.name)}）。"
    st.rerun()
    return None  # not reached


def _known(register: Register, entity_id: str) -> bool:
    return entity_id in register.schools.index or entity_id in register.waters.index


def _name(register: Register, entity_id: str) -> str:
    for frame, kind in ((register.schools, "学校"), (register.waters, "水体")):
        if entity_id in frame.index:
            return f"{frame.at[entity_id, 'name']}（{kind}，{frame.at[entity_id, 'precision_label']}）"
    return entity_id
