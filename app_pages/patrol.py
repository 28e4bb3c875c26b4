"""巡查: today's list for the user's township (due and overdue sites, riskiest first), and one site's
checklist and history (``?site=<site id>``, also the address a warning notice's QR code opens)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from app_pages.parts import access, patrol_form, patrol_tasks, state, ui
from app_pages.parts.md_text import md
from school_water_map.domain.inspections import LOCAL_TIME, Inspection, latest_by_site
from school_water_map.domain.patrol import PRESENCE_ZH, Due, PatrolRules, patrol_rules
from school_water_map.domain.patrol_view import ALL_TOWNSHIPS, cycle_text, in_township, patrol_day, township_choices
from school_water_map.domain.register import Register
from school_water_map.domain.sites import Site, find_site, site_geometry, sites
from school_water_map.domain.users import ADMIN, PATROL, ROLE_ZH, VIEWER, User
from school_water_map.errors import UnknownPlaceError
from school_water_map.outputs.colours import UNKNOWN_BADGE, risk_badges
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.inspections import list_inspections


def main() -> None:
    st.title("巡查")
    settings = state.settings()
    register, user = state.register(settings), access.user()
    rules = patrol_rules(settings)
    state.show_flash()
    chosen = st.query_params.get("site")
    if chosen:
        _site(settings, register, user, chosen, rules)
    elif user is None or user.role == VIEWER:
        st.info(f"今日巡查清单只对{ROLE_ZH[PATROL]}和{ROLE_ZH[ADMIN]}显示。扫描警示告示上的二维码可查看该站点的巡查记录。",
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
        township = st.selectbox("乡镇", township_choices(readable), key=state.PATROL_TOWNSHIP,
                                placeholder="请选择乡镇")
    mine = in_township(readable, township)
    store = open_store(settings)
    latest = latest_by_site(list_inspections(store, site_ids={s.site_id for s in mine}))
    day = patrol_day(mine, {site: item.day for site, item in latest.items()}, today, rules)
    todo, done = day.todo, day.done
    badges = risk_badges(register.rules)
    st.caption(f"{township} · {today.year}年{today.month}月{today.day}日（{cycle_text(rules, today)}）· "
               f"今日待巡查 {len(todo)} 处，共 {len(mine)} 处站点。按风险从高到低排列。")
    if not todo:
        st.success("今日应巡查的站点都已巡查。", icon=":material/task_alt:")
    for due in todo:
        _row(due, badges, township == ALL_TOWNSHIPS, action="开始巡查", key=f"patrol_open_{due.site.site_id}")
    if done:
        with st.expander(f"已按期巡查的站点（{len(done)}）"):
            for due in done:
                item = latest[due.site.site_id]
                _row(due, badges, township == ALL_TOWNSHIPS, action="查看", key=f"patrol_view_{due.site.site_id}",
                     extra=f"上次 {item.day.isoformat()}，{item.inspector}，{PRESENCE_ZH[item.presence]}")


def _row(due: Due, badges: dict[str, str], with_township: bool, *, action: str, key: str, extra: str = "") -> None:
    site = due.site
    status = due.label if due.status == "done" else f":{'red' if due.status == 'overdue' else 'orange'}[{due.label}]"
    where = f"{site.township_label} · " if with_township else ""
    badge = badges.get(site.risk_level, UNKNOWN_BADGE)
    with st.container(border=True, key=f"patrol_row_{site.site_id}"):
        text, button = st.columns([3, 1], vertical_alignment="center")
        text.markdown(f"**{md(site.water)}**（{md(site.school)}）  \n"
                      f":{badge}-badge[风险 {site.risk_level_label}] {where}{status}"
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
    ui.task_button(site.site_id, key="patrol_task")
    store = open_store(settings)
    done = st.session_state.pop(state.PATROL_RESULT, {}).get(site.site_id)
    if done is not None:
        _result(register, site, next(i for i in list_inspections(store, site_ids={site.site_id}) if i.id == done))
    writable = user is not None and user.can_write(site.township)
    target = site_geometry(register, site)
    patrol_tasks.open_tasks(store, user, site, target=target, rules=rules)
    if done is None and writable and user is not None:
        patrol_form.checklist(store, user, site, target=target, rules=rules,
                              tasks=patrol_tasks.policy(store, register, site))
    elif user is None:
        st.info(f"尚未创建账号：启用登录后，{ROLE_ZH[PATROL]}可在此填写巡查表。", icon=":material/lock:")
    elif not writable:
        st.info("本账号只能查看该站点的巡查记录。", icon=":material/visibility:")
    patrol_form.history(store, user, site, writable=writable)
    if done is not None:
        st.button("继续巡查该站点", key="patrol_again", icon=":material/add:")


def _heading(register: Register, site: Site) -> None:
    pair = register.pairs[register.pairs["site_id"] == site.site_id].iloc[0]
    st.subheader(f"{md(site.water)}（{md(site.school)}）", anchor=False)
    rows = "、".join(str(r) for r in site.rows)
    badges = risk_badges(register.rules)
    reported, residual = (badges.get(level, UNKNOWN_BADGE) for level in (site.risk_level, str(pair["residual_level"])))
    st.markdown(f"{site.township_label} · 附件第 {rows} 行 · {site.water_kind_label} · "
                f"上报距离：{md(site.distance_text or '未报')}  \n"
                f":{reported}-badge[上报风险 {site.risk_level_label}] "
                f":{residual}-badge[措施后 {pair['residual_level_label']}] "
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
