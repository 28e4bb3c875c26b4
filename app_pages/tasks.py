"""整改: the rectification tasks (管理员, 查看) — open, overdue (past the deadline and not verified) and
closed, by township and by responsible unit, with the share closed on time and the median days to close;
CSV/XLSX downloads; a task's full history. A 管理员 raises a task for a site (交办) and moves a deadline
(with a reason)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any

import streamlit as st

from app_pages.parts import access, state
from app_pages.parts.md_text import md
from school_water_map.domain.owners import responsible, site_owners
from school_water_map.domain.register import Register
from school_water_map.domain.sites import Site, sites
from school_water_map.domain.tasks import (
    CLOSED,
    LOCAL_TIME,
    MEASURE_ZH,
    PROBLEM,
    PROBLEM_ZH,
    Task,
    TaskDraft,
    deadline_for,
)
from school_water_map.domain.users import ADMIN, User
from school_water_map.errors import AuthError, MissingGlyphError, TaskError
from school_water_map.notices.engine import engine_problem
from school_water_map.outputs.spreadsheet import csv_bytes, xlsx_bytes
from school_water_map.outputs.task_table import summary, task_records, task_table
from school_water_map.pipeline.notices import supervision_filename, supervision_pdf_bytes
from school_water_map.settings import Settings
from school_water_map.store import owners as owner_store
from school_water_map.store.database import Store, open_store
from school_water_map.store.tasks import change_deadline, raise_task, visible_tasks

SUPERVISION = "tasks_supervision_made"  # (whom, PDF bytes): the notice last made on this page
EMPTY = {"逾期": "没有逾期的整改任务。", "已销号": "还没有验收销号的任务。"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def main() -> None:
    st.title("整改")
    settings = state.settings()
    register, user = state.register(settings), access.user()
    store = open_store(settings)
    state.show_flash()
    if user is None:
        st.info("整改任务需要登录：请先用 `swmap user add 用户名 --role admin` 新增管理员账号。",
                icon=":material/lock:")
        return
    today = datetime.now(LOCAL_TIME).date()
    every = visible_tasks(store, user)
    by_site = {s.site_id: s for s in sites(register)}
    st.caption(f"截至 {today.year}年{today.month}月{today.day}日。逾期：过了整改期限仍未验收销号；"
               "按期销号：在期限当天或之前验收。")
    chosen = _filtered(every)
    _figures(chosen, today)
    _tables(chosen, by_site, today)
    _history(chosen, by_site)
    _supervision(settings, register, every, today)
    if user.role == ADMIN:
        _raise(store, user, register, by_site)
        _deadline(store, user, [t for t in every if t.status != CLOSED], by_site)


def _filtered(tasks: list[Task]) -> list[Task]:
    left, right = st.columns(2)
    towns = left.multiselect("乡镇", sorted({t.township or "待确认" for t in tasks}), placeholder="全部乡镇",
                             key="tasks_townships")
    units = right.multiselect("责任单位", sorted({t.unit or "未指定" for t in tasks}), placeholder="全部责任单位",
                              key="tasks_units")
    return [t for t in tasks if (not towns or (t.township or "待确认") in towns)
            and (not units or (t.unit or "未指定") in units)]


def _figures(tasks: list[Task], today: date) -> None:
    total = summary(tasks, today, by="all")
    row = total.iloc[0] if not total.empty else None
    cells = st.columns(5)
    cells[0].metric("未销号", int(row["未销号"]) if row is not None else 0)
    cells[1].metric("逾期", int(row["逾期"]) if row is not None else 0, help="过了整改期限仍未验收销号")
    cells[2].metric("已销号", int(row["已销号"]) if row is not None else 0)
    cells[3].metric("按期销号率", row["按期销号率"] if row is not None else "—", help="已销号任务中按期验收的比例")
    cells[4].metric("销号天数中位数", row["销号天数中位数"] if row is not None else "—", help="从交办到验收销号的天数")


def _tables(tasks: list[Task], by_site: dict[str, Site], today: date) -> None:
    groups = {"未销号": [t for t in tasks if t.status != CLOSED], "逾期": [t for t in tasks if t.overdue(today)],
              "已销号": [t for t in tasks if t.status == CLOSED]}
    tables = {title: task_table(task_records(held, by_site, today)) for title, held in groups.items()}
    tables |= {"按乡镇": summary(tasks, today, by="township"), "按责任单位": summary(tasks, today, by="unit")}
    st.download_button(f"下载 Excel（XLSX，{len(tables)} 张表）", partial(xlsx_bytes, tables),
                       file_name=f"整改任务_{today}.xlsx", mime=XLSX, icon=":material/download:", key="tasks_xlsx",
                       width="stretch")
    labels = [f"{title}（{len(groups[title])}）" if title in groups else title for title in tables]
    for tab, (title, table) in zip(st.tabs(labels), tables.items(), strict=True):
        with tab:
            if table.empty:
                st.caption(EMPTY.get(title, "没有整改任务。"))
                continue
            st.dataframe(table, hide_index=True, key=f"tasks_grid_{title}")
            st.download_button(f"下载“{title}” CSV", partial(csv_bytes, table),
                               file_name=f"整改任务_{title}_{today}.csv", mime="text/csv", icon=":material/download:",
                               key=f"tasks_csv_{title}")


def _supervision(settings: Settings, register: Register, tasks: list[Task], today: date) -> None:
    """隐患整改督办通知单 (PDF) for one township or one responsible unit: its overdue tasks."""
    with st.expander("督办通知单（PDF）", icon=":material/gavel:"):
        late = [t for t in tasks if t.overdue(today)]
        st.caption(f"列出一个乡镇或一个责任单位的逾期整改任务（当前逾期 {len(late)} 项），请其限期整改并报告。")
        towns = sorted({t.township for t in tasks if t.township})
        units = sorted({t.unit for t in tasks if t.unit})
        choices = [("township", t) for t in towns] + [("unit", u) for u in units]
        if not choices:
            st.caption("还没有指定乡镇或责任单位的整改任务。")
            return
        chosen = st.selectbox("发往", choices, index=None, placeholder="请选择乡镇或责任单位",
                              format_func=lambda c: f"{'乡镇' if c[0] == 'township' else '责任单位'}：{c[1]}",
                              key="tasks_supervision_to")
        if chosen is None or not st.button("生成督办通知单", key="tasks_supervision_make", icon=":material/print:"):
            made = st.session_state.get(SUPERVISION)
            if made is not None and made[0] == chosen:  # made on a press; a rerun does not lay it out again
                st.download_button("下载督办通知单（PDF）", made[1], file_name=supervision_filename(made[0][1]),
                                   mime="application/pdf", type="primary", icon=":material/download:",
                                   key="tasks_supervision_pdf", on_click="ignore")
            return
        if problem := engine_problem():
            st.error(problem, icon=":material/error:")
            return
        kind, name = chosen
        try:
            pdf = supervision_pdf_bytes(settings, register=register, today=today,
                                        township=name if kind == "township" else None,
                                        unit=name if kind == "unit" else None)
        except (TaskError, MissingGlyphError) as exc:
            st.error(f"无法生成：{md(exc)}", icon=":material/error:")
            return
        st.session_state[SUPERVISION] = (chosen, pdf)
        st.rerun()


def _label(task: Task, by_site: dict[str, Site]) -> str:
    site = by_site.get(task.site_id)
    where = f"第 {site.row} 行 {site.school}—{site.water}" if site else task.site_id
    return f"{task.label} · {where}"


def _history(tasks: list[Task], by_site: dict[str, Site]) -> None:
    if not tasks:
        return
    named = {t.id: t for t in tasks}
    chosen = st.selectbox("查看任务经过", list(named), index=None, placeholder="请选择整改任务",
                          format_func=lambda i: _label(named[i], by_site), key="tasks_history")
    if chosen is not None:
        task = named[chosen]
        st.markdown("  \n".join(md(event.text) for event in task.events))


def _site_label(site: Site) -> str:
    return f"第 {site.row} 行 {site.school}—{site.water}（{site.risk_level_label}，{site.township_label}）"


def _raise(store: Store, user: User, register: Register, by_site: dict[str, Site]) -> None:
    if arrived := st.session_state.pop(state.TASK_SITE, None):  # from a register row or a site page
        st.session_state["tasks_new_site"] = arrived if arrived in by_site else None
        st.session_state["tasks_raise_open"] = True
    with st.expander("交办整改任务", icon=":material/add_task:", key="tasks_raise_open", on_change="rerun"):
        site_id = st.selectbox("点位", list(by_site), index=None, placeholder="请选择点位（按风险排序）",
                               format_func=lambda s: _site_label(by_site[s]), key="tasks_new_site")
        problem = st.selectbox("问题", list(PROBLEM_ZH), index=None, placeholder="请选择问题",
                               format_func=PROBLEM_ZH.__getitem__, key="tasks_new_problem")
        if site_id is None or problem is None:
            st.caption("选择点位和问题后，整改措施、责任人和期限按点位的责任人与风险规则自动填写，可修改。")
            return
        site = by_site[site_id]
        measure = st.selectbox("整改措施", list(MEASURE_ZH), index=list(MEASURE_ZH).index(PROBLEM[problem].measure),
                               format_func=MEASURE_ZH.__getitem__, placeholder="请选择整改措施",
                               key=f"tasks_new_measure_{problem}")
        unit, person = responsible(site_owners(site, owner_store.current(store)))
        key = f"{site_id}_{problem}_{measure}"
        unit = st.text_input("责任单位", value=unit, key=f"tasks_new_unit_{key}")
        person = st.text_input("责任人", value=person, key=f"tasks_new_person_{key}")
        suggested = deadline_for(datetime.now(LOCAL_TIME), site.risk_level, measure, register.rules.task_deadlines)
        deadline = st.date_input("整改期限", value=suggested, key=f"tasks_new_deadline_{key}", format="YYYY-MM-DD",
                                 help=f"按风险规则：{site.risk_level_label}风险点位、{MEASURE_ZH[measure]}")
        note = st.text_area("说明", key=f"tasks_new_note_{key}", placeholder="如：高风险点位未设警示标牌")
        if st.button("交办", key="tasks_new_submit", type="primary", icon=":material/send:"):
            draft = TaskDraft(site_id=site.site_id, township=site.township or "", problem=problem, measure=measure,
                              unit=unit, person=person, deadline=_day(deadline), note=note)
            _write(lambda: raise_task(store, user, site, draft), "已交办整改任务 #{id}。")


def _deadline(store: Store, user: User, open_tasks: list[Task], by_site: dict[str, Site]) -> None:
    if not open_tasks:
        return
    named = {t.id: t for t in open_tasks}
    with st.expander("调整整改期限", icon=":material/event:"):
        chosen = st.selectbox("整改任务", list(named), index=None, placeholder="请选择未销号的整改任务",
                              format_func=lambda i: _label(named[i], by_site), key="tasks_move_task")
        if chosen is None:
            return
        new = st.date_input("新的整改期限", value=named[chosen].deadline, key=f"tasks_move_date_{chosen}",
                            format="YYYY-MM-DD")
        reason = st.text_input("调整原因（必填）", key=f"tasks_move_reason_{chosen}")
        if st.button("保存新期限", key="tasks_move_submit", type="primary"):
            _write(lambda: change_deadline(store, user, chosen, _day(new), reason=reason),
                   "整改任务 #{id} 的期限已调整。")


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    raise TaskError("请选择整改期限")


def _write(action: Any, done: str) -> None:
    try:
        task = action()
    except (AuthError, TaskError) as exc:
        st.error(f"未保存：{md(exc)}", icon=":material/error:")
        return
    st.session_state[state.FLASH] = done.format(id=task.id)
    st.rerun()


main()
