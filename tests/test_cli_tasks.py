"""`swmap tasks list`: tasks raised by inspections (one of them 20 days ago, so past its deadline), filtered
by township, status and overdue, as JSON or CSV; a bad status or township is a Chinese error."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from school_water_map.domain.inspections import InspectionInput
from school_water_map.domain.sites import find_site, sites
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from school_water_map.store.inspections import submit
from school_water_map.store.tasks import TaskPolicy
from tests.helpers import ANSWERS, ROW_83, RULES, swmap

FENCE = {**ANSWERS, "fence": "missing", "rescue_kit": "ok", "minors": "none"}
SIGN = {**ANSWERS, "warning_sign": "missing", "fence": "ok", "rescue_kit": "ok", "minors": "none"}
JINJI_SITE = "640302-S40-W50"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A 板桥乡 fence task raised 20 days ago (overdue) and a 金积镇 sign task raised today."""
    folder = tmp_path_factory.mktemp("tasks_cli")
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(folder)})
    store, register = open_store(settings), build_register(settings)
    every = sites(register)
    admin = add_user(store, "admin01", "secret-123", "admin")
    for site_id, answers, days in ((ROW_83, FENCE, 20), (JINJI_SITE, SIGN, 0)):
        site = find_site(every, site_id)
        policy = TaskPolicy(deadlines=register.rules.task_deadlines, risk_level=site.risk_level, unit="乡政府")
        submit(store, admin, site, InspectionInput(answers), target=None, rules=RULES,
               now=datetime.now(UTC) - timedelta(days=days), tasks=policy)
    return folder


def _json(data_dir, *args):
    done = swmap("tasks", "list", *args, data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_overdue_lists_exactly_the_late_task(data_dir):
    [late] = _json(data_dir, "--overdue", "--format", "json")
    assert (late["site_id"], late["row"], late["township"], late["problem"]) == (ROW_83, 83, "板桥乡",
                                                                              "隔离带/防护栏缺失或破损")
    assert late["overdue"] is True and late["status"] == "待整改" and late["measure"] == "设置隔离带、防护栏"
    assert late["unit"] == "乡政府" and late["person"] == "" and late["deadline"] < datetime.now(UTC).date().isoformat()
    assert late["history"][0].endswith("交办（巡查 #1）")
    assert {"task_id", "site_id", "row", "township", "problem", "measure", "unit", "person", "deadline", "status",
            "overdue", "history"} <= set(late)


def test_filters_by_township_and_status(data_dir):
    assert len(_json(data_dir)) == 2
    assert [t["township"] for t in _json(data_dir, "--township", "金积镇")] == ["金积镇"]
    assert len(_json(data_dir, "--status", "待整改")) == 2 and _json(data_dir, "--status", "closed") == []


def test_csv_has_chinese_headings(data_dir):
    done = swmap("tasks", "list", "--format", "csv", data_dir=data_dir)
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[0]["附件序号"] == "83" and rows[0]["逾期"] == "是" and rows[1]["逾期"] == "否"


@pytest.mark.parametrize(("args", "message"), [(("--status", "done"), "状态“done”无效"),
                                               (("--township", "火星镇"), "乡镇“火星镇”不在利通区的乡镇中")])
def test_bad_filters_are_named_in_chinese(data_dir, args, message):
    done = swmap("tasks", "list", *args, data_dir=data_dir, check=False)
    assert done.returncode == 2 and message in done.stderr
