"""A site's 整改任务 on the 巡查 page, in the checklist's tablet style: each open task with its deadline;
报告已整改 (a note and/or photo, GPS where available) for a task 待整改; 验收销号 (on site by GPS, or with a
recorded reason) and 退回 (with a reason) for one 已整改待验收. The store checks who may (the reporter
cannot verify). The policy that raises tasks from an inspection is built here too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from app_pages.parts import gps, patrol_form, state
from app_pages.parts.md_text import md
from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.owners import responsible, site_owners
from school_water_map.domain.patrol import PRESENCE_ZH, PatrolRules
from school_water_map.domain.register import Register
from school_water_map.domain.sites import Site
from school_water_map.domain.tasks import FIXED, LOCAL_TIME, MEASURE_ZH, OPEN, PROBLEM_ZH, STATUS_ZH, Task
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, PositionError, TaskError
from school_water_map.store import owners as owner_store
from school_water_map.store.database import Store
from school_water_map.store.tasks import TaskPolicy, list_tasks, report_fixed, return_task, verify


def policy(store: Store, register: Register, site: Site) -> TaskPolicy:
    """How this site's inspection raises tasks: the rules' deadlines for its level, its owners as default."""
    unit, person = responsible(site_owners(site, owner_store.current(store)))
    return TaskPolicy(deadlines=register.rules.task_deadlines, risk_level=site.risk_level, unit=unit, person=person)


def open_tasks(store: Store, user: User | None, site: Site, *, target: Any, rules: PatrolRules) -> None:
    """The site's tasks not yet closed; actions for those who may write for the site."""
    held = [t for t in list_tasks(store, site_ids={site.site_id}) if t.status != "closed"]
    if not held:
        return
    today = datetime.now(LOCAL_TIME).date()
    st.subheader(f"整改任务（未销号 {len(held)} 项）", anchor=False)
    writable = user is not None and user.can_write(site.township)
    for task in held:
        with st.container(border=True, key=f"task_card_{task.id}"):
            late = f" :red-badge[已逾期 {(today - task.deadline).days} 天]" if task.overdue(today) else ""
            colour = "orange" if task.status == OPEN else "blue"
            st.markdown(f"**#{task.id} {PROBLEM_ZH[task.problem]}** :{colour}-badge[{STATUS_ZH[task.status]}]{late}  \n"
                        f"整改措施：{MEASURE_ZH[task.measure]} · 责任人：{md(_owner(task))} · 期限：{task.deadline}")
            st.caption("  \n".join(md(event.text) for event in task.events[-3:]))
            if writable and user is not None:
                _actions(store, user, task, target=target, rules=rules)


def _actions(store: Store, user: User, task: Task, *, target: Any, rules: PatrolRules) -> None:
    key = _key(task.id)
    said = st.container()  # a refusal shows here, above the form, not clipped inside it
    if task.status == OPEN:
        # keyed and tracked: the expander stays open when a message above it comes or goes on a rerun
        with st.expander("报告已整改", icon=":material/construction:", key=key("report_open"), on_change="rerun"):
            st.text_area("整改说明", key=key("note"), placeholder="如：已补设护栏约 30 米", height=80)
            chosen = patrol_form.photo_input(f"task{task.id}")
            if chosen:
                st.caption(f"整改后照片：{md(chosen[0])}（提交时压缩并去除拍摄信息）")
            fix = _gps(task, rules)
            if st.button("提交整改报告", key=key("report"), type="primary", width="stretch"):
                _do(lambda: report_fixed(store, user, task.id, note=st.session_state.get(key("note")) or "",
                                         photo=chosen[1] if chosen else None, device=fix, target=target, rules=rules),
                    f"整改任务 #{task.id} 已报告整改，等待验收。", task.id, said)
    elif task.status == FIXED:
        with st.expander("验收", icon=":material/verified:", key=key("check_open"), on_change="rerun"):
            st.text_area("验收说明（不在现场定位时必填）", key=key("check_note"), height=80,
                         placeholder="如：现场查看护栏已补齐")
            fix = _gps(task, rules)
            note = st.session_state.get(key("check_note")) or ""
            accept, refuse = st.columns(2)
            if accept.button("验收销号", key=key("verify"), type="primary", width="stretch"):
                _do(lambda: verify(store, user, task.id, note=note, device=fix, target=target, rules=rules),
                    f"整改任务 #{task.id} 已验收销号。", task.id, said)
            if refuse.button("退回", key=key("return"), width="stretch"):
                _do(lambda: return_task(store, user, task.id, reason=note), f"整改任务 #{task.id} 已退回，待整改。",
                    task.id, said)


def _gps(task: Task, rules: PatrolRules) -> DevicePosition | None:
    """A GPS fix for this task's report or check (kept until the page forgets the task)."""
    key = _key(task.id)
    held = st.session_state.get(key("gps"))
    pressed = st.button("重新获取位置" if held else "获取当前位置", key=key("gps_button"),
                        icon=":material/my_location:")
    slot = gps.GpsSlot(request=key("gps_request"), waiting=key("gps_waiting"), answer=key("gps_answer"),
                       component=f"task_gps_{task.id}")
    reading = gps.locate_device(slot, pressed=pressed)
    if reading.fresh:
        if reading.fix is not None:
            st.session_state[key("gps")] = {"lon": reading.fix.lon, "lat": reading.fix.lat,
                                            "accuracy": reading.fix.accuracy}
        st.rerun()  # without the browser component, which has answered
    if not held:
        st.caption("尚未获取位置：没有现场定位的验收须填写说明。")
        return None
    device = DevicePosition(held["lon"], held["lat"], held["accuracy"])
    st.caption(f"已获取位置（精度 ±{held['accuracy']:.0f} 米），提交时核验是否{PRESENCE_ZH['at_site']}"
               f"（{rules.max_distance_m:g} 米以内）。")
    return device


def _do(action: Any, done: str, task_id: int, said: Any) -> None:
    try:
        action()
    except (AuthError, TaskError, PositionError) as exc:
        said.error(f"未保存：{md(exc)}", icon=":material/error:")
        return
    prefixes = (f"task_{task_id}_", state.inspection_prefix(f"task{task_id}"))
    for name in [k for k in st.session_state if str(k).startswith(prefixes)]:
        del st.session_state[name]
    st.session_state[state.FLASH] = done
    st.rerun()


def _owner(task: Task) -> str:
    return "，".join(part for part in (task.unit, task.person) if part) or "未指定"


def _key(task_id: int) -> Any:
    return lambda name: f"task_{task_id}_{name}"
