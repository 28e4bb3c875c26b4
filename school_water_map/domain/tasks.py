"""Rectification tasks (整改任务, pure): 发现 → 交办 → 整改 → 验收 → 销号.

A task belongs to a site and one kind of problem; there is at most one open task per site and problem (a
repeat finding attaches to it). Its life is a list of events, never edited: raised, a repeat finding,
reported fixed (with evidence), returned (with a reason), verified (销号), a deadline changed (with a
reason). Its status is the fold of those events. The store keeps them (:mod:`school_water_map.store.tasks`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from school_water_map.errors import TaskError

LOCAL_TIME = ZoneInfo("Asia/Shanghai")

OPEN, FIXED, CLOSED = "open", "fixed", "closed"
STATUS_ZH = {OPEN: "待整改", FIXED: "已整改待验收", CLOSED: "已销号"}
STATUS_BY_ZH = {zh: code for code, zh in STATUS_ZH.items()}

SIGN, FENCE, RESCUE, CLOSE, OTHER = "sign", "fence", "rescue", "close", "other"
MEASURE_ZH = {SIGN: "设置警示标牌", FENCE: "设置隔离带、防护栏", RESCUE: "配齐救生杆、绳、圈",
              CLOSE: "清淤、填埋或封闭", OTHER: "其他"}

RAISED, REPEAT, REPORTED, RETURNED, VERIFIED, DEADLINE = "raised", "repeat", "fixed", "returned", "verified", "deadline"
EVENT_ZH = {RAISED: "交办", REPEAT: "再次发现", REPORTED: "报告已整改", RETURNED: "退回",
            VERIFIED: "验收销号", DEADLINE: "调整期限"}
#: The status each event leaves the task in (None: unchanged).
_STATUS_AFTER = {RAISED: OPEN, REPEAT: None, REPORTED: FIXED, RETURNED: OPEN, VERIFIED: CLOSED, DEADLINE: None}
#: The statuses each event may follow.
_ALLOWED_FROM = {REPEAT: {OPEN, FIXED}, REPORTED: {OPEN}, RETURNED: {FIXED}, VERIFIED: {FIXED},
                 DEADLINE: {OPEN, FIXED}}


@dataclass(frozen=True)
class Problem:
    code: str
    label: str
    item: str | None               # the checklist item that finds it (None: raised by hand only)
    bad: frozenset[str]            # the answers that are this problem
    measure: str                   # the measure required by default
    risk_measure: str | None       # the risk rules' site measure it is about
    fixed_value: bool = True       # that measure's value once the task is verified


PROBLEMS: tuple[Problem, ...] = (
    Problem("warning_sign", "警示标牌缺失或损坏", "warning_sign", frozenset({"damaged", "missing"}), SIGN,
            "warning_sign"),
    Problem("fence", "隔离带/防护栏缺失或破损", "fence", frozenset({"damaged", "missing"}), FENCE, "fence"),
    Problem("rescue_kit", "救生器材不全或缺失", "rescue_kit", frozenset({"partial", "missing"}), RESCUE,
            "rescue_kit"),
    Problem("minors", "发现未成年人在水边", "minors", frozenset({"dissuaded", "reported"}), OTHER, "minors_seen",
            fixed_value=False),
    Problem("other", "其他隐患", None, frozenset(), OTHER, None),
)
PROBLEM = {p.code: p for p in PROBLEMS}
PROBLEM_ZH = {p.code: p.label for p in PROBLEMS}


@dataclass(frozen=True)
class Evidence:
    note: str = ""
    photo: str | None = None
    gps_lon: float | None = None
    gps_lat: float | None = None
    gps_accuracy_m: float | None = None
    distance_m: float | None = None
    presence: str = "no_gps"


@dataclass(frozen=True)
class TaskEvent:
    id: int
    task_id: int
    kind: str
    user_id: int
    actor: str
    at: datetime
    evidence: Evidence = Evidence()
    deadline: date | None = None       # DEADLINE: the new deadline
    inspection_id: int | None = None   # RAISED / REPEAT: the inspection that found it

    @property
    def text(self) -> str:
        """One line of history, as people read it."""
        when = self.at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
        parts = [f"{when} {self.actor} {EVENT_ZH[self.kind]}"]
        if self.inspection_id is not None:
            parts.append(f"（巡查 #{self.inspection_id}）")
        if self.deadline is not None:
            parts.append(f"：期限改为 {self.deadline.isoformat()}")
        if self.evidence.note:
            parts.append(f"：{self.evidence.note}")
        if self.evidence.presence == "at_site":
            parts.append("（现场定位）")
        if self.evidence.photo:
            parts.append("（附照片）")
        return "".join(parts)


@dataclass(frozen=True)
class TaskDraft:
    """What raising a task writes (checked by :func:`check_draft`)."""

    site_id: str
    township: str
    problem: str
    measure: str
    unit: str
    person: str
    deadline: date
    note: str = ""


@dataclass(frozen=True)
class Task:
    id: int
    site_id: str
    township: str
    problem: str
    measure: str
    unit: str
    person: str
    raised_at: datetime
    raised_by: str
    first_deadline: date
    source: str                        # inspection | bureau
    note: str
    events: tuple[TaskEvent, ...]

    @property
    def status(self) -> str:
        return status_of(self.events)

    @property
    def deadline(self) -> date:
        changed = [e.deadline for e in self.events if e.kind == DEADLINE and e.deadline is not None]
        return changed[-1] if changed else self.first_deadline

    @property
    def closed_at(self) -> datetime | None:
        return next((e.at for e in reversed(self.events) if e.kind == VERIFIED), None)

    @property
    def reporter_id(self) -> int | None:
        """Who reported it fixed last (that account may not verify it)."""
        return next((e.user_id for e in reversed(self.events) if e.kind == REPORTED), None)

    def overdue(self, today: date) -> bool:
        """Past its deadline and not verified (a task closed late is not overdue any more)."""
        return self.status != CLOSED and today > self.deadline

    def closed_on_time(self) -> bool | None:
        closed = self.closed_at
        return None if closed is None else closed.astimezone(LOCAL_TIME).date() <= self.deadline

    def days_to_close(self) -> float | None:
        closed = self.closed_at
        return None if closed is None else (closed - self.raised_at).total_seconds() / 86400

    @property
    def label(self) -> str:
        return f"#{self.id} {PROBLEM_ZH[self.problem]}（{STATUS_ZH[self.status]}，期限 {self.deadline.isoformat()}）"


def status_of(events: Sequence[TaskEvent]) -> str:
    status = OPEN
    for event in events:
        status = _STATUS_AFTER[event.kind] or status
    return status


def check_transition(task: Task, kind: str) -> None:
    """Raise a Chinese :class:`TaskError` unless ``kind`` may follow the task's status."""
    if task.status not in _ALLOWED_FROM[kind]:
        raise TaskError(f"整改任务 #{task.id} 当前为“{STATUS_ZH[task.status]}”，不能{EVENT_ZH[kind]}")


