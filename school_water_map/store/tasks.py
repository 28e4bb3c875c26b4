"""Rectification tasks in the store: raised by an inspection (in its transaction) or by the bureau, then
changed only by appending events. Every write checks who may (a patrol its township's tasks, a viewer
nothing, an admin everything; whoever reported a task fixed cannot verify it) and the task's status
under a lock, so concurrent writers neither lose a change nor open a second task for one site and problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from school_water_map.domain import tasks as domain
from school_water_map.domain.inspections import DevicePosition
from school_water_map.domain.patrol import PatrolRules, presence
from school_water_map.domain.sites import Site
from school_water_map.domain.tasks import Evidence, Task, TaskDraft, TaskEvent
from school_water_map.domain.users import ADMIN, User, require_site_write
from school_water_map.errors import AuthError, PhotoError, PositionError, TaskError
from school_water_map.store import photos
from school_water_map.store.database import Store
from school_water_map.store.db.models import InspectionRow, OpenTaskRow, TaskEventRow, TaskRow


@dataclass(frozen=True)
class TaskPolicy:
    """How an inspection raises tasks for one site: the rules' deadlines and the site's owners."""

    deadlines: Mapping[str, Mapping[str, int]]
    risk_level: str
    unit: str = ""
    person: str = ""


def raise_found(session: Session, user: User, site: Site, *, inspection_id: int, answers: Mapping[str, str],
                policy: TaskPolicy, now: datetime) -> list[int]:
    """In the inspection's own transaction: for each problem its answers find, attach the finding to the
    site's open task for that problem, or raise one. Gives the task ids touched."""
    touched = []
    for problem in domain.found_problems(answers):
        draft = TaskDraft(site_id=site.site_id, township=site.township or "", problem=problem.code,
                          measure=problem.measure, unit=policy.unit, person=policy.person,
                          deadline=domain.deadline_for(now, policy.risk_level, problem.measure, policy.deadlines))
        touched.append(_raise_or_attach(session, user, draft, source="inspection", inspection_id=inspection_id,
                                        now=now))
    return touched


def raise_task(store: Store, user: User, site: Site, draft: TaskDraft, *, now: datetime | None = None) -> Task:
    """The bureau raises a task (from a register row or a site page); refused if the site already has an
    open task for this problem."""
    if not (user.active and user.role == ADMIN):
        raise AuthError("只有管理员可以交办整改任务")
    checked = domain.check_draft(replace(draft, site_id=site.site_id, township=site.township or ""))
    moment = now or datetime.now(UTC)
    with _writing(store) as session:
        held = session.get(OpenTaskRow, (site.site_id, checked.problem))
        if held is not None:
            raise TaskError(f"该点位已有未销号的“{domain.PROBLEM_ZH[checked.problem]}”整改任务 #{held.task_id}")
        task_id = _raise_or_attach(session, user, checked, source="bureau", inspection_id=None, now=moment)
    return get_task(store, task_id)


def report_fixed(store: Store, user: User, task_id: int, *, note: str = "", photo: bytes | None = None,
                 device: DevicePosition | None = None, target: BaseGeometry | None = None,
                 rules: PatrolRules | None = None, now: datetime | None = None) -> Task:
    """报告已整改, with its evidence (a photo or a note at least; GPS where available)."""
    if not (photo or note.strip()):
        raise TaskError("报告已整改须附整改后照片或填写整改说明")
    evidence = _evidence(note, device, target, rules)
    return _append_with_photo(store, user, task_id, domain.REPORTED, evidence, photo, now)


def verify(store: Store, user: User, task_id: int, *, note: str = "", device: DevicePosition | None = None,
           target: BaseGeometry | None = None, rules: PatrolRules | None = None,
           now: datetime | None = None) -> Task:
    """验收销号: by another account than the one that reported it fixed, on site (GPS presence) or with a
    recorded reason."""
    evidence = _evidence(note, device, target, rules)
    if evidence.presence != "at_site" and not evidence.note:
        raise TaskError("未在现场定位（或定位不在站点处）：不在现场验收须填写验收说明")
    return _append(store, user, task_id, domain.VERIFIED, evidence, now=now)


def return_task(store: Store, user: User, task_id: int, *, reason: str, now: datetime | None = None) -> Task:
    """退回: the fix is not accepted; back to 待整改 (a reason is required)."""
    if not reason.strip():
        raise TaskError("退回须填写原因")
    return _append(store, user, task_id, domain.RETURNED, Evidence(note=reason.strip()), now=now)


