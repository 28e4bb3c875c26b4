from __future__ import annotations

from datetime import UTC, datetime

from school_water_map.domain.inspections import DevicePosition, InspectionInput
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.sites import find_site, sites
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.accounts import authenticate
from school_water_map.store.database import open_store
from school_water_map.store.inspections import submit
from tests.helpers import ANSWERS, cli_user, swmap
from tests.notice_tools import need_poppler, pdf_text


def test_user_add_list_disable(tmp_path):
    added = cli_user(tmp_path, "add", "bq01", "--township", "板桥乡", "--name", "李巡查")
    assert added.returncode == 0 and "已新增账号 bq01：李巡查（乡镇巡查员，板桥乡）" in added.stdout
    assert cli_user(tmp_path, "add", "admin", "--role", "admin").returncode == 0
    duplicate = cli_user(tmp_path, "add", "bq01", "--township", "板桥乡")
    assert duplicate.returncode == 2 and "已存在" in duplicate.stderr
    short = cli_user(tmp_path, "add", "bq02", "--township", "板桥乡", password="short")
    assert short.returncode == 2 and "至少 10 位" in short.stderr
    listing = swmap("user", "list", data_dir=tmp_path).stdout
    assert "bq01\t李巡查\t乡镇巡查员\t板桥乡" in listing and "admin\t\t管理员\t全区" in listing
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}))
    assert authenticate(store, "bq01", "secret-123").township == "板桥乡"
    swmap("user", "disable", "bq01", data_dir=tmp_path)
    assert "（已停用）" in swmap("user", "list", data_dir=tmp_path).stdout


def test_filled_township_report_for_a_date_range(tmp_path):
    need_poppler()
    assert cli_user(tmp_path, "add", "bq01", "--township", "板桥乡", "--name", "李巡查").returncode == 0
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)})
    store = open_store(settings)
    user = authenticate(store, "bq01", "secret-123")
    site = find_site(sites(build_register(settings)), "640302-S37-W47")
    rules = PatrolRules()
    submit(store, user, site, InspectionInput(ANSWERS, problems="护栏缺失", action_taken="已报乡政府"), target=None,
           rules=rules, device=DevicePosition(106.3, 37.9, 10), now=datetime(2026, 7, 10, 1, 30, tzinfo=UTC))
    submit(store, user, site, InspectionInput(ANSWERS), target=None, rules=rules,
           now=datetime(2026, 8, 20, 1, 30, tzinfo=UTC))
    out = tmp_path / "report.pdf"
    swmap("notice", "township", "板桥乡", "--from", "2026-07-01", "--to", "2026-07-31", "-o", str(out),
          data_dir=tmp_path)
    text = "".join(pdf_text(out).split())  # table cells wrap: compare without whitespace
    assert "（2026年7月1日至2026年7月31日）" in text
    assert "李巡查07-1009:30" in text and "【点位未定位，无法核验】" in text and "缺失" in text
    assert "08-20" not in text  # outside the period
    bad = swmap("notice", "township", "板桥乡", "--from", "2026-07-31", "--to", "2026-07-01", "-o", str(out),
                data_dir=tmp_path, check=False)
    assert bad.returncode == 2 and "日期范围无效" in bad.stderr
