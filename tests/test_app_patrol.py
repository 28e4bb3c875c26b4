"""Accounts and patrols in the app (AppTest): login, township scoping, the 巡查 checklist with photo,
GPS and server-side draft, corrections, 巡查概况 and 账号管理. The existing open mode is
tests/test_app.py's."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from school_water_map.domain.inspections import DevicePosition, InspectionInput
from school_water_map.domain.patrol import patrol_rules
from school_water_map.domain.sites import find_site, site_geometry, sites
from school_water_map.pipeline.register import build_register
from school_water_map.store.accounts import disable_user, get_user, list_users
from school_water_map.store.database import open_store
from school_water_map.store.inspections import list_inspections, load_draft, submit
from tests.app_support import MAP_TITLE, login, new_app, run_page, shown, shown_map, texts
from tests.helpers import APP_ANSWERS, ROW_83
from tests.placing import place

BANQIAO = [ROW_83, "640302-S36-W01", "640302-S38-W48", "640302-S38-W49"]
JINJI_SITE = "640302-S40-W50"  # 金积镇 (another township)
W47 = (106.2500, 37.9500)  # where the tests place 波浪渠 (not its real position)


def _key(site: str, name: str) -> str:
    return f"insp_{site}_{name}"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _answer(at: AppTest, site: str, answers: dict[str, str]) -> AppTest:
    for code, value in answers.items():
        at.button_group(key=_key(site, code)).set_value(value)
        run_page(at)
    return at


@pytest.fixture
def gps_answer(monkeypatch) -> dict:
    """What the browser answers to a position request (AppTest cannot run the geolocation component)."""
    from app_pages.parts import gps

    answer: dict = {"coords": {"longitude": W47[0] + 0.0005, "latitude": W47[1], "accuracy": 6.0}}
    monkeypatch.setattr(gps, "request_position", lambda **_key: dict(answer))
    return answer


# -- open mode and login ---------------------------------------------------------------------------------------------

def test_without_accounts_the_app_stays_open_and_says_how_to_turn_logins_on(app_settings):
    at = run_page(new_app())
    assert at.title[0].value == "学校周边危险水域地图"
    assert "尚未创建账号：任何人都可查看和定位" in texts(at.caption)
    assert "swmap user add 用户名 --role admin" in texts(at.caption)
    assert "logout" not in [b.key for b in at.button]


def test_once_an_account_exists_every_page_needs_a_login(app_settings, accounts):
    for page in (None, "app_pages/register.py", "app_pages/locate.py"):
        at = run_page(new_app(), page)
        assert [t.value for t in at.title] == ["登录"], page
        assert not at.dataframe and "尚未创建账号" not in texts(at.caption)


@pytest.mark.parametrize(("username", "password", "message"), [
    ("bq01", "wrong-password", "用户名或密码错误"),
    ("nobody", "whatever-123", "用户名或密码错误"),
])
def test_a_bad_login_is_refused_in_chinese(app_settings, accounts, username, password, message):
    at = login(username, password)
    assert at.title[0].value == "登录" and message in at.error[0].value
    assert "user" not in at.session_state


def test_a_disabled_account_cannot_log_in_and_is_signed_out_at_once(app_settings, accounts):
    at = login("bq01")
    assert at.title[0].value == "巡查"
    disable_user(open_store(app_settings), "bq01")
    run_page(at)
    assert at.title[0].value == "登录"  # the session's account was re-read from the store
    at = login("bq01")
    assert "该账号已停用" in at.error[0].value


def test_logging_out_returns_to_the_login(app_settings, accounts):
    at = login("admin01")
    assert at.title[0].value == "学校周边危险水域地图" and "王局（管理员）" in texts(at.caption)
    at.button(key="logout").click()
    run_page(at)
    assert at.title[0].value == "登录"


# -- township scoping ------------------------------------------------------------------------------------------------

def _map_script(at: AppTest) -> str:
    frames = [shown_map(at)] if any(f.proto.alt == MAP_TITLE for f in at.get("iframe")) else []  # the 地图 page
    return frames[0] if frames else next(json.loads(c.proto.json_args)["script"] for c in at.get("component_instance")
                                         if "st_folium" in c.proto.component_name)


def test_a_patrol_sees_only_its_township_on_every_page(app_settings, accounts):
    place(app_settings, "640302-W47", *W47)
    place(app_settings, "640302-W50", 106.20, 37.98)  # 马莲渠, 金积镇's water: not on a 板桥乡 map
    at = login("bq01")
    assert at.title[0].value == "巡查"  # its first page
    run_page(at, "app_pages/register.py")
    table = at.dataframe[0].value
    assert list(table["序号"]) == [83, 82, 84, 85] and set(table["乡镇"]) == {"板桥乡"}
    assert at.selectbox(key="register_township").options == ["全部乡镇", "板桥乡"]
    run_page(at, "app_pages/map.py")
    assert "已定位 0/3 所学校" in at.warning[0].value  # 板桥乡's three schools
    assert "波浪渠" in _map_script(at) and "马莲渠" not in _map_script(at)
    assert "打印警示告示" not in _map_script(at)  # the 告知书 page lists every township: not a patrol's page
    run_page(at, "app_pages/locate.py")
    offered = at.selectbox(key="locate_entity").options  # its schools and water, not the shared 秦渠
    assert len(offered) == 6 and all("板桥" in o or "湖" in o or "波浪渠" in o for o in offered), offered
    assert at.text_input(key="author").value == "李巡查" and at.text_input(key="author").disabled
    for page in ("app_pages/coverage.py", "app_pages/users.py"):  # not a patrol's pages
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_a_patrol_cannot_open_another_townships_site(app_settings, accounts):
    at = login("bq01", site=JINJI_SITE)
    assert at.title[0].value == "巡查"
    assert "属于金积镇，本账号（板桥乡）无权查看" in at.error[0].value
    assert not [b for b in at.button if b.key and b.key.endswith("_submit")]


def test_a_viewer_reads_but_does_not_write(app_settings, accounts):
    at = login("look01", site=ROW_83)
    assert at.title[0].value == "巡查" and at.subheader[0].value == "波浪渠（板桥波浪渠小学）"
    assert "只能查看" in at.info[0].value and not at.button_group
    for page in ("app_pages/locate.py", "app_pages/users.py"):  # not a viewer's pages
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    at.query_params.clear()
    run_page(at, "app_pages/map.py")
    assert "已定位 0/40 所学校，1/51 处水体。尚有 40 所学校未定位" in at.warning[0].value
    assert not at.get("page_link")  # no 去定位
    run_page(at, "app_pages/coverage.py")
    assert at.title[0].value == "巡查概况"


def test_without_accounts_a_qr_code_shows_the_site_read_only(app_settings):
    at = run_page(new_app(site=ROW_83))
    assert at.title[0].value == "巡查" and at.subheader[0].value == "波浪渠（板桥波浪渠小学）"
    assert "尚未创建账号" in at.info[0].value and not at.button_group
    assert "该站点尚无巡查记录" in texts(at.caption)


# -- the patrol list and checklist -----------------------------------------------------------------------------------

def test_the_patrol_list_of_banqiao_is_riskiest_first(app_settings, accounts):
    at = login("bq01")
    opened = [b.key.removeprefix("patrol_open_") for b in at.button if b.key and b.key.startswith("patrol_open_")]
    assert opened == BANQIAO
    assert "今日待巡查 4 处，共 4 处站点" in texts(at.caption)
    assert "从未巡查" in texts(at.markdown) and "风险 高" in texts(at.markdown)


def test_an_admin_chooses_the_township_to_patrol(app_settings, accounts):
    at = login("admin01")
    run_page(at, "app_pages/patrol.py")
    opened = [b.key for b in at.button if b.key and b.key.startswith("patrol_open_")]
    assert len(opened) == len(sites(build_register(app_settings)))  # 全部乡镇: every site is due
    at.selectbox(key="patrol_township").set_value("板桥乡")
    run_page(at)
    assert [b.key.removeprefix("patrol_open_") for b in at.button if b.key and b.key.startswith("patrol_open_")] \
        == BANQIAO


def test_a_qr_code_address_opens_the_site_after_login(app_settings, accounts):
    at = login("admin01", site=ROW_83)  # an admin's first page is the map: the site's address wins
    assert at.title[0].value == "巡查" and at.subheader[0].value == "波浪渠（板桥波浪渠小学）"
    assert "上报风险 高" in texts(at.markdown) and "尚无巡查记录" in texts(at.markdown)


def test_a_checklist_with_photo_and_gps_is_submitted_and_changes_the_residual_risk(app_settings, accounts,
                                                                                     gps_answer):
    place(app_settings, "640302-W47", *W47)
    at = login("bq01")
    at.button(key=f"patrol_open_{ROW_83}").click()
    run_page(at)
    assert at.query_params["site"] == ROW_83
    _answer(at, ROW_83, APP_ANSWERS)
    at.text_area(key=_key(ROW_83, "problems")).input("救生圈缺失")
    at.text_area(key=_key(ROW_83, "action_taken")).input("已报乡镇补齐")
    run_page(at)
    at.file_uploader(key=_key(ROW_83, "upload_0")).upload("现场.png", _png(), "image/png")
    run_page(at)
    assert not at.error
    at.button(key=_key(ROW_83, "gps_button")).click()
    run_page(at)
    assert "距站点约 44 米，在现场" in at.success[0].value
    at.button(key=_key(ROW_83, "submit")).click()
    run_page(at)
    (done,) = list_inspections(open_store(app_settings))
    assert (done.site_id, done.inspector, done.presence, done.answers) == (ROW_83, "李巡查", "at_site", APP_ANSWERS)
    assert done.distance_to_site_m == pytest.approx(44, abs=2) and done.gps_accuracy_m == 6.0
    assert (done.problems, done.action_taken) == ("救生圈缺失", "已报乡镇补齐")
    photo = Image.open(app_settings.data_dir / done.photo)
    assert photo.format == "JPEG" and max(photo.size) == 1600  # re-encoded and size-limited
    assert "已提交巡查记录 #1" in at.success[0].value and "在现场（距站点 44 米" in at.success[0].value
    assert load_draft(open_store(app_settings), accounts["bq01"], ROW_83) is None  # cleared by submitting
    pair = build_register(app_settings).pairs.set_index("site_id").loc[ROW_83]
    assert pair["residual_basis"].startswith("巡查 #1（") and pair["residual_rank"] >= pair["risk_rank"]
    at.button(key="patrol_back").click()
    run_page(at)
    opened = [b.key.removeprefix("patrol_open_") for b in at.button if b.key and b.key.startswith("patrol_open_")]
    assert opened == BANQIAO[1:]  # done for today
    assert "已按期巡查的站点（1）" in [e.label for e in at.expander]


def test_an_incomplete_checklist_or_a_bad_photo_writes_nothing(app_settings, accounts):
    at = login("bq01", site=ROW_83)
    _answer(at, ROW_83, {"warning_sign": "ok"})
    at.file_uploader(key=_key(ROW_83, "upload_0")).upload("notes.txt", "不是图片".encode(), "text/plain")
    run_page(at)
    assert "照片未采用：上传的文件不是可识别的图片" in at.error[0].value
    at.button(key=_key(ROW_83, "submit")).click()
    run_page(at)
    assert "未提交：请填写“隔离带/防护栏”" in shown(texts(at.error))
    assert list_inspections(open_store(app_settings)) == []


def test_a_refused_position_is_explained_in_chinese(app_settings, accounts, gps_answer):
    gps_answer.clear()
    gps_answer["error"] = {"code": 1, "message": "denied"}
    at = login("bq01", site=ROW_83)
    at.button(key=_key(ROW_83, "gps_button")).click()
    run_page(at)
    assert "没有获得位置：已拒绝定位权限" in at.warning[0].value
    assert "尚未获取位置" in texts(at.caption)


def test_half_filled_work_survives_a_new_session(app_settings, accounts, gps_answer):
    at = login("bq01", site=ROW_83)
    _answer(at, ROW_83, {"warning_sign": "damaged", "fence": "missing"})
    at.text_area(key=_key(ROW_83, "problems")).input("护栏缺口约 3 米")
    run_page(at)
    at.file_uploader(key=_key(ROW_83, "upload_0")).upload("p.png", _png(), "image/png")
    run_page(at)
    at.button(key=_key(ROW_83, "gps_button")).click()
    run_page(at)

    again = login("bq01", site=ROW_83)  # a reload: a new session, logged in again
    assert "已恢复上次未提交的巡查内容" in again.info[0].value
    assert again.button_group(key=_key(ROW_83, "warning_sign")).value == "damaged"
    assert again.button_group(key=_key(ROW_83, "fence")).value == "missing"
    assert again.button_group(key=_key(ROW_83, "rescue_kit")).value is None
    assert again.text_area(key=_key(ROW_83, "problems")).value == "护栏缺口约 3 米"
    assert again.session_state[_key(ROW_83, "photo")] and again.button(key=_key(ROW_83, "photo_drop"))
    assert again.session_state[_key(ROW_83, "gps")]["accuracy"] == 6.0
    _answer(again, ROW_83, {"rescue_kit": "ok", "water_state": "high", "minors": "dissuaded"})
    again.button(key=_key(ROW_83, "submit")).click()
    run_page(again)
    (done,) = list_inspections(open_store(app_settings))
    assert done.answers["fence"] == "missing" and done.problems == "护栏缺口约 3 米" and done.photo
    assert done.presence == "site_unplaced" and done.gps_lon is not None  # 波浪渠 is not placed in this test


def test_a_correction_is_a_new_record_pointing_to_the_old_one(app_settings, accounts):
    store = open_store(app_settings)
    register = build_register(app_settings)
    site = find_site(sites(register), ROW_83)
    first = submit(store, accounts["bq01"], site, InspectionInput(APP_ANSWERS, problems="写错了"),
                   target=site_geometry(register, site), rules=patrol_rules(app_settings))
    at = login("bq01", site=ROW_83)
    at.button(key=f"patrol_correct_{first.id}").click()
    run_page(at)
    assert f"正在更正巡查记录 #{first.id}" in at.info[0].value
    assert at.button_group(key=_key(ROW_83, "rescue_kit")).value == "partial"  # pre-filled from the old record
    assert at.text_area(key=_key(ROW_83, "problems")).value == "写错了"
    at.text_area(key=_key(ROW_83, "problems")).input("护栏正常")
    run_page(at)
    at.button(key=_key(ROW_83, "submit")).click()
    run_page(at)
    old, new = list_inspections(store)
    assert (old.id, old.problems) == (first.id, "写错了")  # kept as it was
    assert (new.corrects_id, new.problems) == (first.id, "护栏正常")
    assert f"已被 #{new.id} 更正" in texts(at.markdown)
    assert f"patrol_correct_{first.id}" not in [b.key for b in at.button]


# -- 巡查概况 and 账号管理 ---------------------------------------------------------------------------------------------

def test_coverage_counts_inspections_per_township(app_settings, accounts):
    store = open_store(app_settings)
    register = build_register(app_settings)
    all_sites = sites(register)
    rules = patrol_rules(app_settings)
    site = find_site(all_sites, ROW_83)
    submit(store, accounts["bq01"], site, InspectionInput(APP_ANSWERS), target=site_geometry(register, site),
           rules=rules)
    away = find_site(all_sites, "640302-S36-W01")
    place(app_settings, "640302-W01", 106.20, 37.98)
    register = build_register(app_settings)
    submit(store, accounts["bq01"], away, InspectionInput({**APP_ANSWERS, "rescue_kit": "ok"}),
           target=site_geometry(register, away), rules=rules, device=DevicePosition(106.25, 37.95, 5.0))
    at = login("admin01")
    run_page(at, "app_pages/coverage.py")
    assert at.title[0].value == "巡查概况"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["从未巡查"] == str(len(all_sites) - 2) and metrics["逾期站点"] == "0"
    assert metrics["未解决的问题"] == "1" and metrics["不在现场的巡查"] == "1"
    assert metrics["无定位的巡查"] == "1"  # ROW_83 was submitted without a position
    assert metrics["按期巡查率"] == f"{2 / len(all_sites):.0%}"
    towns = at.dataframe[0].value.set_index("乡镇")
    assert (towns.loc["板桥乡", "站点数"], towns.loc["板桥乡", "按期巡查"]) == (4, 2)
    assert towns.loc["板桥乡", "覆盖率"] == pytest.approx(0.5)
    labels = [b.label for b in at.get("download_button")]
    assert labels[0] == "下载 Excel（XLSX，5 张表）" and "下载“各乡镇” CSV" in labels


def test_coverage_on_day_one_reports_every_site_never_inspected_and_none_overdue(app_settings, accounts):
    all_sites = sites(build_register(app_settings))
    at = login("admin01")
    run_page(at, "app_pages/coverage.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["从未巡查"] == str(len(all_sites)) and metrics["逾期站点"] == "0"
    assert metrics["不在现场的巡查"] == "0" and metrics["无定位的巡查"] == "0" and metrics["按期巡查率"] == "0%"
    assert all(m.proto.delta == "" for m in at.metric)  # plain counts carry no trend arrow
    towns = at.dataframe[0].value.set_index("乡镇")
    assert towns.loc["合计", "从未巡查"] == len(all_sites) and towns["逾期"].sum() == 0
    assert towns.loc["合计", "站点数"] == towns.drop(index="合计")["站点数"].sum()


def test_an_admin_adds_disables_and_resets_accounts(app_settings, accounts):
    at = login("admin01")
    run_page(at, "app_pages/users.py")
    assert at.title[0].value == "账号管理"
    assert list(at.dataframe[0].value["用户名"]) == ["admin01", "bq01", "look01", "jj01"]
    at.text_input(key="user_add_name_0").input("gc01")
    at.text_input(key="user_add_display_0").input("古城巡查")
    at.selectbox(key="user_add_role_0").set_value("patrol")
    at.text_input(key="user_add_password_0").input("gucheng-pass-1")
    at.text_input(key="user_add_again_0").input("gucheng-pass-1")
    at.button(key="user_add_submit_0").click()
    run_page(at)
    assert "未新增：乡镇巡查员必须指定所属乡镇" in at.error[0].value  # the package's rule, in Chinese
    at.selectbox(key="user_add_township_0").set_value("古城镇")
    at.button(key="user_add_submit_0").click()
    run_page(at)
    assert "已新增账号 gc01" in at.success[0].value
    assert get_user(open_store(app_settings), "gc01").township == "古城镇"
    assert at.button(key="user_disable").disabled  # not one's own account (admin01 comes first)
    at.selectbox(key="user_manage_name").set_value("bq01")
    run_page(at)
    at.button(key="user_disable").click()
    run_page(at)
    assert not get_user(open_store(app_settings), "bq01").active
    assert "已停用" in set(at.dataframe[0].value["状态"])
    at.selectbox(key="user_manage_name").set_value("look01")
    at.text_input(key="user_manage_password").input("short")
    at.button(key="user_reset").click()
    run_page(at)
    assert "密码至少 10 位" in at.error[0].value
    at.text_input(key="user_manage_password").input("viewer-new-pass")
    at.button(key="user_reset").click()
    run_page(at)
    assert login("look01", "viewer-new-pass").title[0].value == "学校周边危险水域地图"
    assert [u.username for u in list_users(open_store(app_settings)) if u.active] == ["admin01", "look01", "jj01",
                                                                                      "gc01"]
