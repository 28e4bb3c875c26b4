"""隐患整改督办通知单: the context of the notice the bureau sends one township or one responsible unit,
listing its 整改任务 past their deadline and not verified (rendered like the other notices, by ``render``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from school_water_map.domain.register import Register
from school_water_map.domain.sites import Site
from school_water_map.domain.tasks import MEASURE_ZH, PROBLEM_ZH, STATUS_ZH, Task
from school_water_map.errors import TaskError
from school_water_map.notices.config import PLACEHOLDER, Contact, NoticeConfig
from school_water_map.notices.context import ANNEX_SOURCE, Notes, _date_zh, _notes

NOTICE_SOURCE = "利通区人民政府办公室《关于做好2021年暑期学生安全防范管理工作的通知》（吴利政办发〔2021〕45号）"
#: Days the addressee has to finish and report, from the day the notice is printed.
REPLY_DAYS = 3


@dataclass(frozen=True)
class SupervisionLine:
    number: int
    task_id: int
    rows: str                    # 附件序号
    place: str                   # 学校—水域
    problem: str
    measure: str
    owner: str                   # 责任单位 责任人
    deadline: str
    days_late: int
    status: str


@dataclass(frozen=True)
class SupervisionNotice:
    addressee: str               # 板桥乡人民政府 / the unit's name
    scope: str                   # what was asked for: 乡镇“板桥乡” or 责任单位“…”
    lines: tuple[SupervisionLine, ...]
    issuer: Contact
    reply_by: str
    source: str
    notes: Notes = field(repr=False)


def supervision_notice(register: Register, config: NoticeConfig, tasks: Sequence[Task], sites: Mapping[str, Site],
                       *, today: date, township: str | None = None, unit: str | None = None) -> SupervisionNotice:
    """The notice for ``township`` or ``unit`` (one of them): its overdue tasks, latest deadline first last."""
    if (township is None) == (unit is None):
        raise TaskError("督办通知单须指定一个乡镇或一个责任单位")
    late = [t for t in tasks if t.overdue(today) and (t.township == township if township is not None
                                                      else t.unit == unit)]
    late.sort(key=lambda t: (t.deadline, t.id))
    lines = tuple(_line(n, task, sites.get(task.site_id), today) for n, task in enumerate(late, start=1))
    if township is not None:
        contact = config.township(township)
        addressee = township if contact.unit == PLACEHOLDER else contact.unit
        scope = f"乡镇“{township}”"
    else:
        addressee, scope = str(unit), f"责任单位“{unit}”"
    return SupervisionNotice(
        addressee=addressee, scope=scope, lines=lines, issuer=config.district,
        reply_by=_date_zh(today + timedelta(days=REPLY_DAYS)), source=NOTICE_SOURCE,
        notes=_notes(register.rules, today=today, precision=("点位以附件序号和“学校—水域”标明，不依赖地图定位",),
                     sources=(f"点位：{ANNEX_SOURCE}。", "整改任务：本系统巡查记录与整改记录（只增不改）。"),
                     assumptions=("逾期：过了整改期限仍未验收销号；报告已整改但未验收的任务仍计为未整改。",
                                  "整改期限按风险规则文件中的整改期限确定，管理员调整期限须记录原因。")))


def _line(number: int, task: Task, site: Site | None, today: date) -> SupervisionLine:
    owner = " ".join(part for part in (task.unit, task.person) if part) or "未指定"
    return SupervisionLine(
        number=number, task_id=task.id, rows="、".join(map(str, site.rows)) if site else "—",
        place=f"{site.school}—{site.water}" if site else task.site_id, problem=PROBLEM_ZH[task.problem],
        measure=MEASURE_ZH[task.measure], owner=owner, deadline=task.deadline.isoformat(),
        days_late=(today - task.deadline).days, status=STATUS_ZH[task.status])
