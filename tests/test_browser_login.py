"""Logins in a real browser (issue 9, items 6 and 7): a login lasts across reloads and new tabs (a map
popup's notice link opens one) until logout; five wrong passwords lock the account, and then even the
right one is refused with the lockout message. Debian's Chromium through Playwright, 127.0.0.1 only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from school_water_map.settings import Settings
from school_water_map.store import audit
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from school_water_map.store.sessions import COOKIE
from tests.browser_support import WAIT_MS, StreamlitServer, external_requests, open_page

pytestmark = pytest.mark.browser

PASSWORDS = {"admin01": "admin-pass-1", "bq01": "reed-bank-2026"}
TABLET = (1024, 768)
ACCOUNT = "当前账号："


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    """Two accounts; no growing delay between failures (the test types faster than a person), the
    lockout itself as deployed (5 failures, 15 minutes)."""
    root = tmp_path_factory.mktemp("login")
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(root / "data")}))
    add_user(store, "admin01", PASSWORDS["admin01"], "admin", display_name="王局")
    add_user(store, "bq01", PASSWORDS["bq01"], "patrol", township="板桥乡", display_name="李巡查")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SWMAP_LOGIN_DELAY", "0")
        running = StreamlitServer(root / "data", root / "streamlit.log").start()
    yield running
    running.stop()


def _submit(page: Page, username: str, password: str) -> None:
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def _signed_in(page: Page, who: str) -> None:
    expect(page.get_by_text(f"{ACCOUNT}{who}")).to_be_visible()
    expect(page.get_by_role("heading", name="登录", level=1)).to_have_count(0)


def _asks_for_login(page: Page) -> None:
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    expect(page.get_by_text(ACCOUNT)).to_have_count(0)


def _failures(server: StreamlitServer, username: str) -> int:
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(server.data_dir)}))
    return sum(e.action == "login_failed" for e in audit.entries(store, target=username))


def _wait_for_failures(server: StreamlitServer, username: str, count: int) -> None:
    """Until the store has recorded ``count`` failed logins (a condition, polled within WAIT_MS)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while _failures(server, username) < count:
        assert time.monotonic() < deadline, f"only {_failures(server, username)} failures recorded"
        time.sleep(0.1)  # polling the store, bounded by the deadline


def test_a_login_lasts_across_reloads_and_new_tabs_until_logout(browser, server, shots: Path):
    page, requests = open_page(browser, TABLET)
    page.goto(server.url)
    _submit(page, "admin01", PASSWORDS["admin01"])
    _signed_in(page, "王局（管理员）")
    expect(page.get_by_role("heading", name="学校周边危险水域地图")).to_be_visible()
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert (cookie["sameSite"], cookie["path"], cookie["secure"]) == ("Strict", "/", False)  # http on 127.0.0.1
    assert 11.9 * 3600 < cookie["expires"] - time.time() <= 12 * 3600

    page.reload()  # a reload is a new Streamlit session: the cookie signs it in
    _signed_in(page, "王局（管理员）")
    page.screenshot(path=str(shots / "login-after-reload.png"))

    tab = page.context.new_page()  # a new tab, as a map popup's notice link opens
    tab.goto(f"{server.url}/notices?school=640302-S01")
    _signed_in(tab, "王局（管理员）")
    expect(tab.get_by_role("heading", name="告知书", level=1)).to_be_visible()

    page.get_by_role("button", name="退出").click()
    _asks_for_login(page)
    page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')")
    page.reload()
    _asks_for_login(page)
    tab.reload()  # the other tab's session ended too (it was the same login)
    _asks_for_login(tab)
    page.screenshot(path=str(shots / "login-after-logout.png"))
    assert external_requests(requests) == []


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(browser, server, shots: Path):
    page, _ = open_page(browser, TABLET)
    page.goto(server.url)
    for attempt in range(1, 6):
        _submit(page, "bq01", f"wrong-password-{attempt}")
        _wait_for_failures(server, "bq01", attempt)
        expect(page.get_by_text("用户名或密码错误")).to_be_visible()
    _submit(page, "bq01", PASSWORDS["bq01"])
    expect(page.get_by_text("登录失败次数过多，请 15 分钟后再试")).to_be_visible()
    _asks_for_login(page)
    page.screenshot(path=str(shots / "login-locked.png"))
    page.reload()  # a new session does not get around it
    _submit(page, "bq01", PASSWORDS["bq01"])
    expect(page.get_by_text("登录失败次数过多，请 15 分钟后再试")).to_be_visible()
    assert _failures(server, "bq01") == 5  # refused attempts ran no hash and are not failures
    # another account on the same machine is not locked (this client has 5 failures, under its limit of 20)
    _submit(page, "admin01", PASSWORDS["admin01"])
    _signed_in(page, "王局（管理员）")
