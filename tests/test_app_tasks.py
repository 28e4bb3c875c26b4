"""The 整改 page (AppTest): open, overdue and closed tasks with their figures and downloads; an admin raises
a task for a site with the rules' deadline and moves a deadline with a reason; a viewer reads without the
forms; a patrol has no such page; a register row or a site page opens the raise form; the 督办通知单 downloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from school_water_map.domain.inspections import InspectionInput
from school_water_map.domain.sites import find_site, sites
from school_water_map.domain.tasks import LOCAL_TIME
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from school_water_map.store.inspections import submit
from school_water_map.store.tasks import TaskPolicy, list_tasks
from tests.app_support import login, media_file, run_page, texts
from tests.helpers import ANSWERS, ROW_83, RULES
from tests.notice_tools import pdf_text

PAGE = "app_pages/tasks.py"
FENCE = {**ANSWERS, "fence": "missing", "rescue_kit": "ok", "minors": "none"}


def _late_task(settings, user, days=20):
    """Row 83's fence, found missing ``days`` ago (its 7 days are over)."""
    register = build_register(settings)
    site = find_site(sites(register), ROW_83)
    policy = TaskPolicy(deadlines=register.rules.task_deadlines, risk_level=site.risk_level, unit="板桥乡人民政府")
    submit(open_store(settings), user, site, InspectionInput(FENCE), target=None, rules=RULES,
           now=datetime.now(UTC) - timedelta(days=days), tasks=policy)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_an_overdue_task_shows_with_figures_and_downloads(app_settings, accounts):
    _late_task(app_settings, accounts["bq01"])
    at = run_page(login("admin01"), PAGE)
    assert at.title[0].value == "整改"
    assert (_metric(at, "未销号"), _metric(at, "逾期"), _metric(at, "已销号")) == ("1", "1", "0")
    assert [t.label for t in at.tabs][:3] == ["未销号（1）", "逾期（1）", "已销号（0）"]
    overdue = at.tabs[1].dataframe[0].value
    assert list(overdue["附件序号"]) == [83] and list(overdue["逾期"]) == ["是"]
    assert list(overdue["问题"]) == ["隔离带/防护栏缺失或破损"] and list(overdue["责任单位"]) == ["板桥乡人民政府"]
    assert "没有逾期" not in texts(at.caption)
    labels = [b.label for b in at.get("download_button")]
    assert "下载 Excel（XLSX，5 张表）" in labels and "下载“逾期” CSV" in labels
    by_town = at.tabs[3].dataframe[0].value
    assert by_town.iloc[0]["乡镇"] == "板桥乡" and by_town.iloc[0]["逾期"] == 1


def test_an_admin_raises_a_task_and_moves_a_deadline(app_settings, accounts):
    at = run_page(login("admin01"), PAGE)
    at.selectbox(key="tasks_new_site").set_value(ROW_83)
    at.selectbox(key="tasks_new_problem").set_value("warning_sign")
    run_page(at)
    today = datetime.now(LOCAL_TIME).date()
    key = f"{ROW_83}_warning_sign_sign"
    assert at.date_input(key=f"tasks_new_deadline_{key}").value == today + timedelta(days=3)  # 高, sign: 3 days
    at.text_area(key=f"tasks_new_note_{key}").input("高风险点位无警示牌")
    at.button(key="tasks_new_submit").click()
    run_page(at)
    [task] = list_tasks(open_store(app_settings))
    assert (task.site_id, task.problem, task.measure, task.source) == (ROW_83, "warning_sign", "sign", "bureau")
    assert f"已交办整改任务 #{task.id}。" in texts(at.success)
    at.selectbox(key="tasks_new_site").set_value(ROW_83)
    at.selectbox(key="tasks_new_problem").set_value("warning_sign")
    run_page(at)
    at.button(key="tasks_new_submit").click()
    run_page(at)
    assert "已有未销号的“警示标牌缺失或损坏”整改任务" in texts(at.error)
    assert len(list_tasks(open_store(app_settings))) == 1

    at.selectbox(key="tasks_move_task").set_value(task.id)
    run_page(at)
    at.button(key="tasks_move_submit").click()
    run_page(at)
    assert "调整整改期限须填写原因" in texts(at.error)
    at.date_input(key=f"tasks_move_date_{task.id}").set_value(today + timedelta(days=10))
    at.text_input(key=f"tasks_move_reason_{task.id}").input("警示牌定制中")
    at.button(key="tasks_move_submit").click()
    run_page(at)
    assert list_tasks(open_store(app_settings))[0].deadline == today + timedelta(days=10)
    at.selectbox(key="tasks_history").set_value(task.id)
    run_page(at)
    assert "调整期限：期限改为" in texts(at.markdown) and "警示牌定制中" in texts(at.markdown)


def test_a_viewer_reads_and_a_patrol_has_no_such_page(app_settings, accounts):
    _late_task(app_settings, accounts["bq01"])
    viewer = run_page(login("look01"), PAGE)
    assert viewer.title[0].value == "整改" and _metric(viewer, "逾期") == "1"
    assert "交办整改任务" not in [e.label for e in viewer.expander]
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in a patrol's menu
        login("bq01").switch_page(PAGE)


def test_the_supervision_notice_downloads_from_the_page(app_settings, accounts, media, tmp_path):
    _late_task(app_settings, accounts["bq01"])
    at = run_page(login("look01"), PAGE)  # a viewer may print it too
    at.selectbox(key="tasks_supervision_to").set_value(("township", "板桥乡"))
    run_page(at)
    assert not at.get("download_button") or "tasks_supervision_pdf" not in [b.key for b in at.get("download_button")]
    at.button(key="tasks_supervision_make").click()
    run_page(at)
    assert "当前逾期 1 项" in texts(at.caption)
    pdf = tmp_path / "督办.pdf"
    pdf.write_bytes(media_file(media, at.download_button(key="tasks_supervision_pdf").proto.url).content)
    text = pdf_text(pdf).replace("\n", "")
    assert "隐患整改督办通知单" in text and "板桥乡：" in text and "逾期 13 天" in text


def test_a_register_row_and_a_site_page_open_the_raise_form_on_their_site(app_settings, accounts):
    at = run_page(login("admin01"), "app_pages/register.py")
    at.session_state["register_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}  # row 83
    run_page(at)
    assert at.subheader[0].value.startswith("第 83 行")
    at.button(key="register_task").click()
    run_page(at)
    assert at.title[0].value == "整改" and at.selectbox(key="tasks_new_site").value == ROW_83
    assert at.session_state["tasks_raise_open"] is True  # the 交办整改任务 form opens by itself
    site = login("admin01", site=ROW_83)
    site.button(key="patrol_task").click()
    run_page(site)
    assert site.title[0].value == "整改" and site.selectbox(key="tasks_new_site").value == ROW_83
    assert "patrol_task" not in [b.key for b in login("bq01", site=ROW_83).button]  # the bureau's button only
