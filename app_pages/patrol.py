"""巡查: today's list for the user's township (due and overdue sites, riskiest first), and one site's
checklist and history (``?site=<site id>``, also the address a warning notice's QR code opens)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from app_pages import access, patrol_form, state
from app_pages.md_text import md
from school_water_map.domain.entities import TOWNSHIP_UNKNOWN
from school_water_map.domain.patrol import (
    PRESENCE_ZH,
    Due,
    PatrolRules,
    due_status,
    patrol_rules,
    site_geometry,
    todays_list,
)
from school_water_map.domain.register import Register
from school_water_map.domain.sites import Site, find_site, sites
from school_water_map.domain.users import PATROL, VIEWER, User
from school_water_map.errors import UnknownPlaceError
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.inspections import LOCAL_TIME, Inspection, latest_by_site, list_inspections

ALL = "全部乡镇"
BADGE = {"high": "red", "survey": "violet", "elevated": "orange", "medium": "blue", "low": "green"}


def main() -> None:
    st.title("巡查")
    settings = state.settings()
    register, user = state.register(settings), access.user()
    rules = patrol_rules(settings)
    chosen = st.query_params.get("site")
    if chosen:
        _site(settings, register, user, chosen, rules)
    elif user is None or user.role == VIEWER:
        st.info("今日巡查清单只对乡镇巡查员和管理员显示。扫描警示告示上的二维码可查看该站点的巡查记录。",
                icon=":material/info:")
    else:
        _today(settings, register, user, rules)


def _today(settings: Settings, register: Register, user: User, rules: PatrolRules) -> None:
    """Due and overdue sites, highest risk first; the rest of the township below."""
    today = datetime.now(LOCAL_TIME).date()
    readable = [s for s in sites(register) if user.can_read(s.township)]
    if user.role == PATROL:
        township = str(user.township)
    else:
        labels = [*sorted({s.township_label for s in readable} - {TOWNSHIP_UNKNOWN}), TOWNSHIP_UNKNOWN]
        township = st.selectbox("乡镇", [ALL, *labels], key=state.PATROL_TOWNSHIP)
    mine = [s for s in readable if township == ALL or s.township_label == township]
    store = open_store(settings)
    latest = latest_by_site(list_inspections(store, site_ids={s.site_id for s in mine}))
    todo = todays_list(mine, {site: item.day for site, item in latest.items()}, today, rules)
    cycle = "暑期，每日巡查" if rules.in_summer(today) else f"每 {rules.cycle_days} 天巡查一次"
    st.caption(f"{township} · {today.year}年{today.month}月{today.day}日（{cycle}）· 今日待巡查 {len(todo)} 处，"
               f"共 {len(mine)} 处站点。按风险从高到低排列。")
    if not todo:
        st.success("今日应巡查的站点都已巡查。", icon=":material/task_alt:")
    for due in todo:
        _row(due, township == ALL, action="开始巡查", key=f"patrol_open_{due.site.site_id}")
    done = [due_status(s, latest[s.site_id].day, today, rules) for s in mine
            if s.site_id in latest and s.site_id not in {d.site.site_id for d in todo}]
    if done:
        with st.expander(f"已按期巡查的站点（{len(done)}）"):
            for due in done:
                item = latest[due.site.site_id]
                _row(due, township == ALL, action="查看", key=f"patrol_view_{due.site.site_id}",
                     extra=f"上次 {item.day.isoformat()}，{item.inspector}，{PRESENCE_ZH[item.presence]}")


def _row(due: Due, with_township: bool, *, action: str, key: str, extra: str = "") -> None:
    site = due.site
    status = due.label if due.status == "done" else f":{'red' if due.status == 'overdue' else 'orange'}[{due.label}]"
    where = f"{site.township_label} · " if with_township else ""
    with st.container(border=True, key=f"patrol_row_{site.site_id}"):
        text, button = st.columns([3, 1], vertical_alignment="center")
        text.markdown(f"**{md(site.water)}**（{md(site.school)}）  \n"
                      f":{BADGE.get(site.risk_level, 'gray')}-badge[风险 {site.risk_level_label}] {where}{status}"
                      f" · {md(site.distance_text or '未报距离')}" + (f"  \n{md(extra)}" if extra else ""))
        button.button(action, key=key, type="primary" if action == "开始巡查" else "secondary", width="stretch",
                      on_click=_open, args=(site.site_id,))


def _site(settings: Settings, register: Register, user: User | None, site_id: str, rules: PatrolRules) -> None:
    st.button("返回今日清单", key="patrol_back", icon=":material/arrow_back:", on_click=_close)
    try:
        site = find_site(sites(register), site_id)
    except UnknownPlaceError:
        st.error(f"找不到站点“{md(site_id)}”：请核对告示上的二维码，或从今日清单中选择。", icon=":material/error:")
        return
    if user is not None and not user.can_read(site.township):
        st.error(f"站点 {site.site_id} 属于{site.township_label}，本账号（{user.township}）无权查看。",
                 icon=":material/block:")
        return
    _heading(register, site)
    store = open_store(settings)
    done = st.session_state.pop(state.PATROL_RESULT, {}).get(site.site_id)
    if done is not None:
        _result(register, site, next(i for i in list_inspections(store, site_ids={site.site_id}) if i.id == done))
    writable = user is not None and user.can_write(site.township)
    if done is None and writable and user is not None:
        patrol_form.checklist(store, user, site, target=site_geometry(register, site), rules=rules)
    elif user is None:
        st.info("尚未创建账号：启用登录后，乡镇巡查员可在此填写巡查表。", icon=":material/lock:")
    elif not writable:
        st.info("本账号只能查看该站点的巡查记录。", icon=":material/visibility:")
    patrol_form.history(store, user, site, writable=writable)
    if done is not None:
        st.button("继续巡查该站点", key="patrol_again", icon=":material/add:")


def _heading(register: Register, site: Site) -> None:
    pair = register.pairs[register.pairs["site_id"] == site.site_id].iloc[0]
    st.subheader(f"{md(site.water)}（{md(site.school)}）", anchor=False)
    rows = "、".join(str(r) for r in site.rows)
    st.markdown(f"{site.township_label} · 附件第 {rows} 行 · {site.water_kind_label} · "
                f"上报距离：{md(site.distance_text or '未报')}  \n"
                f":{BADGE.get(site.risk_level, 'gray')}-badge[上报风险 {site.risk_level_label}] "
                f":{BADGE.get(str(pair['residual_level']), 'gray')}-badge[措施后 {pair['residual_level_label']}] "
                f"{md(pair['residual_basis'])}")


def _result(register: Register, site: Site, item: Inspection) -> None:
    """What was just recorded: presence with metres, and the site's risk after the measures found."""
    text = f"已提交巡查记录 #{item.id}：{patrol_form.presence_text(item)}。"
    pair = register.pairs[register.pairs["site_id"] == site.site_id].iloc[0]
    text += f"措施后风险：{pair['residual_level_label']}。"
    (st.success if item.presence == "at_site" else st.warning)(text, icon=":material/task_alt:")


def _open(site_id: str) -> None:
    st.query_params["site"] = site_id


def _close() -> None:
    st.query_params.pop("site", None)


main()
