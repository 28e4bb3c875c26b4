"""整改任务 as records and tables: the fields `swmap tasks list` prints (JSON or CSV) and the 整改 page
downloads (CSV or XLSX through ``outputs.spreadsheet``), and the summary figures by township or unit."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from school_water_map.domain.sites import Site
from school_water_map.domain.tasks import MEASURE_ZH, PROBLEM_ZH, STATUS_ZH, Task, local_day

#: Record field → its Chinese column heading (tables for people); the record keys are the CLI's JSON.
COLUMNS_ZH = {"task_id": "任务编号", "site_id": "点位编号", "row": "附件序号", "school": "学校", "water": "水域",
              "township": "乡镇", "problem": "问题", "measure": "整改措施", "unit": "责任单位", "person": "责任人",
              "raised_at": "交办日期", "deadline": "整改期限", "status": "状态", "overdue": "逾期",
              "closed_at": "销号日期", "history": "处理经过"}


def task_record(task: Task, site: Site | None, today: date) -> dict[str, Any]:
    """One task as plain values (codes as Chinese labels, dates as ISO text, history as lines)."""
    closed = task.closed_at
    return {"task_id": task.id, "site_id": task.site_id, "row": site.row if site else None,
            "school": site.school if site else "", "water": site.water if site else "",
            "township": task.township or "待确认", "problem": PROBLEM_ZH[task.problem],
            "measure": MEASURE_ZH[task.measure], "unit": task.unit, "person": task.person,
            "raised_at": local_day(task.raised_at).isoformat(), "deadline": task.deadline.isoformat(),
            "status": STATUS_ZH[task.status], "overdue": task.overdue(today),
            "closed_at": local_day(closed).isoformat() if closed else "",
            "history": [event.text for event in task.events]}


def task_records(tasks: Sequence[Task], sites: Mapping[str, Site], today: date) -> list[dict[str, Any]]:
    return [task_record(task, sites.get(task.site_id), today) for task in tasks]


def task_table(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The records as a table with Chinese headings (history joined one event per line, 逾期 as 是/否)."""
    rows = [{**rec, "overdue": "是" if rec["overdue"] else "否", "history": "\n".join(rec["history"])}
            for rec in records]
    return pd.DataFrame(rows, columns=list(COLUMNS_ZH)).rename(columns=COLUMNS_ZH)


def summary(tasks: Sequence[Task], today: date, *, by: str) -> pd.DataFrame:
    """Per township (``by="township"``), responsible unit (``by="unit"``) or in all (``by="all"``, one row
    合计): open, overdue and closed counts, the share closed on time and the median days to close."""
    heading = {"township": "乡镇", "unit": "责任单位", "all": "范围"}[by]
    groups: dict[str, list[Task]] = {}
    for task in tasks:
        name = {"township": task.township or "待确认", "unit": task.unit or "未指定", "all": "合计"}[by]
        groups.setdefault(name, []).append(task)
    rows = []
    for name, held in sorted(groups.items()):
        closed = [t for t in held if t.closed_at is not None]
        on_time = [t for t in closed if t.closed_on_time()]
        days = [d for t in closed if (d := t.days_to_close()) is not None]
        rows.append({heading: name,
                     "未销号": sum(t.closed_at is None for t in held), "逾期": sum(t.overdue(today) for t in held),
                     "已销号": len(closed), "按期销号率": f"{len(on_time) / len(closed):.0%}" if closed else "—",
                     "销号天数中位数": f"{statistics.median(days):.1f}" if days else "—"})
    return pd.DataFrame(rows)