def change_deadline(store: Store, user: User, task_id: int, deadline: date, *, reason: str,
                    now: datetime | None = None) -> Task:
    """An admin moves one task's deadline, with a reason."""
    if not (user.active and user.role == ADMIN):
        raise AuthError("只有管理员可以调整整改期限")
    if not reason.strip():
        raise TaskError("调整整改期限须填写原因")
    return _append(store, user, task_id, domain.DEADLINE, Evidence(note=reason.strip()), deadline=deadline, now=now)


def list_tasks(store: Store, *, townships: set[str] | None = None, site_ids: set[str] | None = None) -> list[Task]:
    """Tasks with their events, oldest first, optionally for some townships or sites."""
    with store.reading() as session:
        return tasks_in(session, townships=townships, site_ids=site_ids)


def visible_tasks(store: Store, user: User) -> list[Task]:
    """The tasks ``user`` may read: a patrol its own township's, the bureau and viewers all."""
    if not user.active:
        raise AuthError("该账号已停用")
    return list_tasks(store, townships=None if user.role != "patrol" else {user.township or ""})


def get_task(store: Store, task_id: int) -> Task:
    with store.reading() as session:
        found = tasks_in(session, task_ids={task_id})
    if not found:
        raise TaskError(f"整改任务 #{task_id} 不存在")
    return found[0]


def tasks_in(session: Session, *, townships: set[str] | None = None, site_ids: set[str] | None = None,
             task_ids: set[int] | None = None) -> list[Task]:
    query = select(TaskRow).order_by(TaskRow.id)
    if townships is not None:
        query = query.where(TaskRow.township.in_(townships))
    if site_ids is not None:
        query = query.where(TaskRow.site_id.in_(site_ids))
    if task_ids is not None:
        query = query.where(TaskRow.id.in_(task_ids))
    rows = list(session.scalars(query))
    events: dict[int, list[TaskEvent]] = {row.id: [] for row in rows}
    if rows:
        wanted = select(TaskEventRow).order_by(TaskEventRow.id)
        if townships is not None or site_ids is not None or task_ids is not None:
            wanted = wanted.where(TaskEventRow.task_id.in_(list(events)))
        for event in session.scalars(wanted):
            events[event.task_id].append(_event(event))
    return [_task(row, tuple(events[row.id])) for row in rows]


# -- writing ---------------------------------------------------------------------------------------------

def _raise_or_attach(session: Session, user: User, draft: TaskDraft, *, source: str, inspection_id: int | None,
                     now: datetime) -> int:
    """The open task for the draft's site and problem gets a repeat finding, or a new task is raised.
    The open slot's primary key decides a race: the loser attaches to the winner's task."""
    held = session.get(OpenTaskRow, (draft.site_id, draft.problem))
    if held is None:
        try:
            with session.begin_nested():
                task = TaskRow(site_id=draft.site_id, township=draft.township, problem=draft.problem,
                               measure=draft.measure, unit=draft.unit, person=draft.person, deadline=draft.deadline,
                               raised_at=now, raised_by_id=user.id, raised_by=_who(user), source=source,
                               note=draft.note)
                session.add(task)
                session.flush()
                session.add(TaskEventRow(task_id=task.id, kind=domain.RAISED, user_id=user.id, actor=_who(user),
                                         at=now, note=draft.note, inspection_id=inspection_id))
                session.add(OpenTaskRow(site_id=draft.site_id, problem=draft.problem, task_id=task.id))
                session.flush()
            return task.id
        except IntegrityError:
            held = session.get(OpenTaskRow, (draft.site_id, draft.problem), populate_existing=True)
            if held is None:
                raise
    if source != "inspection":
        raise TaskError(f"该点位已有未销号的“{domain.PROBLEM_ZH[draft.problem]}”整改任务 #{held.task_id}")
    session.add(TaskEventRow(task_id=held.task_id, kind=domain.REPEAT, user_id=user.id, actor=_who(user), at=now,
                             inspection_id=inspection_id))
    return held.task_id


