"""责任人: a named unit, person and phone for every site's 属地乡镇 and 村（社区）, every school's safety lead
and every water body's managing unit (entered once for a shared canal); kept append-only with history,
imported and exported as CSV/XLSX (all or nothing, every bad row named) and printed on the notices."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from school_water_map.domain.owners import SCHOOL, TOWNSHIP, VILLAGE, WATER, Owner, Subjects, check_owner, key
from school_water_map.domain.sites import sites
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, OwnersFileError, SettingsError
from school_water_map.io.owners_file import read_owners
from school_water_map.notices.config import PLACEHOLDER, Contact, NoticeConfig
from school_water_map.notices.context import school_letter, site_notice, township_sheet
from school_water_map.notices.render import NoticeRenderer
from school_water_map.outputs.owners_table import owners_table
from school_water_map.outputs.spreadsheet import csv_bytes, xlsx_bytes
from school_water_map.pipeline.notices import load_config
from school_water_map.pipeline.register import build_register
from school_water_map.store import audit
from school_water_map.store.database import open_store
from school_water_map.store.owners import current, history, set_owners
from tests.app_support import login, run_page
from tests.notice_tools import need_poppler, pdf_text, squash

ROW83 = "640302-S37-W47"  # 板桥波浪渠小学 — 波浪渠
SCHOOL37, BOLANG = "640302-S37", "640302-W47"
ADMIN = User(id=1, username="admin09", display_name="张三", role="admin", township=None, active=True)
VIEWER = User(id=2, username="viewer01", display_name="李四", role="viewer", township=None, active=True)
T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def subjects(register) -> Subjects:
    all_sites = sites(register)
    return Subjects(sites={s.site_id for s in all_sites}, schools={s.school_id for s in all_sites},
                    waters={s.water_id for s in all_sites})


# --- the values and their checks ------------------------------------------------------------------------------------

def test_an_owner_is_stripped_and_its_phone_normalised(subjects):
    owner = check_owner(TOWNSHIP, f" {ROW83} ", " 板桥乡人民政府 ", "马某某", "139 1234 5678", subjects)
    assert (owner.subject_id, owner.unit, owner.person) == (ROW83, "板桥乡人民政府", "马某某")
    assert owner.phone == "13912345678"
    assert check_owner(WATER, BOLANG, "秦汉渠管理处", "", "0953-2021234", subjects).phone == "0953-2021234"


@pytest.mark.parametrize(("role", "subject", "phone", "message"), [
    (TOWNSHIP, ROW83, "12345", "属地乡镇·电话“12345”无效：应为手机号"),
    (TOWNSHIP, ROW83, "9531234567", "带区号的固定电话"),
    (SCHOOL, ROW83, "", "学校编号“640302-S37-W47”不存在"),  # a site id is not a school
    (WATER, "640302-W999", "", "水体编号“640302-W999”不存在"),
    ("mayor", ROW83, "", "类别“mayor”无效"),
])
def test_a_bad_owner_is_refused_naming_the_field_and_value(subjects, role, subject, phone, message):
    with pytest.raises(SettingsError, match=message):
        check_owner(role, subject, "单位", "某人", phone, subjects, where="第 3 行")


# --- the store, on SQLite and PostgreSQL ----------------------------------------------------------------------------

def test_changes_are_kept_newest_first_and_only_real_changes_are_written(store):
    first = [Owner(TOWNSHIP, ROW83, "板桥乡人民政府", "马某某", "13912345678"), Owner(WATER, BOLANG, "秦汉渠管理处")]
    assert len(set_owners(store, first, actor=ADMIN, note="包保分工", now=T0)) == 2
    again = set_owners(store, [*first, Owner(TOWNSHIP, ROW83, "板桥乡人民政府", "丁某", "13912345678")], actor=ADMIN)
    assert [(o.role, o.person) for o in again] == [(TOWNSHIP, "丁某")]  # the unchanged two are not written again
    now = current(store)
    assert now[key(TOWNSHIP, ROW83)].person == "丁某" and now[key(WATER, BOLANG)].unit == "秦汉渠管理处"
    assert [o.person for o in history(store) if o.role == TOWNSHIP] == ["丁某", "马某某"]
    assert history(store)[-1].changed_by == "张三" and history(store)[-1].note == "包保分工"
    assert audit.entries(store)[0].label == "修改责任人"


def test_an_empty_owner_clears_the_role_and_keeps_the_history(store):
    set_owners(store, [Owner(VILLAGE, ROW83, "波浪渠村委会", "王某", "13800000000")], actor=ADMIN)
    set_owners(store, [Owner(VILLAGE, ROW83)], actor=ADMIN)
    assert current(store)[key(VILLAGE, ROW83)].empty
    assert len(history(store)) == 2


def test_only_an_admin_changes_owners_and_a_refusal_writes_nothing(store):
    with pytest.raises(AuthError, match="只有管理员可以修改责任人"):
        set_owners(store, [Owner(TOWNSHIP, ROW83, "某单位")], actor=VIEWER)
    assert current(store) == {} and history(store) == []


def test_the_owners_history_is_append_only(store):
    set_owners(store, [Owner(TOWNSHIP, ROW83, "板桥乡人民政府")], actor=ADMIN)
    for statement in ("UPDATE owners SET person = 'x'", "DELETE FROM owners"):
        with pytest.raises(DBAPIError), store.session() as session:
            session.execute(text(statement))
    assert current(store)[key(TOWNSHIP, ROW83)].unit == "板桥乡人民政府"


def test_a_changed_owner_changes_the_stores_data_version(store):
    before = store.version()
    set_owners(store, [Owner(SCHOOL, SCHOOL37, "板桥波浪渠小学", "周某", "13900000000")], actor=ADMIN)
    assert store.version() != before  # the app's cached notices are rebuilt


# --- the table: download, fill in, upload ---------------------------------------------------------------------------

def test_the_table_lists_every_role_once_and_a_shared_water_once(register):
    all_sites = sites(register)
    table = owners_table(all_sites, {key(WATER, BOLANG): Owner(WATER, BOLANG, "秦汉渠管理处", "赵某", "0953-2021234")})
    schools, waters = {s.school_id for s in all_sites}, {s.water_id for s in all_sites}
    assert len(table) == 2 * len(all_sites) + len(schools) + len(waters)
    water = table[(table["类别"] == "水体管理单位") & (table["编号"] == BOLANG)]
    assert len(water) == 1 and water.iloc[0]["单位"] == "秦汉渠管理处" and water.iloc[0]["名称"].startswith("波浪渠")
    site = table[(table["类别"] == "属地乡镇") & (table["编号"] == ROW83)]
    assert "板桥波浪渠小学—波浪渠" in site.iloc[0]["名称"] and site.iloc[0]["责任人"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_filled_in_download_comes_back_as_owners(register, subjects, fmt):
    table = owners_table(sites(register), {})
    row = (table["类别"] == "属地乡镇") & (table["编号"] == ROW83)
    table.loc[row, ["单位", "责任人", "电话"]] = ["板桥乡人民政府", "马某某", "13912345678"]
    data = csv_bytes(table) if fmt == "csv" else xlsx_bytes({"责任人": table})
    owners = read_owners(data, f"责任人.{fmt}", subjects)
    named = [o for o in owners if not o.empty]
    assert [(o.role, o.subject_id, o.person, o.phone) for o in named] == [(TOWNSHIP, ROW83, "马某某", "13912345678")]
    assert len(owners) == len(table)  # every row is read: an empty one clears a role that was named


def test_a_bad_file_names_every_bad_row_and_nothing_is_saved(store, subjects):
    held = set_owners(store, [Owner(TOWNSHIP, ROW83, "板桥乡人民政府", "马某某", "13912345678")], actor=ADMIN)
    csv = ("类别,编号,名称,单位,责任人,电话\n"
           f"属地乡镇,{ROW83},,板桥乡人民政府,丁某,13900000000\n"
           f"水体管理单位,{BOLANG},,秦汉渠管理处,赵某,95312\n"
           "学校安全负责人,640302-S999,,某校,某人,\n"
           f"属地乡镇,{ROW83},,重复,某人,\n"
           "区长,x,,,,\n").encode()
    with pytest.raises(OwnersFileError) as caught:
        read_owners(csv, "责任人.csv", subjects)
    problems = caught.value.problems
    assert [p.split("：")[0] for p in problems] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert "“95312”无效" in problems[0] and "“640302-S999”不存在" in problems[1]
    assert "与第 2 行重复" in problems[2] and "类别“区长”无效" in problems[3]
    assert "所有责任人均未修改" in str(caught.value)
    assert current(store)[key(TOWNSHIP, ROW83)].person == "马某某" and len(history(store)) == len(held)


def test_a_file_without_the_columns_is_refused(subjects):
    with pytest.raises(OwnersFileError, match="缺少列：电话"):
        read_owners("类别,编号,单位,责任人\n".encode(), "x.csv", subjects)
    book = openpyxl.Workbook()
    book.active.append(["类别", "编号", "单位", "责任人", "电话"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(OwnersFileError, match="没有数据行"):
        read_owners(buffer.getvalue(), "x.xlsx", subjects)


# --- the notices print them -----------------------------------------------------------------------------------------

def _config() -> NoticeConfig:
    return NoticeConfig(
        townships={"板桥乡": Contact(unit="板桥乡人民政府", person="乡联系人", phone="0953-5551234")},
        owners={key(TOWNSHIP, ROW83): Owner(TOWNSHIP, ROW83, "", "马某某", "13912345678"),
                key(VILLAGE, ROW83): Owner(VILLAGE, ROW83, "波浪渠村委会", "王某", "13800000000"),
                key(SCHOOL, SCHOOL37): Owner(SCHOOL, SCHOOL37, "板桥波浪渠小学", "周某", "13900000000"),
                key(WATER, BOLANG): Owner(WATER, BOLANG, "秦汉渠管理处", "赵某", "0953-2021234")})


def test_the_sign_names_the_sites_own_person_over_the_townships_contact(register):
    notice = site_notice(register, _config(), ROW83, today=TODAY, base_url="")
    # the site names its own person and phone; the unit, left empty, is the township's
    assert notice.contact == Contact(unit="板桥乡人民政府", person="马某某", phone="13912345678")
    assert [(o.role, o.person) for o in notice.others] == [("村（社区）", "王某"), ("水体管理单位", "赵某")]
    other = next(s for s in sites(register) if s.township == "板桥乡" and s.site_id != ROW83 and s.water_id != BOLANG)
    plain = site_notice(register, _config(), other.site_id, today=TODAY, base_url="")
    assert plain.contact.person == "乡联系人" and plain.others == ()  # nobody named for it: the township's contact


def test_a_shared_waters_manager_reaches_every_site_on_it(register):
    all_sites = sites(register)
    counts = Counter(s.water_id for s in all_sites)
    water, shared = counts.most_common(1)[0]  # 秦渠 and the like: several schools' sites on one water body
    assert shared >= 3
    config = NoticeConfig(owners={key(WATER, water): Owner(WATER, water, "秦汉渠管理处", "赵某", "0953-2021234")})
    for site in (s for s in all_sites if s.water_id == water):
        notice = site_notice(register, config, site.site_id, today=TODAY, base_url="")
        assert [(o.role, o.unit, o.person) for o in notice.others] == [("水体管理单位", "秦汉渠管理处", "赵某")]


def test_the_letter_and_the_sheet_carry_the_owners(register):
    letter = school_letter(register, _config(), "板桥波浪渠小学", today=TODAY)
    assert letter.school_safety is not None and letter.school_safety.person == "周某"
    bolang = next(w for w in letter.waters if w.canonical == "波浪渠")
    assert [o.role for o in bolang.responsible] == ["属地乡镇", "村（社区）", "水体管理单位"]
    sheet = township_sheet(register, _config(), "板桥乡", today=TODAY)
    row = next(r for r in sheet.rows if r.site_id == ROW83)
    assert "马某某" in [o.person for o in row.responsible]


def test_the_printed_sign_and_letter_show_names_and_phones_and_no_placeholder(register, tmp_path):
    need_poppler()
    renderer = NoticeRenderer()
    config = _config()
    sign = tmp_path / "sign.pdf"
    sign.write_bytes(renderer.site_notice(site_notice(register, config, ROW83, today=TODAY,
                                                      base_url="https://swmap.example.cn")))
    flat = squash(pdf_text(sign))
    for expected in ("责任单位板桥乡人民政府", "责任人马某某", "监督电话13912345678", "秦汉渠管理处", "0953-2021234"):
        assert expected in flat, expected
    assert PLACEHOLDER not in flat
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(renderer.school_letter(school_letter(register, config, "板桥波浪渠小学", today=TODAY)))
    flat = squash(pdf_text(letter))
    assert "学校安全负责人周某" in flat and "13900000000" in flat and "王某" in flat
    assert PLACEHOLDER not in flat


def test_the_apps_notices_read_the_owners_from_the_store(settings):
    store = open_store(settings)
    set_owners(store, [Owner(TOWNSHIP, ROW83, "板桥乡人民政府", "马某某", "13912345678")], actor=ADMIN)
    assert load_config(settings).owners[key(TOWNSHIP, ROW83)].person == "马某某"


# --- the 责任人 page ------------------------------------------------------------------------------------------------

OWNERS_PAGE = "app_pages/owners.py"


def _fill(at, role: str, site: str, unit: str, person: str, phone: str, version: int = 0) -> None:
    for part, value in (("unit", unit), ("person", person), ("phone", phone)):
        at.text_input(key=f"owner_{role}_{part}_{site}_{version}").input(value)


def test_an_admin_names_a_sites_owners_on_the_page_then_a_second_site_starts_empty(app_settings, accounts):
    at = login("admin01")
    run_page(at, OWNERS_PAGE)
    at.selectbox(key="owners_site").set_value(ROW83)
    run_page(at)
    _fill(at, TOWNSHIP, ROW83, "", "马某某", "139 1234 5678")
    _fill(at, WATER, ROW83, "秦汉渠管理处", "赵某", "0953-2021234")
    at.button(key=f"owners_save_{ROW83}_0").click()
    run_page(at)
    assert "已保存 2 项责任人" in at.success[0].value
    held = current(open_store(app_settings))
    assert held[key(TOWNSHIP, ROW83)].phone == "13912345678" and held[key(WATER, BOLANG)].person == "赵某"
    assert held[key(TOWNSHIP, ROW83)].changed_by == "王局"
    # the same site shows what was saved; the next site starts empty, nothing carried over from the first
    assert at.text_input(key=f"owner_{TOWNSHIP}_person_{ROW83}_1").value == "马某某"
    other = next(s for s in sites(build_register(app_settings)) if s.township == "板桥乡" and s.water_id != BOLANG)
    at.selectbox(key="owners_site").set_value(other.site_id)
    run_page(at)
    assert [at.text_input(key=f"owner_{role}_{part}_{other.site_id}_1").value
            for role in (TOWNSHIP, WATER) for part in ("unit", "person", "phone")] == [""] * 6
    _fill(at, TOWNSHIP, other.site_id, "", "丁某", "13900000001", version=1)
    at.button(key=f"owners_save_{other.site_id}_1").click()
    run_page(at)
    assert "已保存 1 项责任人" in at.success[0].value
    held = current(open_store(app_settings))
    assert held[key(TOWNSHIP, other.site_id)].person == "丁某" and held[key(TOWNSHIP, ROW83)].person == "马某某"


def test_a_bad_phone_on_the_page_saves_nothing_and_says_which(app_settings, accounts):
    at = login("admin01")
    run_page(at, OWNERS_PAGE)
    at.selectbox(key="owners_site").set_value(ROW83)
    run_page(at)
    _fill(at, VILLAGE, ROW83, "波浪渠村委会", "王某", "13800000000")
    _fill(at, SCHOOL, ROW83, "板桥波浪渠小学", "周某", "12")
    at.button(key=f"owners_save_{ROW83}_0").click()
    run_page(at)
    assert "未保存" in at.error[0].value and "学校安全负责人·电话“12”无效" in at.error[0].value
    assert current(open_store(app_settings)) == {}  # the good village row was not saved either


def test_a_viewer_reads_and_downloads_but_has_no_form(app_settings, accounts):
    set_owners(open_store(app_settings), [Owner(TOWNSHIP, ROW83, "板桥乡人民政府", "马某某", "13912345678")],
               actor=ADMIN)
    at = login("look01")
    run_page(at, OWNERS_PAGE)
    assert not [s for s in at.selectbox if s.key == "owners_site"]
    assert at.dataframe[0].value.iloc[0]["责任人"] == "马某某"
    assert [b.proto.label for b in at.get("download_button")] == ["下载责任人表（CSV）", "下载责任人表（Excel）"]


def test_a_patrol_has_no_owners_page(app_settings, accounts):
    at = login("bq01")
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered for a patrol
        at.switch_page(OWNERS_PAGE)
