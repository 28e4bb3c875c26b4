"""Issue 13's walk in a real browser at 768×1024 (Chromium through Playwright, touch, GPS at 波浪渠): the
板桥乡 patrol's inspection of row 83 with 护栏：无 opens a 整改任务 with the rules' deadline; a second
inspection finding the same attaches to it; the patrol reports it fixed with a photo; the same account is
refused verification; the bureau verifies it on site; only then does row 83's 措施后 risk change. No
request leaves 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from school_water_map.domain.inspections import InspectionInput
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.sites import find_site, sites
from school_water_map.domain.tasks import LOCAL_TIME
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from school_water_map.store.inspections import submit
from school_water_map.store.tasks import TaskPolicy, list_tasks
from tests.browser_support import StreamlitServer, chromium, fits_a_tablet, log_in, open_page, settle
from tests.browser_support import external_requests as external
from tests.placing import place

pytestmark = pytest.mark.browser

ROW_83 = "640302-S37-W47"
W47 = (106.2500, 37.9500)  # where this test places 波浪渠 (not its real position)
AT_W47 = {"longitude": W47[0] + 0.0003, "latitude": W47[1], "accuracy": 5}  # about 26 m east of it
PASSWORDS = {"admin01": "admin-pass-1", "bq01": "reed-bank-2026"}
OTHER_SITE = "640302-S36-W01"
SIGN_MISSING = {"warning_sign": "missing", "fence": "ok", "rescue_kit": "ok", "water_state": "normal", "minors": "none"}
CHECKLIST = (("warning_sign", "有，清晰"), ("fence", "无"), ("rescue_kit", "齐全"), ("water_state", "平稳"),
             ("minors", "未发现"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    root = tmp_path_factory.mktemp("tasks")
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(root / "data")})
    store = open_store(settings)
    admin = add_user(store, "admin01", PASSWORDS["admin01"], "admin", display_name="王局")
    add_user(store, "bq01", PASSWORDS["bq01"], "patrol", township="板桥乡", display_name="李巡查")
    place(settings, "640302-W47", *W47)
    register = build_register(settings)
    other = find_site(sites(register), OTHER_SITE)  # a sign found missing 20 days ago: overdue today
    submit(store, admin, other, InspectionInput(SIGN_MISSING), target=None, rules=PatrolRules(),
           now=datetime.now(UTC) - timedelta(days=20),
           tasks=TaskPolicy(register.rules.task_deadlines, other.risk_level, unit="板桥乡人民政府"))
    running = StreamlitServer(root / "data", root / "streamlit.log").start()
    yield running
    running.stop()


def _tablet(browser: Browser) -> tuple[Page, list[str]]:
    return open_page(browser, (768, 1024), geolocation={"latitude": AT_W47["latitude"],
                                                        "longitude": AT_W47["longitude"],
                                                        "accuracy": AT_W47["accuracy"]},
                     permissions=["geolocation"], has_touch=True)


def _inspect(page: Page) -> None:
    for item, option in CHECKLIST:
        group = page.locator(f".st-key-insp_{ROW_83}_{item}")
        group.get_by_role("radio", name=option, exact=True).click()
        expect(group.locator("[aria-checked='true']")).to_have_text(option)
    settle(page)
    page.get_by_role("button", name="提交巡查记录").click()
    expect(page.get_by_text("已提交巡查记录")).to_be_visible()


def _card(page: Page, task_id: int) -> Locator:
    return page.locator(f".st-key-task_card_{task_id}")


def _open(card: Locator, title: str) -> None:
    card.get_by_text(title, exact=True).click()
    expect(card.get_by_role("button", name="获取当前位置")).to_be_visible()


def _residual(page: Page) -> str:
    badge = page.get_by_text("措施后 ", exact=False).first
    expect(badge).to_be_visible()
    return badge.inner_text()


def _shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=False)


def test_a_fence_found_missing_is_driven_to_closure_on_a_tablet(server, browser, shots, tmp_path):
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(server.data_dir)}))
    page, requests = _tablet(browser)
    log_in(page, server.url + f"/?site={ROW_83}", "bq01", PASSWORDS["bq01"])
    expect(page.get_by_role("heading", name="波浪渠（板桥波浪渠小学）")).to_be_visible()
    _inspect(page)
    [task] = list_tasks(store, site_ids={ROW_83})
    deadline = datetime.now(LOCAL_TIME).date() + timedelta(days=7)  # 高, 设置隔离带、防护栏: 7 days
    assert (task.problem, task.status, task.deadline) == ("fence", "open", deadline)
    card = _card(page, task.id)
    expect(card).to_contain_text("隔离带/防护栏缺失或破损")
    expect(card).to_contain_text(f"期限：{deadline.isoformat()}")
    expect(card).to_contain_text("待整改")
    before = _residual(page)
    fits_a_tablet(page, "task raised 768", ["textarea"])
    _shot(page, shots, "task_raised_768x1024")

    page.get_by_role("button", name="继续巡查该站点").click()
    _inspect(page)  # the same finding: attached to the open task
    [again] = list_tasks(store, site_ids={ROW_83})
    assert again.id == task.id and [e.kind for e in again.events] == ["raised", "repeat"]
    expect(page.get_by_text("整改任务（未销号 1 项）")).to_be_visible()

    card = _card(page, task.id)
    _open(card, "报告已整改")
    note = card.get_by_label("整改说明")
    note.fill("已补设护栏约 30 米")
    note.blur()
    photo = tmp_path / "护栏.jpg"
    Image.new("RGB", (1600, 1200), (90, 90, 90)).save(photo, format="JPEG")
    settle(page)
    card.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(photo))
    expect(card.get_by_text("整改后照片：护栏.jpg", exact=False)).to_be_visible()
    settle(page)
    card.get_by_role("button", name="获取当前位置").click()
    expect(card.get_by_text("已获取位置")).to_be_visible()
    fits_a_tablet(page, "task report 768", ["textarea", "[data-testid='stFileUploaderDropzone'] button",
                                            "[data-testid='stCheckbox'] label"])
    _shot(page, shots, "task_report_768x1024")
    settle(page)
    card.get_by_role("button", name="提交整改报告").click()
    expect(page.get_by_text(f"整改任务 #{task.id} 已报告整改，等待验收。")).to_be_visible()
    [fixed] = list_tasks(store, site_ids={ROW_83})
    assert fixed.status == "fixed" and fixed.events[-1].evidence.photo
    assert fixed.events[-1].evidence.presence == "at_site"
    assert _residual(page) == before  # reported fixed is not yet a measure in place

    card = _card(page, task.id)
    _open(card, "验收")
    card.get_by_role("button", name="获取当前位置").click()
    expect(card.get_by_text("已获取位置")).to_be_visible()
    settle(page)
    card.get_by_role("button", name="验收销号").click()
    expect(page.get_by_text("不能验收或退回自己报告的整改")).to_be_visible()
    _shot(page, shots, "task_refused_768x1024")
    assert list_tasks(store, site_ids={ROW_83})[0].status == "fixed"
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    page.context.close()

    page, more = _tablet(browser)
    log_in(page, server.url + f"/?site={ROW_83}", "admin01", PASSWORDS["admin01"])
    card = _card(page, task.id)
    expect(card).to_contain_text("已整改待验收")
    _open(card, "验收")
    card.get_by_role("button", name="获取当前位置").click()
    expect(card.get_by_text("已获取位置")).to_be_visible()
    settle(page)
    card.get_by_role("button", name="验收销号").click()
    expect(page.get_by_text(f"整改任务 #{task.id} 已验收销号。")).to_be_visible()
    [closed] = list_tasks(store, site_ids={ROW_83})
    assert closed.status == "closed" and closed.events[-1].evidence.presence == "at_site"
    after = _residual(page)
    assert after != before, (before, after)  # the fence counts now, and only now
    expect(page.get_by_text(f"整改任务 #{task.id} 验收")).to_be_visible()  # the residual risk's basis
    expect(page.get_by_text("整改任务（未销号")).to_have_count(0)
    _shot(page, shots, "task_verified_768x1024")

    page.get_by_role("link", name="整改").click()  # the bureau's view: one closed on time, one overdue
    expect(page.get_by_role("heading", name="整改", level=1)).to_be_visible()
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text="逾期")).to_contain_text("1")
    expect(metrics.filter(has_text="已销号")).to_contain_text("1")
    expect(metrics.filter(has_text="按期销号率")).to_contain_text("100%")
    page.get_by_role("tab", name="逾期（1）").click()
    expect(page.get_by_role("tab", name="逾期（1）")).to_have_attribute("aria-selected", "true")
    fits_a_tablet(page, "tasks page 768")
    expect(page.get_by_text("更多（", exact=False).first).to_be_visible()  # the menu's overflow, not "4 more"
    assert " more" not in page.locator("header").first.inner_text()
    _shot(page, shots, "tasks_page_768x1024")
    assert external(requests + more) == [], "requests left 127.0.0.1"
    page.context.close()
