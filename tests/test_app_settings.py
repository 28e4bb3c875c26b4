"""设置: settings kept in the database with their history, under the environment's deploy-time overrides,
followed by the QR codes, patrol rules and notice contacts; the page for 管理员 only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from school_water_map.domain.app_settings import contact_key, mask, overlay, validate
from school_water_map.domain.patrol import patrol_rules
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, SettingsError
from school_water_map.notices import render as render_module
from school_water_map.pipeline.app_settings import effective_settings
from school_water_map.pipeline.notices import load_config, site_pdf_bytes
from school_water_map.settings import Settings
from school_water_map.store import audit
from school_water_map.store.app_settings import current, history, set_values
from school_water_map.store.database import open_store
from tests.app_support import login, run_page, shown
from tests.notice_tools import need_poppler, pdf_text, squash

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SETTINGS_PAGE = "app_pages/settings.py"
KEY = "0123456789abcdef0123456789abcdef"
ROW_83 = "640302-S37-W47"  # 板桥波浪渠小学 – 波浪渠, 板桥乡


def _user(role: str, *, active: bool = True) -> User:
    return User(id=9, username=f"{role}09", display_name="", role=role, township="板桥乡" if role == "patrol" else None,
                active=active)


# --- the store: values, history, refusals (SQLite and PostgreSQL) ---------------------------------------------------

def test_values_are_set_and_read_back_with_their_history(store):
    admin = _user("admin")
    done = set_values(store, {"app_base_url": " https://swmap.example.cn/ ", "tianditu_key": KEY,
                              "patrol_cycle_days": "5"}, actor=admin, now=T0)
    assert sorted(done) == ["app_base_url", "patrol_cycle_days", "tianditu_key"]
    assert current(store) == {"app_base_url": "https://swmap.example.cn", "tianditu_key": KEY,
                              "patrol_cycle_days": "5"}
    assert set_values(store, {"patrol_cycle_days": "5"}, actor=admin) == []  # unchanged: no new row
    set_values(store, {"patrol_cycle_days": "10", "tianditu_key": ""}, actor="命令行", now=T0 + timedelta(hours=1))
    assert current(store) == {"app_base_url": "https://swmap.example.cn", "patrol_cycle_days": "10"}  # key cleared
    log = history(store)
    assert {(c.key, c.value, c.changed_by) for c in log[:2]} == {("patrol_cycle_days", "10", "命令行"),
                                                                  ("tianditu_key", "", "命令行")}
    assert len(log) == 5 and log[-1].changed_by == "admin09" and log[-1].at == T0
    entry = audit.entries(store)[0]
    assert entry.label == "修改设置" and KEY not in entry.detail and "天地图密钥" in entry.detail


def test_the_history_is_append_only(store):
    set_values(store, {"patrol_cycle_days": "5"}, actor="命令行")
    for statement in ("UPDATE app_settings SET value = '6'", "DELETE FROM app_settings"):
        with pytest.raises(DBAPIError), store.session() as session:
            session.execute(text(statement))
    assert current(store) == {"patrol_cycle_days": "5"}


@pytest.mark.parametrize(("key", "value", "named"), [
    ("app_base_url", "ftp://swmap.example.cn", "系统地址"),
    ("app_base_url", "swmap.example.cn", "系统地址"),
    ("nominatim_url", "https://", "Nominatim 地址"),
    ("patrol_summer", "07-01-08-31", "暑期"),
    ("patrol_summer", "02-30..03-01", "暑期"),
    ("patrol_summer", "08-31..07-01", "暑期"),
    ("patrol_cycle_days", "0", "巡查周期"),
    ("patrol_cycle_days", "366", "巡查周期"),
    ("patrol_cycle_days", "七", "巡查周期"),
    ("patrol_max_distance_m", "5", "到场距离上限"),
    ("patrol_max_distance_m", "5001", "到场距离上限"),
    ("notice.district.phone", "12345", "区教育局·电话"),
    ("notice.townships.板桥乡.phone", "953-1234567", "板桥乡·电话"),
    ("notice.townships.板桥乡.phone", "1221234567", "板桥乡·电话"),
])
def test_a_bad_value_is_refused_in_chinese_and_nothing_is_stored(store, key, value, named):
    with pytest.raises(SettingsError) as refused:
        set_values(store, {"patrol_cycle_days": "3", key: value}, actor=_user("admin"))
    assert named in str(refused.value) and value in str(refused.value)
    assert current(store) == {} and history(store) == [] and audit.entries(store) == []


@pytest.mark.parametrize("phone", ["13912345678", "0953-1234567", "010-12345678"])
def test_mobile_and_landline_numbers_pass(phone):
    assert validate("notice.district.phone", phone) == phone


@pytest.mark.parametrize("actor", [_user("viewer"), _user("patrol"), _user("admin", active=False)])
def test_only_an_active_admin_account_may_change_settings(store, actor):
    with pytest.raises(AuthError, match="只有管理员可以修改设置"):
        set_values(store, {"app_base_url": "https://swmap.example.cn"}, actor=actor)
    assert current(store) == {}


def test_keys_are_never_shown_in_full():
    assert mask(KEY) == "0123…cdef（已设置）" and mask("short") == "••••（已设置）" and mask("") == "（未设置）"


# --- effective settings: stored values under the environment ---------------------------------------------------------

def test_stored_values_apply_except_where_an_environment_variable_is_set(tmp_path):
    stored = {"app_base_url": "https://stored.example.cn", "patrol_cycle_days": "5", "amap_key": KEY,
              contact_key("district", "phone"): "0953-1234567"}
    plain = overlay(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}), stored)
    assert (plain.app_base_url, plain.patrol_cycle_days, plain.amap_key) == ("https://stored.example.cn", 5, KEY)
    assert plain.notice_contacts == (("notice.district.phone", "0953-1234567"),)
    env = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path), "SWMAP_APP_BASE_URL": "https://env.example.cn",
                             "SWMAP_PATROL_CYCLE_DAYS": "3"})
    assert env.env_fields == {"data_dir", "app_base_url", "patrol_cycle_days"}
    deployed = overlay(env, stored)
    assert (deployed.app_base_url, deployed.patrol_cycle_days, deployed.amap_key) == ("https://env.example.cn", 3, KEY)


def test_patrol_rules_follow_the_stored_values(db_settings):
    store = open_store(db_settings)
    assert patrol_rules(effective_settings(db_settings)).cycle_days == 7
    set_values(store, {"patrol_summer": "06-15..09-01", "patrol_cycle_days": "3", "patrol_max_distance_m": "300"},
               actor="命令行")
    rules = patrol_rules(effective_settings(db_settings))
    assert (rules.summer_start, rules.summer_end, rules.cycle_days, rules.max_distance_m) == ((6, 15), (9, 1), 3, 300)


def test_the_site_notice_qr_and_contacts_follow_the_stored_values(tmp_path, register, monkeypatch):
    need_poppler()
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})
    (tmp_path / "data").mkdir()
    settings.notices_config_path.write_text('[townships."板桥乡"]\nunit = "板桥乡人民政府"\nperson = "张三"\n',
                                            encoding="utf-8")
    set_values(open_store(settings), {"app_base_url": "https://swmap.example.cn/", contact_key("板桥乡", "phone"):
                                      "13912345678", contact_key("板桥乡", "person"): "李四"}, actor="命令行")
    effective = effective_settings(settings)
    township = load_config(effective).township("板桥乡")
    assert (township.unit, township.person, township.phone) == ("板桥乡人民政府", "李四", "13912345678")  # toml kept
    encoded: list[str] = []
    real = render_module.qr_data_uri
    monkeypatch.setattr(render_module, "qr_data_uri", lambda payload: encoded.append(payload) or real(payload))
    pdf = tmp_path / "site.pdf"
    pdf.write_bytes(site_pdf_bytes(effective, ROW_83, register=register))
    assert encoded == [f"https://swmap.example.cn/?site={ROW_83}"]
    words = squash(pdf_text(pdf))
    assert "13912345678" in words and "未设置应用网址" not in words


# --- the page ---------------------------------------------------------------------------------------------------------

def test_an_admin_saves_settings_on_the_page_and_reads_the_history(app_settings, accounts):
    at = run_page(login("admin01"), SETTINGS_PAGE)
    assert at.title[0].value == "设置"
    assert [s.value for s in at.subheader] == ["系统地址", "地图与地理编码", "巡查规则", "告示联系人", "修改记录",
                                                 "学校所属乡镇"]
    at.text_input(key="setting_app_base_url_0").input("https://swmap.example.cn")
    at.text_input(key="setting_tianditu_key_0").input(KEY)
    at.text_input(key="setting_district_phone_0").input("0953-7654321")
    at.button(key="settings_save_0").click()
    run_page(at)
    assert "已保存 3 项设置" in at.success[0].value
    store = open_store(app_settings)
    assert current(store)["app_base_url"] == "https://swmap.example.cn"
    assert current(store)["notice.district.phone"] == "0953-7654321"
    table = at.dataframe[-1].value
    assert set(table["操作人"]) == {"admin01"} and "0123…cdef（已设置）" in set(table["新值"])
    assert KEY not in " ".join(map(str, table.to_numpy().ravel()))
    assert "当前：0123…cdef（已设置）" in at.text_input(key="setting_tianditu_key_1").label
    assert at.text_input(key="setting_tianditu_key_1").value == ""  # never shown back
    at.checkbox(key="setting_tianditu_key_1_clear").check()
    at.button(key="settings_save_1").click()
    run_page(at)
    assert "tianditu_key" not in current(store)  # cleared; an empty input alone would leave it


def test_a_bad_value_on_the_page_is_refused_and_nothing_is_saved(app_settings, accounts):
    at = run_page(login("admin01"), SETTINGS_PAGE)
    at.text_input(key="setting_app_base_url_0").input("https://swmap.example.cn")
    at.text_input(key="setting_patrol_summer_0").input("09-31..10-01")
    at.button(key="settings_save_0").click()
    run_page(at)
    error = shown(at.error[0].value)
    assert "未保存" in error and "“09-31..10-01”中的日期无效" in error and "暑期" in error
    assert current(open_store(app_settings)) == {}


def test_an_environment_variable_in_force_disables_its_field(app_settings, accounts, monkeypatch):
    monkeypatch.setenv("SWMAP_APP_BASE_URL", "https://env.example.cn")
    monkeypatch.setenv("SWMAP_AMAP_KEY", KEY)
    set_values(open_store(app_settings), {"app_base_url": "https://stored.example.cn"}, actor="命令行")
    at = run_page(login("admin01"), SETTINGS_PAGE)
    field = at.text_input(key="setting_app_base_url_0")
    assert field.disabled and field.value == "https://env.example.cn"
    assert "由环境变量 SWMAP_APP_BASE_URL 设置，此处修改无效" in " ".join(c.value for c in at.caption)
    amap = at.text_input(key="setting_amap_key_0")
    assert amap.disabled and amap.value == "0123…cdef（已设置）"
    assert effective_settings(replace(app_settings, app_base_url="https://env.example.cn",
                                      env_fields=app_settings.env_fields | {"app_base_url"})).app_base_url \
        == "https://env.example.cn"


@pytest.mark.parametrize("username", ["bq01", "look01"])
def test_a_patrol_or_viewer_cannot_open_settings(app_settings, accounts, username):
    at = login(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(SETTINGS_PAGE)
    assert SETTINGS_PAGE not in at.session_state["pages_open"]
