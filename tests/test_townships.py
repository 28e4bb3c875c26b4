"""Townships for every school: a 管理员 assigns a school's township (append-only, history kept); the
register applies the current assignments, so the school's sites belong to that township's patrols (their
scope and the store's write checks) and the 设置 page assigns them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from school_water_map.domain.entities import Registry
from school_water_map.domain.inspections import InspectionInput
from school_water_map.domain.patrol import patrol_rules
from school_water_map.domain.register import RegisterInputs, register_from
from school_water_map.domain.sites import sites
from school_water_map.domain.townships import TownshipAssignment, bases
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, SettingsError
from school_water_map.notices.context import townships_for_sheets
from school_water_map.pipeline.register import build_register
from school_water_map.store import audit
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from school_water_map.store.inspections import list_inspections, submit
from school_water_map.store.snapshot import read_snapshot
from school_water_map.store.townships import assign, current, history
from tests.app_support import login, run_page
from tests.helpers import APP_ANSWERS
from tests.test_core import ADCODE, ROWS, RULES, SCHOOLS, WATERS

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
S01 = "640302-S01"  # 利通区第十一小学: 待确认 in geodata/litong_schools.csv, 5 sites
ADMIN = User(id=1, username="admin09", display_name="张三", role="admin", township=None, active=True)
KNOWN = {"640302-S01", "640302-S02"}


# --- in code: the register applies an assignment -------------------------------------------------------------------

def test_an_assigned_township_replaces_a_schools_and_its_sites_township_in_the_register():
    given = TownshipAssignment("640302-S91", "金积镇", "张三", T0)
    register = register_from(RegisterInputs(
        annex_rows=ROWS, aliases={}, registry=Registry(schools=SCHOOLS, waters=WATERS), positions=[],
        inspections=[], rules=RULES, district_adcode=ADCODE, townships={"640302-S91": "金积镇"},
        township_bases=bases([given])))
    school = register.schools.loc["640302-S91"]
    assert (school["township"], school["township_label"]) == ("金积镇", "金积镇")
    assert school["township_basis"] == "管理员指定（张三，2026-12-02）"  # the day in 北京时间
    assert register.schools.loc["640302-S90", "township_basis"] == "校名前缀"  # unassigned: unchanged
    site = {s.site_id: s for s in sites(register)}["640302-S91-W91"]
    assert (site.township, site.township_label) == ("金积镇", "金积镇")
    unassigned = register_from(RegisterInputs(
        annex_rows=ROWS, aliases={}, registry=Registry(schools=SCHOOLS, waters=WATERS), positions=[],
        inspections=[], rules=RULES, district_adcode=ADCODE))
    assert unassigned.schools.loc["640302-S91", "township_label"] == "待确认"


# --- the store, on SQLite and PostgreSQL -----------------------------------------------------------------------------

def test_assignments_are_read_back_newest_first_with_their_history(store):
    assign(store, S01, "上桥镇", actor=ADMIN, schools=KNOWN, note="区教育局确认", now=T0)
    assign(store, "640302-S02", "孙家滩", actor=ADMIN, schools=KNOWN, now=T0 + timedelta(minutes=1))
    assign(store, S01, " 金积镇 ", actor=ADMIN, schools=KNOWN, now=T0 + timedelta(hours=1))
    now = current(store)
    assert {k: a.township for k, a in now.items()} == {S01: "金积镇", "640302-S02": "孙家滩"}
    assert now[S01].assigned_by == "张三" and now[S01].assigned_at == T0 + timedelta(hours=1)
    assert [(a.township, a.note) for a in history(store, school_id=S01)] == [("金积镇", ""), ("上桥镇", "区教育局确认")]
    assert len(history(store)) == 3
    assert read_snapshot(store).townships == now  # the register's read, in its one transaction
    entry = audit.entries(store)[0]
    assert entry.label == "指定学校乡镇" and entry.detail == f"{S01} → 金积镇" and entry.actor == "admin09"


def test_the_assignments_are_append_only(store):
    assign(store, S01, "上桥镇", actor=ADMIN, schools=KNOWN)
    for statement in ("UPDATE township_assignments SET township = '金积镇'", "DELETE FROM township_assignments"):
        with pytest.raises(DBAPIError), store.session() as session:
            session.execute(text(statement))
    assert current(store)[S01].township == "上桥镇"


@pytest.mark.parametrize(("school", "township", "refused"), [
    (S01, "上桥街道乡", "乡镇“上桥街道乡”不在利通区乡镇（街道）名单中"),
    (S01, "", "乡镇“”不在"),
    ("640302-S99", "金积镇", "学校“640302-S99”不存在"),
])
def test_a_bad_township_or_unknown_school_is_refused_in_chinese(store, school, township, refused):
    with pytest.raises(SettingsError, match=refused):
        assign(store, school, township, actor=ADMIN, schools=KNOWN)
    assert current(store) == {} and history(store) == []


@pytest.mark.parametrize("actor", [
    User(id=2, username="bq09", display_name="", role="patrol", township="板桥乡", active=True),
    User(id=3, username="look09", display_name="", role="viewer", township=None, active=True),
    User(id=4, username="admin10", display_name="", role="admin", township=None, active=False),
])
def test_only_an_active_admin_may_assign(store, actor):
    with pytest.raises(AuthError, match="只有管理员可以指定学校所属乡镇"):
        assign(store, S01, "金积镇", actor=actor, schools=KNOWN)
    assert current(store) == {}


def test_an_assigned_schools_sites_belong_to_that_townships_patrols(db_settings):
    store = open_store(db_settings)
    before = [s for s in sites(build_register(db_settings)) if s.site_id.startswith(S01)]
    assert len(before) == 5 and {s.township_label for s in before} == {"待确认"}
    assign(store, S01, "上桥镇", actor=ADMIN, schools={S01})
    register = build_register(db_settings)
    assert register.schools.loc[S01, "township_basis"].startswith("管理员指定（张三，")
    after = [s for s in sites(register) if s.site_id.startswith(S01)]
    assert {s.township for s in after} == {"上桥镇"}
    assert "上桥镇" in townships_for_sheets(register)  # it has a township sheet now
    own = add_user(store, "sq01", "shangqiao-pass-2026", "patrol", township="上桥镇")
    other = add_user(store, "bq01", "reed-bank-2026", "patrol", township="板桥乡")
    rules = patrol_rules(db_settings)
    done = submit(store, own, after[0], InspectionInput(APP_ANSWERS), target=None, rules=rules)
    assert done.township == "上桥镇"
    with pytest.raises(AuthError, match="无权为上桥镇的站点巡查记录（本账号属于板桥乡）"):
        submit(store, other, after[0], InspectionInput(APP_ANSWERS), target=None, rules=rules)
    assert [i.site_id for i in list_inspections(store, townships={"上桥镇"})] == [after[0].site_id]


# --- the app: 设置 · 学校所属乡镇, then the patrol's 巡查 page -------------------------------------------------------

def _opened(at) -> list[str]:
    return [b.key.removeprefix("patrol_open_") for b in at.button if b.key and b.key.startswith("patrol_open_")]


def test_an_admin_assigns_a_township_on_the_settings_page_and_its_patrol_sees_the_sites(app_settings, accounts):
    add_user(open_store(app_settings), "sq01", "shangqiao-pass-2026", "patrol", township="上桥镇")
    assert _opened(login("sq01", "shangqiao-pass-2026")) == []  # no school is in 上桥镇 yet
    at = login("admin01")
    run_page(at, "app_pages/settings.py")
    offered = at.selectbox(key="township_school").options
    assert offered[0].startswith("利通区第十一小学（640302-S01，乡镇：待确认）")  # 待确认 schools first
    assert sum("乡镇：待确认" in o for o in offered[:17]) == 17 and "待确认" not in offered[17]
    assert "尚有 17 所学校乡镇待确认" in "\n".join(c.value for c in at.caption)
    at.selectbox(key="township_choice_640302-S01").set_value("上桥镇")
    at.text_input(key="township_note_640302-S01").input("区教育局确认")
    at.button(key="township_save_640302-S01").click()
    run_page(at)
    assert "已将利通区第十一小学指定为上桥镇（指定人：王局）" in at.success[0].value
    assert "尚有 16 所学校乡镇待确认" in "\n".join(c.value for c in at.caption)
    log = at.dataframe[-1].value
    assert list(log.iloc[0][["学校", "乡镇", "指定人", "说明"]]) \
        == ["利通区第十一小学", "上桥镇", "王局", "区教育局确认"]
    patrol = login("sq01", "shangqiao-pass-2026")
    opened = _opened(patrol)
    assert len(opened) == 5 and all(site.startswith("640302-S01-") for site in opened)
