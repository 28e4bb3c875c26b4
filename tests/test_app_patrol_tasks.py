"""整改任务 on the 巡查 page (AppTest): row 83's inspection finding 护栏：无 opens a task with the rules'
deadline, a second finding attaches to it, the patrol reports it fixed with a photo, the same account is
refused verification, another account verifies it on site, and only then does 措施后 risk change."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from school_water_map.domain.tasks import LOCAL_TIME
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store
from school_water_map.store.tasks import list_tasks
from tests.app_support import login, run_page, texts
from tests.helpers import APP_ANSWERS, ROW_83
from tests.placing import place
from tests.test_app_patrol import W47, _answer, _key, _png

FENCE_MISSING = {**APP_ANSWERS, "rescue_kit": "ok", "fence": "missing"}


@pytest.fixture
def gps_answer(monkeypatch) -> dict:
    from app_pages.parts import gps

    answer: dict = {"coords": {"longitude": W47[0] + 0.0005, "latitude": W47[1], "accuracy": 6.0}}
    monkeypatch.setattr(gps, "request_position", lambda **_key: dict(answer))
    return answer


def _inspect(at, answers=FENCE_MISSING):
    _answer(at, ROW_83, answers)
    at.button(key=_key(ROW_83, "submit")).click()
    return run_page(at)


def _residual(settings):
    pair = build_register(settings).pairs.set_index("site_id").loc[ROW_83]
    return pair["residual_score"], pair["residual_basis"]


def test_a_fence_found_missing_is_driven_to_closure(app_settings, accounts, gps_answer):
    place(app_settings, "640302-W47", *W47)
    store = open_store(app_settings)
    at = login("bq01", site=ROW_83)
    _inspect(at)
    [task] = list_tasks(store)
    today = datetime.now(LOCAL_TIME).date()
    assert (task.problem, task.status, task.deadline) == ("fence", "open", today + timedelta(days=7))  # 高: 7 days
    assert "整改任务（未销号 1 项）" in texts(at.subheader)
    assert "隔离带/防护栏缺失或破损" in texts(at.markdown) and "待整改" in texts(at.markdown)
    missing_score, _ = _residual(app_settings)

    at.button(key="patrol_again").click()
    run_page(at)
    _inspect(at)  # the same finding again: attached, no second task
    [again] = list_tasks(store)
    assert again.id == task.id and [e.kind for e in again.events] == ["raised", "repeat"]

    at.text_area(key=f"task_{task.id}_note").input("已补设护栏约 30 米")
    at.file_uploader(key=_key(f"task{task.id}", "upload_0")).upload("护栏.png", _png(), "image/png")
    at.button(key=f"task_{task.id}_gps_button").click()
    run_page(at)
    at.button(key=f"task_{task.id}_report").click()
    run_page(at)
    [fixed] = list_tasks(store)
    assert fixed.status == "fixed" and fixed.events[-1].evidence.photo is not None
    assert fixed.events[-1].evidence.presence == "at_site"
    assert f"整改任务 #{task.id} 已报告整改" in texts(at.success)
    assert _residual(app_settings)[0] == missing_score  # reported, not verified: nothing counted yet

    at.button(key=f"task_{task.id}_gps_button").click()
    run_page(at)
    at.button(key=f"task_{task.id}_verify").click()
    run_page(at)
    assert "不能验收或退回自己报告的整改" in texts(at.error)
    assert list_tasks(store)[0].status == "fixed"

    admin = login("admin01", site=ROW_83)
    admin.button(key=f"task_{task.id}_gps_button").click()
    run_page(admin)
    admin.button(key=f"task_{task.id}_verify").click()
    run_page(admin)
    [closed] = list_tasks(store)
    assert closed.status == "closed" and closed.events[-1].evidence.presence == "at_site"
    assert f"整改任务 #{task.id} 已验收销号" in texts(admin.success)
    score, basis = _residual(app_settings)
    assert score < missing_score and f"整改任务 #{task.id} 验收" in basis  # the fence counts only now
    assert "整改任务（未销号" not in texts(admin.subheader)


def test_the_register_and_the_map_popups_show_open_tasks(app_settings, accounts):
    from school_water_map.outputs.mapping import _residual_cell, _residual_text
    from school_water_map.outputs.register_view import pair_table

    place(app_settings, "640302-W47", *W47)
    at = login("bq01", site=ROW_83)
    _inspect(at)
    [task] = list_tasks(open_store(app_settings))
    pair = build_register(app_settings).pairs.set_index("site_id").loc[ROW_83]
    label = f"#{task.id} 隔离带/防护栏缺失或破损（待整改，期限 {task.deadline.isoformat()}）"
    assert list(pair["open_tasks"]) == [label]
    table = pair_table(build_register(app_settings).pairs)
    assert table.loc[table["序号"] == 83, "未销号整改"].item() == label
    assert f"<b>未销号整改</b>：{label}" in _residual_text(pair.to_dict()) and label in _residual_cell(pair.to_dict())
