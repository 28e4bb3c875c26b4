"""整改任务 with their sites, read once for a listing (the CLI's `swmap tasks list`, the 整改 page and the
督办通知单): the register for the sites' rows and names, the store for the tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from school_water_map.domain.entities import TOWNSHIP_UNKNOWN, TOWNSHIPS
from school_water_map.domain.sites import Site, sites
from school_water_map.domain.tasks import STATUS_BY_ZH, STATUS_ZH, Task
from school_water_map.errors import TaskError
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.tasks import list_tasks


@dataclass(frozen=True)
class Listing:
    tasks: list[Task]
    sites: dict[str, Site]


def status_code(text: str) -> str:
    """``open|fixed|closed`` or its Chinese name → the code; anything else is a Chinese error naming it."""
    code = STATUS_BY_ZH.get(text.strip(), text.strip())
    if code not in STATUS_ZH:
        raise TaskError(f"状态“{text}”无效：应为 {'、'.join(f'{c}（{z}）' for c, z in STATUS_ZH.items())} 之一")
    return code


def select(tasks: list[Task], *, township: str | None = None, status: str | None = None, unit: str | None = None,
           overdue: bool = False, today: date) -> list[Task]:
    """The tasks of one township and/or unit, in one status, or past their deadline and not verified."""
    if township == TOWNSHIP_UNKNOWN:
        township = ""  # the tasks of sites whose township is 待确认
    elif township is not None and township not in TOWNSHIPS:
        raise TaskError(f"乡镇“{township}”不在利通区的乡镇中：{'、'.join(TOWNSHIPS)}")
    code = status_code(status) if status else None
    return [t for t in tasks if (township is None or t.township == township) and (unit is None or t.unit == unit)
            and (code is None or t.status == code) and (not overdue or t.overdue(today))]


def task_listing(settings: Settings) -> Listing:
    """Every task, and the register's sites by id."""
    register = build_register(settings)
    return Listing(tasks=list_tasks(open_store(settings)), sites={s.site_id: s for s in sites(register)})
