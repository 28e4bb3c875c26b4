"""整改任务 in the store, on both back-ends: raised by an inspection's findings (one open task per site and
problem), the lifecycle with its evidence and separation of duties, deadlines from the rules, residual
risk only once verified, the authorization matrix, and concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from shapely.geometry import Point
from sqlalchemy import text

from school_water_map.domain import tasks as domain
from school_water_map.domain.inspections import DevicePosition, InspectionInput, site_measures
from school_water_map.domain.tasks import TaskDraft, deadline_for, found_problems
from school_water_map.errors import AuthError, TaskError
from school_water_map.io.curated import load_rules
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.inspections import list_inspections, submit
from school_water_map.store.tasks import (
    TaskPolicy,
    change_deadline,
    list_tasks,
    raise_task,
    report_fixed,
    return_task,
    verify,
    visible_tasks,
)
from tests.helpers import ANSWERS, RULES, SITE_83

RISK = load_rules(Settings.from_env().rules_path)
POLICY = TaskPolicy(deadlines=RISK.task_deadlines, risk_level="high", unit="板桥乡人民政府", person="马乡长")
FENCE_ONLY = {**ANSWERS, "warning_sign": "ok", "fence": "missing", "rescue_kit": "ok", "minors": "none"}
AT_SITE = DevicePosition(106.2105, 38.0105, 8.0)
TARGET = Point(106.2105, 38.0105)
MONDAY = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)  # 10:00 in China
OTHER_SITE = replace(SITE_83, site_id="640302-S99-W1", township="金积镇")


def _inspect(store, user, answers=FENCE_ONLY, *, site=SITE_83, now=MONDAY):
    return submit(store, user, site, InspectionInput(answers), target=None, rules=RULES, now=now, tasks=POLICY)


def _people(store):
    return {
        "admin": add_user(store, "admin01", "secret-123", "admin", display_name="王局"),
        "bq02": add_user(store, "bq02", "secret-123", "patrol", township="板桥乡", display_name="张巡查"),
        "jj01": add_user(store, "jj01", "secret-123", "patrol", township="金积镇"),
        "viewer": add_user(store, "look01", "secret-123", "viewer"),
    }


def test_the_rules_give_deadlines_by_level_and_measure():
    assert deadline_for(MONDAY, "high", "sign", RISK.task_deadlines) == date(2026, 7, 9)  # a missing sign: 3 days
    assert deadline_for(MONDAY, "high", "fence", RISK.task_deadlines) == date(2026, 7, 13)
    assert deadline_for(MONDAY, "low", "other", RISK.task_deadlines) == date(2026, 7, 26)  # the level's default
    late = datetime(2026, 7, 6, 17, 0, tzinfo=UTC)  # 01:00 on 7 July in China: the China day counts
    assert deadline_for(late, "high", "sign", RISK.task_deadlines) == date(2026, 7, 10)
    with pytest.raises(TaskError, match="未给出"):
        deadline_for(MONDAY, "high", "sign", {})
    assert [p.code for p in found_problems(ANSWERS)] == ["fence", "rescue_kit", "minors"]


def test_an_inspection_raises_one_task_per_problem_and_a_repeat_attaches(store, patrol):
    first = _inspect(store, patrol)
    [task] = list_tasks(store)
    assert (task.site_id, task.problem, task.measure, task.status) == (SITE_83.site_id, "fence", "fence", "open")
    assert (task.unit, task.person, task.township) == ("板桥乡人民政府", "马乡长", "板桥乡")
    assert task.deadline == date(2026, 7, 13)  # 高, 设置隔离带、防护栏: 7 days
    assert task.events[0].inspection_id == first.id
    second = _inspect(store, patrol, now=MONDAY + timedelta(days=1))
    [again] = list_tasks(store)
    assert again.id == task.id and [e.kind for e in again.events] == ["raised", "repeat"]
    assert again.events[1].inspection_id == second.id
    _inspect(store, patrol, ANSWERS, now=MONDAY + timedelta(days=2))  # fence again, plus rescue kit and minors
    assert sorted((t.problem, t.status) for t in list_tasks(store)) == [
        ("fence", "open"), ("minors", "open"), ("rescue_kit", "open")]
    # without a policy the inspection is recorded and raises nothing (a refused one raises nothing either)
    submit(store, patrol, SITE_83, InspectionInput({**ANSWERS, "warning_sign": "missing"}), target=None, rules=RULES)
    assert len(list_tasks(store)) == 3 and len(list_inspections(store)) == 4


def test_the_lifecycle_with_separation_of_duties(store, patrol):
    people = _people(store)
    _inspect(store, patrol)
    [task] = list_tasks(store)
    with pytest.raises(TaskError, match="照片或填写整改说明"):
        report_fixed(store, patrol, task.id)
    with pytest.raises(TaskError, match="不能验收"):
        verify(store, people["admin"], task.id, note="电话确认")  # not reported fixed yet
    fixed = report_fixed(store, patrol, task.id, note="已补设护栏 30 米", device=AT_SITE, target=TARGET, rules=RULES,
                         now=MONDAY + timedelta(days=2))
    assert fixed.status == "fixed" and fixed.events[-1].evidence.presence == "at_site"
    with pytest.raises(AuthError, match="不能验收或退回自己"):
        verify(store, patrol, task.id, device=AT_SITE, target=TARGET, rules=RULES)
    with pytest.raises(TaskError, match="须填写验收说明"):
        verify(store, people["bq02"], task.id)  # neither on site nor a reason
    returned = return_task(store, people["bq02"], task.id, reason="护栏高度不足 1.2 米")
    assert returned.status == "open" and returned.events[-1].evidence.note == "护栏高度不足 1.2 米"
    report_fixed(store, patrol, task.id, note="已加高")
    done = verify(store, people["bq02"], task.id, device=AT_SITE, target=TARGET, rules=RULES,
                  now=MONDAY + timedelta(days=5))
    assert done.status == "closed" and done.closed_on_time() is True
    assert [e.kind for e in done.events] == ["raised", "fixed", "returned", "fixed", "verified"]
    with pytest.raises(TaskError, match="已销号"):
        report_fixed(store, patrol, task.id, note="again")
    # closed: the next finding raises a new task
    _inspect(store, patrol, now=MONDAY + timedelta(days=8))
    assert [t.status for t in list_tasks(store)] == ["closed", "open"]


def test_residual_risk_counts_a_fix_only_once_verified(store, patrol):
    people = _people(store)
    _inspect(store, patrol)
    [task] = list_tasks(store)

    def fence():
        return site_measures(list_inspections(store), domain.verified_measures(list_tasks(store)))[SITE_83.site_id]

    assert fence().measures["fence"] is False
    report_fixed(store, patrol, task.id, note="已补设", now=MONDAY + timedelta(hours=1))
    assert fence().measures["fence"] is False  # reported fixed: not yet counted
    verify(store, people["admin"], task.id, note="查看照片确认", now=MONDAY + timedelta(hours=2))
    assert fence().measures["fence"] is True and f"整改任务 #{task.id} 验收" in fence().basis
    _inspect(store, patrol, now=MONDAY + timedelta(days=1))  # a later inspection finds it missing again
    assert fence().measures["fence"] is False


def test_deadlines_overdue_and_a_bureau_task(store, patrol):
    people = _people(store)
    _inspect(store, patrol)
    [task] = list_tasks(store)
    assert not task.overdue(date(2026, 7, 13)) and task.overdue(date(2026, 7, 14))
    with pytest.raises(AuthError, match="只有管理员"):
        change_deadline(store, patrol, task.id, date(2026, 7, 20), reason="材料未到")
    with pytest.raises(TaskError, match="须填写原因"):
        change_deadline(store, people["admin"], task.id, date(2026, 7, 20), reason=" ")
    moved = change_deadline(store, people["admin"], task.id, date(2026, 7, 20), reason="护栏材料未到货")
    assert moved.deadline == date(2026, 7, 20) and not moved.overdue(date(2026, 7, 14))
    draft = TaskDraft(site_id="", township="", problem="warning_sign", measure="sign", unit="板桥乡", person="马乡长",
                      deadline=date(2026, 7, 9), note="高风险点位无警示牌")
    with pytest.raises(AuthError):
        raise_task(store, patrol, SITE_83, draft)
    raised = raise_task(store, people["admin"], SITE_83, draft, now=MONDAY)
    assert (raised.source, raised.problem, raised.township) == ("bureau", "warning_sign", "板桥乡")
    with pytest.raises(TaskError, match="已有未销号"):
        raise_task(store, people["admin"], SITE_83, draft)
    with pytest.raises(TaskError, match="整改措施"):
        raise_task(store, people["admin"], SITE_83, replace(draft, problem="other", measure="paint"))


#: Role × township × action on a 板桥乡 task: who may (True) and who is refused (False).
MATRIX = {
    "admin": {"report": True, "verify": True, "return": True, "deadline": True, "read": True},
    "own_patrol": {"report": True, "verify": True, "return": True, "deadline": False, "read": True},
    "other_patrol": {"report": False, "verify": False, "return": False, "deadline": False, "read": False},
    "viewer": {"report": False, "verify": False, "return": False, "deadline": False, "read": True},
    "disabled": {"report": False, "verify": False, "return": False, "deadline": False, "read": False},
}


@pytest.mark.parametrize("action", ["report", "verify", "return", "deadline", "read"])
@pytest.mark.parametrize("who", list(MATRIX))
def test_authorization_matrix(store, patrol, who, action):
    people = _people(store)
    user = {"admin": people["admin"], "own_patrol": people["bq02"], "other_patrol": people["jj01"],
            "viewer": people["viewer"], "disabled": replace(people["bq02"], active=False)}[who]
    _inspect(store, patrol)
    _inspect(store, people["jj01"], site=OTHER_SITE)  # a 金积镇 task, which only its patrol and the bureau see
    task = next(t for t in list_tasks(store) if t.township == "板桥乡")
    if action in ("verify", "return"):
        report_fixed(store, patrol, task.id, note="已整改")  # reported by someone else than ``user``
    act = {"report": lambda: report_fixed(store, user, task.id, note="已整改"),
           "verify": lambda: verify(store, user, task.id, note="电话核实"),
           "return": lambda: return_task(store, user, task.id, reason="不合格"),
           "deadline": lambda: change_deadline(store, user, task.id, date(2026, 8, 1), reason="顺延"),
           "read": lambda: visible_tasks(store, user)}[action]
    before = list_tasks(store)
    if not MATRIX[who][action]:
        with pytest.raises(AuthError):
            seen = act()
            if action == "read":  # reading what one may not see is not an error: it is not there
                assert task.id not in {t.id for t in seen}
                raise AuthError("not visible")
        assert list_tasks(store) == before  # a refusal writes nothing
        return
    result = act()
    if action == "read":
        assert task.id in {t.id for t in result}
        assert {t.township for t in result} == ({"板桥乡"} if who == "own_patrol" else {"板桥乡", "金积镇"})
    else:
        expected = {"report": "fixed", "verify": "closed", "return": "open", "deadline": "open"}[action]
        assert next(t for t in list_tasks(store) if t.id == task.id).status == expected


def test_the_history_is_append_only(store, patrol):
    _inspect(store, patrol)
    with store.session() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE task_events SET kind = 'verified'"))
    with store.session() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM tasks"))
    assert [t.status for t in list_tasks(store)] == ["open"]


def test_twenty_concurrent_writers_lose_nothing_and_open_one_task(store, patrol):
    people = _people(store)
    patrols = [add_user(store, f"bq{n:02d}x", "secret-123", "patrol", township="板桥乡") for n in range(20)]

    def inspect(user):
        return _inspect(store, user).id

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(inspect, patrols))
    [task] = list_tasks(store)
    assert sorted(e.inspection_id for e in task.events) == sorted(ids)  # every finding kept, one task
    with store.session() as session:
        assert session.scalar(text("SELECT count(*) FROM open_tasks")) == 1

    def report(user):
        try:
            report_fixed(store, user, task.id, note=f"{user.username} 已整改")
            return "ok"
        except TaskError:
            return "refused"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(report, patrols))
    assert outcomes.count("ok") == 1  # the status is read and written as one step
    reporter = next(u for u, o in zip(patrols, outcomes, strict=True) if o == "ok")

    def check(user):
        try:
            verify(store, user, task.id, note="复核")
            return "ok"
        except (TaskError, AuthError):
            return "refused"

    with ThreadPoolExecutor(max_workers=20) as pool:
        checks = list(pool.map(check, [*patrols, people["admin"]]))
    assert checks.count("ok") == 1
    done = list_tasks(store)[0]
    assert done.status == "closed" and done.reporter_id == reporter.id
    assert [e.kind for e in done.events].count("verified") == 1
