"""``swmap tasks list``: 整改任务 as JSON (English field names, Chinese values) or CSV (Chinese headings)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from school_water_map.domain.tasks import LOCAL_TIME
from school_water_map.outputs.spreadsheet import csv_bytes
from school_water_map.outputs.task_table import task_records, task_table
from school_water_map.pipeline.tasks import select, task_listing
from school_water_map.settings import Settings


def add_task_commands(sub: Any) -> None:
    tasks = sub.add_parser("tasks", help="整改任务：list（列表）")
    tasks.add_argument("action", choices=("list",))
    tasks.add_argument("--township", help="只列该乡镇的任务")
    tasks.add_argument("--status", help="只列该状态：open 待整改 / fixed 已整改待验收 / closed 已销号")
    tasks.add_argument("--overdue", action="store_true", help="只列逾期（过了整改期限仍未销号）的任务")
    tasks.add_argument("--format", choices=("json", "csv"), default="json", help="输出格式")
    tasks.set_defaults(run=_list)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    today = datetime.now(LOCAL_TIME).date()
    listing = task_listing(settings)
    chosen = select(listing.tasks, township=args.township, status=args.status, overdue=args.overdue, today=today)
    records = task_records(chosen, listing.sites, today)
    if args.format == "csv":
        sys.stdout.buffer.write(csv_bytes(task_table(records)))
        sys.stdout.flush()
    else:
        print(json.dumps(records, ensure_ascii=False, indent=1))
    return 0
