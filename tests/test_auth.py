"""Logins (issue 9, items 6 and 7): throttling per account and per client before any hash runs, the
password policy, the audit log, and sessions that last a working day — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from app_pages.parts import access, state
from school_water_map.domain.passwords import check_password, common_passwords
from school_water_map.errors import AccountError, AuthError, PasswordPolicyError
from school_water_map.settings import Settings
from school_water_map.store import accounts, audit, sessions
from school_water_map.store.accounts import add_user, authenticate, disable_user, revoke_sessions, set_password
from school_water_map.store.database import Store, make_engine, open_store
from school_water_map.store.db.models import AuditRow, AuthSessionRow, LoginAttemptRow, UserRow
from school_water_map.store.throttle import ThrottleRules, begin_attempt
from tests.app_support import new_app, run_page
from tests.helpers import cli_user, swmap

PASSWORD = "reed-bank-2026"
T0 = datetime(2026, 7, 10, 8, 0, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def bq01(store):
    return add_user(store, "bq01", PASSWORD, "patrol", township="板桥乡", display_name="李巡查")


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """The passwords whose hash was checked (each an Argon2 verification)."""
    checked: list[str] = []
    verify = accounts._verify

    def counting(store, username, password):
        checked.append(password)
        return verify(store, username, password)

    monkeypatch.setattr(accounts, "_verify", counting)
    return checked


def _refusal(store, username: str, password: str, when: datetime, **options) -> str:
    with pytest.raises(AuthError) as caught:
        authenticate(store, username, password, now=when, **options)
    return str(caught.value)


# --- the password policy ------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "message"), [
    ("password", "密码至少 10 位（现为 8 位）"),
    ("12345678", "密码至少 10 位"),
    (" " * 8, "密码不能全是空白字符"),
    (" " * 12, "密码不能全是空白字符"),
    ("\t \u3000" * 4, "密码不能全是空白字符"),
    ("bq01bq01bq01", "密码不能包含用户名"),
    ("my-BQ01-password", "密码不能包含用户名"),
    ("1234567890", "密码过于常见"),
    ("QwertyUiop", "密码过于常见"),  # case does not help
    ("woaini1314", "密码过于常见"),
    ("1qaz2wsx3edc", "密码过于常见"),
])
def test_the_password_policy_refuses_weak_passwords(password, message):
    with pytest.raises(PasswordPolicyError, match=message):
        check_password(password, "bq01")


def test_the_policy_accepts_a_decent_password_and_ships_its_list():
    check_password(PASSWORD, "bq01")
    assert len(common_passwords()) > 19_000 and "password" in common_passwords()


def test_accounts_and_resets_apply_the_policy(store):
    for password in ("password", "12345678", " " * 10, "bq01-password"):
        with pytest.raises(AccountError):
            add_user(store, "bq01", password, "patrol", township="板桥乡")
    add_user(store, "bq01", PASSWORD, "patrol", township="板桥乡")
    with pytest.raises(AccountError, match="密码过于常见"):
        set_password(store, "bq01", "iloveyou12")
    with pytest.raises(AccountError, match="不能包含用户名"):
        set_password(store, "bq01", "new-BQ01-pass")
    assert authenticate(store, "bq01", PASSWORD).username == "bq01"  # unchanged


def test_the_cli_applies_the_policy(tmp_path):
    for password, message in (("12345678", "至少 10 位"), (" " * 10, "空白"), ("qwertyuiop", "过于常见"),
                              ("bq01-is-me", "不能包含用户名")):
        refused = cli_user(tmp_path, "add", "bq01", "--township", "板桥乡", password=password)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
    assert cli_user(tmp_path, "add", "bq01", "--township", "板桥乡", password=PASSWORD).returncode == 0
    weak = cli_user(tmp_path, "password", "bq01", password="password123")
    assert weak.returncode == 2 and "过于常见" in weak.stderr


# --- throttling ---------------------------------------------------------------------------------------

def test_growing_delays_then_a_lockout_refuse_without_hashing(store, bq01, hashes):
    assert _refusal(store, "bq01", "wrong-1", _at(0)) == "用户名或密码错误"
    assert _refusal(store, "bq01", "wrong-2", _at(0.1)) == "用户名或密码错误"  # a first typo costs nothing
    assert _refusal(store, "bq01", PASSWORD, _at(0.5)) == "登录过于频繁，请 1 秒后再试"
    assert _refusal(store, "bq01", "wrong-3", _at(1.2)) == "用户名或密码错误"
    assert _refusal(store, "bq01", "wrong-4", _at(2.5)) == "登录过于频繁，请 1 秒后再试"  # now 2 s
    assert _refusal(store, "bq01", "wrong-4", _at(3.3)) == "用户名或密码错误"
    assert _refusal(store, "bq01", "wrong-5", _at(5.0)) == "登录过于频繁，请 3 秒后再试"  # now 4 s
    assert _refusal(store, "bq01", "wrong-5", _at(7.4)) == "用户名或密码错误"
    # five failures: the right password is refused at once, with no hash computed
    assert _refusal(store, "bq01", PASSWORD, _at(60)) == "登录失败次数过多，请 14 分钟后再试"
    assert hashes == ["wrong-1", "wrong-2", "wrong-3", "wrong-4", "wrong-5"]
    # across processes: a new connection to the same database sees the lockout
    other = Store(make_engine(store.engine.url.render_as_string(hide_password=False)), store.data_dir)
    assert _refusal(other, "bq01", PASSWORD, _at(120)) == "登录失败次数过多，请 13 分钟后再试"
    assert _refusal(store, "BQ01 ", PASSWORD, _at(120)).startswith("登录失败次数过多")  # case variants too
    assert authenticate(store, "bq01", PASSWORD, now=_at(15 * 60 + 1)).username == "bq01"  # the window passed
    assert len(hashes) == 6


def test_a_success_clears_the_accounts_failures(store, bq01):
    for i in range(3):
        _refusal(store, "bq01", f"wrong-{i}", _at(10 * i))
    authenticate(store, "bq01", PASSWORD, now=_at(40))
    for i in range(4):
        assert _refusal(store, "bq01", f"again-{i}", _at(100 + 10 * i)) == "用户名或密码错误"
    assert authenticate(store, "bq01", PASSWORD, now=_at(200)).username == "bq01"  # 4 since the success, not 7


def test_one_client_guessing_many_accounts_is_locked_out(store, bq01, hashes):
    rules = ThrottleRules(max_client_failures=4)
    for i, name in enumerate(("admin", "root", "zhang", "li")):
        _refusal(store, name, "123456", _at(i), client="203.0.113.9", rules=rules)
    refused = _refusal(store, "bq01", PASSWORD, _at(10), client="203.0.113.9", rules=rules)
    assert refused == "此设备登录失败次数过多，请 15 分钟后再试" and len(hashes) == 4
    assert authenticate(store, "bq01", PASSWORD, client="198.51.100.7", rules=rules, now=_at(11)).username == "bq01"


def test_concurrent_guesses_count_before_they_are_decided(store, bq01):
    rules = ThrottleRules()
    verdicts = [begin_attempt(store, "bq01", "local", rules, now=_at(0))[1] for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]  # two pending already count as failures


def test_argon2_verifications_are_bounded(store, bq01, monkeypatch):
    """However many logins arrive at once, at most MAX_VERIFYING hashes run together."""
    running, peak, lock = [0], [0], threading.Lock()
    real = accounts._HASHER

    class Slow:
        def verify(self, hashed, password):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            try:
                time.sleep(0.2)  # holds the verifier: the others must wait for it
                return real.verify(hashed, password)
            finally:
                with lock:
                    running[0] -= 1

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_HASHER", Slow())
    errors: list[str] = []

    def login(i: int) -> None:
        try:
            authenticate(store, f"user{i}", "not-the-password", client=f"10.0.0.{i}")
        except AuthError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=login, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == ["用户名或密码错误"] * 6
    assert peak[0] == accounts.MAX_VERIFYING


# --- the audit log --------------------------------------------------------------------------------------

def test_logins_and_account_changes_are_audited_without_passwords(store, bq01):
    _refusal(store, "bq01", "wrong-secret-1", _at(0), client="10.1.1.1")
    _refusal(store, "nobody", "wrong-secret-2", _at(1), client="10.1.1.1")
    authenticate(store, "bq01", PASSWORD, client="10.1.1.2", now=_at(2))
    set_password(store, "bq01", "new-reed-2026", actor="admin01", client="10.9.9.9")
    token = sessions.create(store, bq01.id, hours=12, client="10.1.1.2")
    sessions.revoke(store, token, client="10.1.1.2")
    revoke_sessions(store, "bq01", actor="admin01")
    disable_user(store, "bq01", actor="admin01", client="10.9.9.9")
    for i in range(5):
        _refusal(store, "bq01", f"wrong-{i}", _at(100 + 10 * i))
    _refusal(store, "bq01", "new-reed-2026", _at(200))
    log = list(reversed(audit.entries(store)))
    assert [e.action for e in log[:8]] == ["user_added", "login_failed", "login_failed", "login_ok", "password_reset",
                                            "logout", "session_revoked", "user_disabled"]
    assert (log[1].target, log[1].client, log[1].detail) == ("bq01", "10.1.1.1", "密码错误")
    assert log[2].detail == "无此用户" and log[3].client == "10.1.1.2"
    assert (log[4].actor, log[4].target, log[4].client) == ("admin01", "bq01", "10.9.9.9")
    assert log[-1].action == "login_refused" and "登录失败次数过多" in log[-1].detail
    assert log[0].label == "新增账号" and log[-1].label == "登录被限制"
    with store.session() as session:
        stored = " ".join(f"{r.actor} {r.target} {r.client} {r.detail}" for r in session.scalars(select(AuditRow)))
    assert not any(secret in stored for secret in ("wrong-secret", PASSWORD, "new-reed-2026"))


# --- sessions -------------------------------------------------------------------------------------------

def test_a_session_signs_in_until_it_expires(store, bq01):
    token = sessions.create(store, bq01.id, hours=12, now=T0)
    assert sessions.resume(store, token, now=T0 + timedelta(hours=11, minutes=59)) == "bq01"
    assert sessions.resume(store, token, now=T0 + timedelta(hours=12)) is None
    assert sessions.resume(store, token + "x", now=T0) is None
    assert sessions.resume(store, "", now=T0) is None
    with store.session() as session:
        row = session.scalar(select(AuthSessionRow))
        assert row.token_hash == sessions.token_hash(token) and token not in row.token_hash  # only its hash


def test_logout_revokes_only_that_session(store, bq01):
    tablet, office = (sessions.create(store, bq01.id, hours=12) for _ in range(2))
    sessions.revoke(store, tablet)
    assert sessions.resume(store, tablet) is None and sessions.resume(store, office) == "bq01"
    assert [s.username for s in sessions.live_sessions(store)] == ["bq01"]


@pytest.mark.parametrize("ending", ["disable", "password", "revoke"])
def test_disabling_resetting_or_revoking_ends_every_session(store, bq01, ending):
    tokens = [sessions.create(store, bq01.id, hours=12) for _ in range(2)]
    other = add_user(store, "look01", "look-pass-2026", "viewer")
    theirs = sessions.create(store, other.id, hours=12)
    {"disable": lambda: disable_user(store, "bq01"), "password": lambda: set_password(store, "bq01", "new-reed-2026"),
     "revoke": lambda: revoke_sessions(store, "bq01")}[ending]()
    assert [sessions.resume(store, t) for t in tokens] == [None, None]
    assert sessions.resume(store, theirs) == "look01"


def test_a_disabled_accounts_session_does_not_sign_in_even_if_not_revoked(store, bq01):
    token = sessions.create(store, bq01.id, hours=12)
    with store.session() as session:  # e.g. disabled by a direct database edit
        session.get(UserRow, bq01.id).active = False
    assert sessions.resume(store, token) is None


def test_old_attempts_are_pruned(store, bq01):
    rules = ThrottleRules()
    begin_attempt(store, "bq01", "local", rules, now=T0)
    begin_attempt(store, "someone", "local", rules, now=T0 + timedelta(days=3))
    with store.session() as session:
        assert [r.username for r in session.scalars(select(LoginAttemptRow))] == ["someone"]


# --- the app (AppTest: the browser's cookie is what ``access._cookie`` reads) ---------------------------

def _app_login(username: str, password: str) -> AppTest:
    at = run_page(new_app())
    assert at.title[0].value == "登录"
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click()
    return run_page(at)


def _scripts(at: AppTest) -> str:
    return "\n".join(element.proto.body for element in at.get("html"))


def test_the_app_signs_a_browser_in_by_its_session_cookie_until_logout(app_settings, monkeypatch):
    store = open_store(app_settings)
    add_user(store, "admin01", "admin-pass-1", "admin", display_name="王局")
    at = _app_login("admin01", "admin-pass-1")
    token = at.session_state[state.SESSION_TOKEN]
    assert f"{sessions.COOKIE}={token}; Path=/; Max-Age=43200; SameSite=Strict" in _scripts(at)
    assert sessions.resume(store, token) == "admin01"
    monkeypatch.setattr(access, "_cookie", lambda: token)  # a reload or a new tab sends the cookie
    again = run_page(new_app())
    assert again.title[0].value == "学校周边危险水域地图"
    assert "王局（管理员）" in " ".join(c.value for c in again.caption)
    assert again.session_state[state.SESSION_TOKEN] == token
    again.button(key="logout").click()
    run_page(again)
    assert again.title[0].value == "登录" and f"{sessions.COOKIE}=; Path=/; Max-Age=0" in _scripts(again)
    assert sessions.resume(store, token) is None
    assert run_page(new_app()).title[0].value == "登录"  # the same cookie no longer signs in
    assert run_page(at).title[0].value == "登录"  # nor the session that logged in first


def test_a_signed_in_session_ends_when_its_password_is_reset(app_settings):
    store = open_store(app_settings)
    add_user(store, "admin01", "admin-pass-1", "admin")
    at = _app_login("admin01", "admin-pass-1")
    assert at.title[0].value == "学校周边危险水域地图"
    set_password(store, "admin01", "admin-pass-2026")
    assert run_page(at).title[0].value == "登录"


def test_the_app_locks_an_account_after_five_failures(app_settings, monkeypatch):
    monkeypatch.setenv("SWMAP_LOGIN_DELAY", "0")
    add_user(open_store(app_settings), "bq01", PASSWORD, "patrol", township="板桥乡")
    for i in range(5):
        assert "用户名或密码错误" in _app_login("bq01", f"wrong-{i}").error[0].value
    at = _app_login("bq01", PASSWORD)
    assert at.title[0].value == "登录" and at.error[0].value == "登录失败次数过多，请 15 分钟后再试"
    assert state.USER not in at.session_state


def test_the_admin_page_applies_the_policy_ends_sessions_and_shows_the_audit_log(app_settings):
    store = open_store(app_settings)
    add_user(store, "admin01", "admin-pass-1", "admin")
    bq01 = add_user(store, "bq01", PASSWORD, "patrol", township="板桥乡")
    tablet = sessions.create(store, bq01.id, hours=12)
    at = run_page(_app_login("admin01", "admin-pass-1"), "app_pages/users.py")
    at.selectbox(key="user_manage_name").set_value("bq01")
    at.text_input(key="user_manage_password").input("password123")
    at.button(key="user_reset").click()
    run_page(at)
    assert "未修改：密码过于常见" in at.error[0].value and sessions.resume(store, tablet) == "bq01"
    at.button(key="user_revoke").click()
    run_page(at)
    assert sessions.resume(store, tablet) is None and "已结束 bq01 的 1 个登录会话" in at.success[0].value
    log = at.dataframe[1].value
    assert list(log["操作"])[:2] == ["登录会话注销", "登录成功"] and list(log["操作人"])[:2] == ["admin01", "admin01"]
    assert "新增账号" in set(log["操作"])


def test_the_client_is_the_proxys_forwarded_address_only_when_the_proxy_is_trusted(settings, monkeypatch):
    request = SimpleNamespace(headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.5"}, ip_address=None, cookies={})
    monkeypatch.setattr(access, "st", SimpleNamespace(context=request))
    assert access.client_address(settings) == "local"  # a header anyone can send counts for nothing
    assert access.client_address(replace(settings, trusted_proxy=True)) == "203.0.113.5"  # the proxy's own entry
    request.ip_address = "198.51.100.7"
    assert access.client_address(settings) == "198.51.100.7"


def test_the_cli_lists_and_ends_sessions_and_prints_the_audit_log(tmp_path):
    assert cli_user(tmp_path, "add", "bq01", "--township", "板桥乡", password=PASSWORD).returncode == 0
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}))
    sessions.create(store, accounts.get_user(store, "bq01").id, hours=12, client="10.2.2.2")
    listed = swmap("user", "sessions", data_dir=tmp_path).stdout
    assert listed.startswith("bq01\t登录于 ") and "10.2.2.2" in listed
    assert "已结束 bq01 的 1 个登录会话" in swmap("user", "revoke", "bq01", data_dir=tmp_path).stdout
    assert swmap("user", "sessions", data_dir=tmp_path).stdout == ""
    log = swmap("user", "log", "bq01", data_dir=tmp_path).stdout.splitlines()
    assert [line.split("\t")[1] for line in log] == ["登录会话注销", "新增账号"]
    assert log[0].split("\t")[3].startswith("命令行（")


@pytest.mark.parametrize("change", ["UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log"])
def test_the_audit_log_is_append_only(store, bq01, change):
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text(change))
    assert [e.action for e in audit.entries(store)] == ["user_added"]
