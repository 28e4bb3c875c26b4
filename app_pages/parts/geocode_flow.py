"""定位与校核 · 在线查找: ask the configured geocoders for every unplaced school and water body, or for one
place in a person's own words; every answer joins the queue of candidates (``candidates_review``).

Only an 管理员 (or anyone in open mode, without accounts) runs a geocoder: it spends the bureau's key
quota. A run is the command line's ``swmap geocode --only-unplaced`` (same throttle, same retries), one
provider after another; a key or quota error stops that provider, and candidates already stored stay.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.parts import access, state
from app_pages.parts.md_text import md
from school_water_map.domain.register import Register
from school_water_map.domain.users import ADMIN
from school_water_map.errors import PROVIDER_ZH
from school_water_map.io.geocode import Provider, configured_providers, make_provider
from school_water_map.outputs.review import ToPlace
from school_water_map.pipeline.geocoding import STOPPING, Progress, QueryOutcome, geocode_entities, search_entity
from school_water_map.settings import Settings
from school_water_map.store.candidates import CandidateStore
from school_water_map.store.database import open_store


def may_geocode() -> bool:
    """An 管理员, or open mode: a 乡镇巡查员 or 查看 never spends the key's quota."""
    account = access.user()
    return account is None or account.role == ADMIN


def find_all(settings: Settings, register: Register) -> None:
    """The 查找全部未定位的学校和水体 button: every configured provider, a progress bar per entity."""
    if not may_geocode():
        return
    providers = _providers(settings)
    if providers is None:
        return
    names = "、".join(PROVIDER_ZH.get(p.name, p.name) for p in providers)
    st.caption(f"在线地理编码：{names}。结果只是候选，须逐一确认。")
    if not st.button("查找全部未定位的学校和水体", key="geocode_all", icon=":material/travel_explore:"):
        return
    store = CandidateStore(open_store(settings))
    outcomes: list[QueryOutcome] = []
    for provider in providers:
        zh = PROVIDER_ZH.get(provider.name, provider.name)
        bar = st.progress(0.0, text=f"正在用{zh}查找……")
        step = _step(bar, zh)
        outcomes += geocode_entities(register, provider, store, only_unplaced=True, progress=step)
        bar.progress(1.0, text=f"{zh}：查找完毕")
    _report(register, outcomes)


def search_one(settings: Settings, entity: ToPlace) -> None:
    """A search box for the place at hand: the person's own words → its candidates, shown in the review."""
    if not may_geocode():
        return
    providers = _providers(settings, quiet=True)
    if providers is None:
        return
    text_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
    text = text_col.text_input(f"在线查找“{entity.name}”", key=state.typed_key("geocode_query"),
                               placeholder="地名或地址，如 板桥乡 波浪渠小学")
    if not button_col.button("查找", key="geocode_search", icon=":material/search:", width="stretch"):
        return
    query = text.strip() or entity.name
    found, errors = search_entity(entity.entity_id, query, providers, CandidateStore(open_store(settings)))
    problems = [f"查找“{md(query)}”（{md(entity.name)}）时出错：{md(exc)}" for exc in errors]
    if found:
        st.session_state[state.CANDIDATE_ASKED] = entity.entity_id
        st.session_state[state.FLASH] = "".join(p + "。" for p in problems) + (
            f"“{md(query)}”找到 {len(found)} 个候选，已列在上方“地理编码候选”中，请在地图上核对后确认。")
        st.rerun()
    for problem in problems:
        st.error(problem, icon=":material/error:")
    if not errors:
        st.warning(f"“{md(query)}”没有找到结果：请换个说法再查，如加上乡镇名（板桥乡 波浪渠小学）。",
                   icon=":material/search_off:")


def _step(bar: DeltaGenerator, provider_zh: str) -> Progress:
    def step(done: int, total: int, _entity_id: str, query: str) -> None:
        bar.progress(done / max(total, 1), text=f"{provider_zh}：第 {done + 1}/{total} 处，“{md(query)}”")

    return step


def _providers(settings: Settings, *, quiet: bool = False) -> list[Provider] | None:
    """The configured providers, or None after saying that none is (with a link to 设置)."""
    names = configured_providers(settings)
    if not names:
        if not quiet:
            st.info("尚未配置在线地理编码：请在“设置”页填写天地图或高德地图密钥，或自建 Nominatim 的地址，"
                    "之后即可在此一键查找全部未定位的学校和水体。", icon=":material/key_off:")
            if access.can_open(state.PAGE_SETTINGS):
                st.page_link(state.PAGE_SETTINGS, label="去设置", icon=":material/settings:")
        return None
    return [make_provider(name, settings) for name in names]


def _report(register: Register, outcomes: list[QueryOutcome]) -> None:
    found = sum(o.candidates for o in outcomes)
    errors = [o for o in outcomes if o.error]
    empty = [o for o in outcomes if not o.error and not o.candidates]
    for outcome in errors:
        stop = "，已停止用该服务查找" if outcome.kind in STOPPING else ""
        st.error(f"查找“{md(_name(register, outcome.entity_id))}”（查询“{md(outcome.query)}”）时出错："
                 f"{md(outcome.error)}{stop}。已查到的候选均已保留。", icon=":material/error:")
    summary = f"共查询 {len(outcomes)} 次，得到 {found} 个候选，请在下方逐一核对确认。"
    if empty:
        summary += "没有结果的：" + "、".join(md(_name(register, o.entity_id)) for o in empty[:10])
        summary += "等。" if len(empty) > 10 else "。"
    (st.success if found else st.warning)(summary, icon=":material/travel_explore:")


def _name(register: Register, entity_id: str) -> str:
    for frame in (register.schools, register.waters):
        if entity_id in frame.index:
            return str(frame.at[entity_id, "name"])
    return entity_id