def found_problems(answers: Mapping[str, str]) -> list[Problem]:
    """The problems a checklist's answers find (in checklist order)."""
    return [p for p in PROBLEMS if p.item is not None and answers.get(p.item) in p.bad]


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TIME).date()


def deadline_for(raised: datetime, level: str, measure: str, deadlines: Mapping[str, Mapping[str, int]]) -> date:
    """The deadline the rules give a task: the raising day (China time) plus the days for the site's risk
    level and the measure (the level's ``default`` when the measure is not listed)."""
    by_level = deadlines.get(level) or deadlines.get("default") or {}
    days = by_level.get(measure, by_level.get("default"))
    if days is None:
        raise TaskError(f"风险规则未给出“{level}”等级、“{MEASURE_ZH.get(measure, measure)}”的整改期限")
    return local_day(raised) + timedelta(days=int(days))


def check_draft(draft: TaskDraft) -> TaskDraft:
    """The draft with its texts stripped, or a Chinese :class:`TaskError` naming the bad field."""
    if draft.problem not in PROBLEM:
        raise TaskError(f"问题类型“{draft.problem}”无效：应为{'、'.join(PROBLEM_ZH.values())}之一")
    if draft.measure not in MEASURE_ZH:
        raise TaskError(f"整改措施“{draft.measure}”无效：应为{'、'.join(MEASURE_ZH.values())}之一")
    texts = {"责任单位": draft.unit, "责任人": draft.person, "说明": draft.note}
    for name, text in texts.items():
        limit = 500 if name == "说明" else 100
        if "\x00" in text or len(text.strip()) > limit:
            raise TaskError(f"{name}“{text[:40]}”无效：最多 {limit} 个字符")
    return TaskDraft(site_id=draft.site_id, township=draft.township, problem=draft.problem, measure=draft.measure,
                     unit=draft.unit.strip(), person=draft.person.strip(), deadline=draft.deadline,
                     note=draft.note.strip())


def verified_measures(tasks: Sequence[Task]) -> dict[str, list[tuple[datetime, str, bool, str]]]:
    """Per site, the measures verified tasks put in place: (when, risk measure, value, basis)."""
    out: dict[str, list[tuple[datetime, str, bool, str]]] = {}
    for task in tasks:
        problem = PROBLEM[task.problem]
        closed = task.closed_at
        if closed is None or problem.risk_measure is None:
            continue
        basis = f"整改任务 #{task.id} 验收（{local_day(closed).isoformat()}）"
        out.setdefault(task.site_id, []).append((closed, problem.risk_measure, problem.fixed_value, basis))
    return out


def open_by_site(tasks: Sequence[Task]) -> dict[str, list[Task]]:
    """The tasks not yet closed, by site."""
    out: dict[str, list[Task]] = {}
    for task in tasks:
        if task.status != CLOSED:
            out.setdefault(task.site_id, []).append(task)
    return out
