"""定位与校核 · 地理编码候选: one entity at a time, riskiest first, its candidates on the map with its annex
context; a person confirms one (1 tap), rejects one, or clicks the map to move the point first; then the
flow moves on to the next entity with pending candidates.

Nothing is confirmed automatically: a confirmed candidate becomes the entity's ``geocoded`` (unconfirmed)
position through the one locate path, and the entity's other pending candidates are declined by the
same person's choice; a rejected one is only marked. A click on the map is kept per entity only: choosing
or moving on to another entity drops it (a point meant for one school must never be saved for the next).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from app_pages.parts import access, state, ui
from app_pages.parts.geocode_flow import find_all
from app_pages.parts.md_text import md
from school_water_map.domain.candidates import CandidateRecord, next_entity, pending_queue
from school_water_map.domain.register import Register
from school_water_map.errors import PROVIDER_ZH, AuthError, DataFileError, PositionError, UnknownPlaceError
from school_water_map.geo.basemaps import Basemap, basemaps
from school_water_map.geo.crs import to_wgs84
from school_water_map.outputs.mapping import MapView, build_map, candidate_layer
from school_water_map.outputs.review import to_place
from school_water_map.settings import Settings
from school_water_map.store.candidates import CandidateStore, confirm
from school_water_map.store.database import open_store

ADJUSTED = "点选的位置"


def candidate_review(settings: Settings, register: Register) -> None:
    st.subheader("地理编码候选")
    find_all(settings, register)
    store = CandidateStore(open_store(settings))
    try:
        records = store.load()
    except DataFileError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    order = [c.entity_id for c in to_place(register) if access.may_place(register, c.entity_id)]
    queue = pending_queue(records, order)
    decided = Counter(c.status for c in records)
    st.caption(f"候选来自在线地理编码（上方按钮、下方各处的“在线查找”，或命令 swmap geocode），不会自动采用："
               "请对照地图逐一确认或拒绝，风险高的先核对；确认后记为“未确认”的粗略位置（地图上以虚线显示），"
               f"之后仍可实测更正。待核对 {len(queue)} 处，已确认 {decided['confirmed']} 个，"
               f"已拒绝 {decided['rejected']} 个。")
    asked = st.session_state.pop(state.CANDIDATE_ASKED, None)
    entity = next_entity(queue, asked if asked in queue else st.session_state.get(state.CANDIDATE_ENTITY))
    if entity is None:
        st.caption("没有待确认的候选。")
        return
    if st.session_state.get(state.CANDIDATE_ENTITY) != entity:
        _forget_adjust()
        st.session_state[state.CANDIDATE_ENTITY] = entity
    st.selectbox(f"正在核对（共 {len(queue)} 处有候选，风险高的在前）", list(queue), key=state.CANDIDATE_ENTITY,
                 format_func=lambda i: f"{_name(register, i)}：{len(queue[i])} 个候选", on_change=_forget_adjust,
                 placeholder="请选择学校或水体")
    _context(register, entity)
    _candidates(settings, register, store, entity, queue[entity])


def _candidates(settings: Settings, register: Register, store: CandidateStore, entity: str,
                candidates: list[CandidateRecord]) -> None:
    basemap = _imagery(settings)
    adjusted = _adjusted(entity)
    points = [(c.lon, c.lat, f"#{c.candidate_id}") for c in candidates]
    if adjusted:
        points.append((*_wgs84(adjusted), ADJUSTED))
    listed, shown = st.columns([1, 1])  # the buttons beside the map: a map still loading never moves them
    with shown:
        fmap = build_map(register, state.context(settings), basemap=basemap,
                         view=MapView(focus_entity=entity, focus_points=tuple((p[0], p[1]) for p in points)))
        result = ui.show_map(fmap, key=f"candidate_map_{entity}", height=420, clicks=True,
                             pending=candidate_layer(points, basemap))
    click = (result or {}).get("last_clicked")
    if click and (entity, click["lng"], click["lat"]) != st.session_state.get(state.CANDIDATE_CLICK_SEEN):
        st.session_state[state.CANDIDATE_CLICK_SEEN] = (entity, click["lng"], click["lat"])
        st.session_state[state.CANDIDATE_ADJUST] = (entity, click["lng"], click["lat"], basemap.crs)
        st.rerun()
    author = ui.current_author()
    problem = None
    with listed:
        _hints(author, adjusted)
        for rank, candidate in enumerate(candidates):
            problem = _one(settings, register, store, candidate, author, adjusted, best=rank == 0) or problem
    if problem:
        st.error(problem, icon=":material/error:")  # escaped where it is made


def _one(settings: Settings, register: Register, store: CandidateStore, candidate: CandidateRecord, author: str,
         adjusted: tuple[str, float, float, str] | None, *, best: bool) -> str | None:
    """One candidate: what the provider said, 确认 and 拒绝; the problem when a decision failed."""
    with st.container(border=True):
        st.markdown(_described(candidate, best=best))
        yes, no = st.columns(2)
        if yes.button("按点选确认" if adjusted else "确认", key=f"candidate_confirm_{candidate.candidate_id}",
                      type="primary", disabled=not author, icon=":material/check:", width="stretch"):
            return _confirm(settings, register, store, candidate, author, adjusted)
        if no.button("拒绝", key=f"candidate_reject_{candidate.candidate_id}", disabled=not author,
                     icon=":material/close:", width="stretch"):
            return _reject(store, candidate, author)
    return None


def _hints(author: str, adjusted: tuple[str, float, float, str] | None) -> None:
    if not author:
        st.caption("请先在下方填写录入人，才能确认或拒绝。")
    if adjusted is None:
        st.caption("候选位置不准时，在右侧地图上点按正确的位置，再按“按点选确认”。")
        return
    lon, lat = _wgs84(adjusted)
    st.info(f"{ADJUSTED}：经度 {lon:.6f}，纬度 {lat:.6f}（WGS-84）。确认时记录这一点，所依据的候选一并记下。",
            icon=":material/pin_drop:")
    if st.button("取消点选", key="candidate_adjust_clear", icon=":material/undo:", width="stretch"):
        _forget_adjust()
        st.rerun()


def _context(register: Register, entity: str) -> None:
    """What the annex says about the place: its township and the water reported near it (or its schools)."""
    pairs = register.pairs
    if entity in register.schools.index:
        school = register.schools.loc[entity]
        st.markdown(f"正在核对：**{md(school['name'])}**（学校，{md(school['township_label'])}，"
                    f"{md(school['precision_label'])}）")
        rows = pairs[pairs["school_id"] == entity]
        table = pd.DataFrame([{"序号": p.row, "水体": p.water_text, "上报距离": p.distance_text or "未报",
                               "备注": p.note, "风险": p.risk_level_label} for p in rows.itertuples()])
    else:
        water = register.waters.loc[entity]
        st.markdown(f"正在核对：**{md(water['name'])}**（水体，{md(water['kind_label'])}，"
                    f"{md(water['precision_label'])}）")
        rows = pairs[pairs["water_id"] == entity]
        table = pd.DataFrame([{"序号": p.row, "学校": p.school, "乡镇": p.township_label,
                               "上报距离": p.distance_text or "未报", "风险": p.risk_level_label}
                              for p in rows.itertuples()])
    if not table.empty:
        st.dataframe(table, hide_index=True)


def _described(candidate: CandidateRecord, *, best: bool) -> str:
    provider = PROVIDER_ZH.get(candidate.provider, candidate.provider)
    address = md(candidate.address) if candidate.address else "（无地址）"
    first = "（首选）" if best else ""
    return (f"**#{candidate.candidate_id} {md(candidate.name)}**{first}（{md(provider)}）  \n{address}  \n"
            f"经度 {candidate.lon:.6f}，纬度 {candidate.lat:.6f}（WGS-84）；查询“{md(candidate.query)}”")


def _confirm(settings: Settings, register: Register, store: CandidateStore, candidate: CandidateRecord,
             author: str, adjusted: tuple[str, float, float, str] | None) -> str | None:
    try:
        confirm(store, candidate.candidate_id, by=author, resolution=register.resolution, area=state.area(settings),
                positions=open_store(settings).positions, user=access.user(),
                adjusted=adjusted[1:] if adjusted else None)
    except (PositionError, UnknownPlaceError, AuthError) as exc:
        return f"未确认候选 #{candidate.candidate_id}（{md(_name(register, candidate.entity_id))}）：{md(exc)}"
    declined = store.decline_others(candidate.candidate_id, author)
    _forget_adjust()
    others = f"；其余 {len(declined)} 个候选已随之拒绝" if declined else ""
    how = "按点选位置" if adjusted else ""
    state.after_write(f"已{how}确认候选 #{candidate.candidate_id}：“{md(_name(register, candidate.entity_id))}”"
                      f"的位置已记录（未确认，地理编码）{others}。地图、距离和风险已更新。")
    st.rerun()
    return None  # not reached: the rerun starts the page again


def _reject(store: CandidateStore, candidate: CandidateRecord, author: str) -> str | None:
    try:
        store.decide(candidate.candidate_id, "rejected", author)
    except PositionError as exc:  # decided meanwhile (another tablet, or the command line)
        return md(exc)
    st.session_state[state.FLASH] = f"已拒绝候选 #{candidate.candidate_id}（{md(candidate.name)}）。"
    st.rerun()
    return None  # not reached


def _imagery(settings: Settings) -> Basemap:
    """Imagery when a key offers it (天地图 影像), else the person's own basemap (offline by default)."""
    chosen = ui.saved_basemap(settings)
    if chosen.imagery:
        return chosen
    keyed = [b for b in basemaps(settings.tianditu_key) if b.imagery and b.needs_key]
    return keyed[0] if keyed else chosen


def _adjusted(entity: str) -> tuple[str, float, float, str] | None:
    held = st.session_state.get(state.CANDIDATE_ADJUST)
    return held if isinstance(held, tuple) and held[0] == entity else None


def _wgs84(adjusted: tuple[str, float, float, str]) -> tuple[float, float]:
    lon, lat = to_wgs84(adjusted[1], adjusted[2], adjusted[3])
    return float(lon), float(lat)


def _forget_adjust() -> None:
    st.session_state.pop(state.CANDIDATE_ADJUST, None)


def _name(register: Register, entity_id: str) -> str:
    for frame, kind in ((register.schools, "学校"), (register.waters, "水体")):
        if entity_id in frame.index:
            return f"{frame.at[entity_id, 'name']}（{kind}，{frame.at[entity_id, 'precision_label']}）"
    return entity_id