def _append_with_photo(store: Store, user: User, task_id: int, kind: str, evidence: Evidence,
                       photo: bytes | None, now: datetime | None) -> Task:
    if not photo:
        return _append(store, user, task_id, kind, evidence, now=now)
    try:
        jpeg = photos.reencode(photo)
        with photos.writing(store.data_dir):
            saved = photos.save(store.data_dir, jpeg, now=now)
            try:
                return _append(store, user, task_id, kind, replace(evidence, photo=saved.path), now=now)
            except BaseException as exc:
                failure = exc
    except PhotoError as exc:
        raise TaskError(str(exc)) from exc
    photos.discard(store.data_dir, saved, referenced=partial(_photo_referenced, store))
    raise failure


def _append(store: Store, user: User, task_id: int, kind: str, evidence: Evidence, *,
            deadline: date | None = None, now: datetime | None = None) -> Task:
    """Check who may, and the task's status, under the task's lock; then append the event."""
    moment = now or datetime.now(UTC)
    with _writing(store) as session:
        row = session.get(TaskRow, task_id, with_for_update=True)
        if row is None:
            raise TaskError(f"整改任务 #{task_id} 不存在")
        task = tasks_in(session, task_ids={task_id})[0]
        _authorize(user, task, kind)
        domain.check_transition(task, kind)
        session.add(TaskEventRow(task_id=task_id, kind=kind, user_id=user.id, actor=_who(user), at=moment,
                                 note=evidence.note, photo=evidence.photo, gps_lon=evidence.gps_lon,
                                 gps_lat=evidence.gps_lat, gps_accuracy_m=evidence.gps_accuracy_m,
                                 distance_m=evidence.distance_m, presence=evidence.presence, deadline=deadline))
        if kind == domain.VERIFIED:
            session.execute(delete(OpenTaskRow).where(OpenTaskRow.task_id == task_id))
    return get_task(store, task_id)


def _authorize(user: User, task: Task, kind: str) -> None:
    require_site_write(user, task.township or None, "整改任务")
    if kind in (domain.VERIFIED, domain.RETURNED) and user.id == task.reporter_id:
        raise AuthError("报告已整改的账号不能验收或退回自己报告的整改：请由教育局或本乡镇其他账号验收")


def _evidence(note: str, device: DevicePosition | None, target: BaseGeometry | None,
              rules: PatrolRules | None) -> Evidence:
    text = note.strip()
    if "\x00" in text or len(text) > 500:
        raise TaskError("说明最多 500 个字符")
    if device is None:
        return Evidence(note=text)
    if not (-180 <= device.lon <= 180 and -90 <= device.lat <= 90):
        raise PositionError("设备定位坐标无效")
    state, distance = presence(Point(device.lon, device.lat), target, rules or PatrolRules())
    return Evidence(note=text, gps_lon=device.lon, gps_lat=device.lat, gps_accuracy_m=device.accuracy_m,
                    distance_m=distance, presence=state)


@contextmanager
def _writing(store: Store) -> Iterator[Session]:
    """A write transaction that takes SQLite's write lock at once (PostgreSQL locks the task row instead):
    the status read and the event written are one step for every writer."""
    with store.session() as session:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield session


def _photo_referenced(store: Store, path: str) -> bool:
    try:
        with store.session() as session:
            used = select(TaskEventRow.id).where(TaskEventRow.photo == path).limit(1)
            inspected = select(InspectionRow.id).where(InspectionRow.photo == path).limit(1)
            return session.scalar(used) is not None or session.scalar(inspected) is not None
    except SQLAlchemyError:
        return True


def _who(user: User) -> str:
    return (user.display_name or user.username)[:128]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _event(row: TaskEventRow) -> TaskEvent:
    return TaskEvent(id=row.id, task_id=row.task_id, kind=row.kind, user_id=row.user_id, actor=row.actor,
                     at=_aware(row.at), deadline=row.deadline, inspection_id=row.inspection_id,
                     evidence=Evidence(note=row.note, photo=row.photo, gps_lon=row.gps_lon, gps_lat=row.gps_lat,
                                       gps_accuracy_m=row.gps_accuracy_m, distance_m=row.distance_m,
                                       presence=row.presence))


def _task(row: TaskRow, events: tuple[TaskEvent, ...]) -> Task:
    return Task(id=row.id, site_id=row.site_id, township=row.township, problem=row.problem, measure=row.measure,
                unit=row.unit, person=row.person, raised_at=_aware(row.raised_at), raised_by=row.raised_by,
                first_deadline=row.deadline, source=row.source, note=row.note, events=events)

