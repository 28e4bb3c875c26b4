"""隐患整改督办通知单 and the township sheet's open tasks, as printed (PDF read back with ``pdftotext``): a
板桥乡 fence task raised 20 days ago is overdue and listed with its school, problem, deadline and days late;
a unit with none says so; 乡镇待确认 is refused in Chinese."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from school_water_map.domain.inspections import InspectionInput
from school_water_map.domain.sites import find_site, sites
from school_water_map.domain.tasks import LOCAL_TIME
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from school_water_map.store.inspections import submit
from school_water_map.store.tasks import TaskPolicy, list_tasks
from tests.helpers import ANSWERS, ROW_83, RULES, swmap
from tests.notice_tools import need_poppler, pdf_text, run

FENCE = {**ANSWERS, "fence": "missing", "rescue_kit": "ok", "minors": "none"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("supervision")
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(folder)})
    store, register = open_store(settings), build_register(settings)
    site = find_site(sites(register), ROW_83)
    policy = TaskPolicy(deadlines=register.rules.task_deadlines, risk_level=site.risk_level, unit="板桥乡人民政府",
                        person="马乡长")
    submit(store, add_user(store, "admin01", "secret-123", "admin"), site, InspectionInput(FENCE), target=None,
           rules=RULES, now=datetime.now(UTC) - timedelta(days=20), tasks=policy)
    return folder


def test_the_notice_lists_the_overdue_task(data_dir, tmp_path):
    need_poppler()
    out = tmp_path / "督办.pdf"
    swmap("notice", "supervision", "--township", "板桥", "-o", str(out), data_dir=data_dir)
    text = run("pdftotext", "-raw", out, "-").replace("\n", "")  # content order: a table cell stays whole
    [task] = list_tasks(open_store(Settings.from_env({"SWMAP_DATA_DIR": str(data_dir)})))
    late = (datetime.now(LOCAL_TIME).date() - task.deadline).days
    assert late == 13  # 20 days ago, 7 days to fix a fence at a 高 site
    for expected in ("隐患整改督办通知单", "板桥乡：", "板桥波浪渠小学—波浪渠", "隔离带/防护栏缺失或破损",
                     "设置隔离带、防护栏", "板桥乡人民政府 马乡长", task.deadline.isoformat(), f"逾期 {late} 天",
                     "待整改", "共 1 项", "吴利政办发〔2021〕45号", "第五条"):
        assert expected in text, expected
    by_unit = tmp_path / "unit.pdf"
    swmap("notice", "supervision", "--unit", "区水务局", "-o", str(by_unit), data_dir=data_dir)
    assert "无逾期整改任务" in pdf_text(by_unit).replace("\n", "")


def test_the_township_sheet_lists_open_tasks(data_dir, tmp_path):
    need_poppler()
    out = tmp_path / "sheet.pdf"
    swmap("notice", "township", "板桥乡", "-o", str(out), data_dir=data_dir)
    text = pdf_text(out).replace("\n", "")
    assert "未销号整改任务" in text and "隔离带/防护栏缺失或破损（待整改，期限" in text


def test_unknown_township_is_refused_in_chinese(data_dir, tmp_path):
    done = swmap("notice", "supervision", "--township", "待确认", "-o", str(tmp_path / "x.pdf"), data_dir=data_dir,
                 check=False)
    assert done.returncode == 2 and "请按责任单位生成督办通知单" in done.stderr
