"""Chinese everywhere a user looks (issue 12, item 5), in a real browser: for each role (no accounts yet,
管理员, 查看, 巡查) every page it has, a missing address (Streamlit's "Page not found" dialog), a selectbox
searched for a name no option has ("No results"), and the table toolbar's tooltips, menu and search.
Each time the page's visible text and its title, aria-label, placeholder and alt attributes are read
(``SCAN``) and must hold none of Streamlit's English (``ENGLISH_LEFTOVERS``) and no English phrase at
all (two words in a text without Chinese, ``PHRASE``). Icon ligatures, code and the map's frames (other
documents) are not read. One app: the accounts are added after the open app has been crawled.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.database import open_store
from tests.browser_support import StreamlitServer, english_leftovers, external_requests, open_page
from tests.helpers import PASSWORDS

pytestmark = pytest.mark.browser

#: Wide enough for every menu entry to show (a narrower window folds some into a "more" menu).
SIZE = (1366, 768)
#: username, role (as access.py names it), what the header says once logged in.
ACCOUNTS = (("admin01", "admin", "王局（管理员）"), ("look01", "viewer", "赵查看（查看）"),
            ("bq01", "patrol", "李巡查（乡镇巡查员，板桥乡）"))
#: A notice's QR code (row 83's site): 巡查, also for the roles that have it only by this address.
QR_CODE = "/?site=640302-S37-W47"
MISSING = "/no-such-page"
#: An English phrase: two words, in a text with no Chinese at all.
PHRASE = re.compile(r"[A-Za-z]{2,}[ /][a-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff]")
#: Every text a user can see or hear: visible text nodes (icon ligatures, code, scripts left out) and the
#: title, aria-label, placeholder and alt of every element.
SCAN = """() => {
  const skip = "script, style, noscript, code, pre, [data-testid='stIconMaterial']";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement, text = node.nodeValue.trim();
    if (text && parent && !parent.closest(skip) && parent.checkVisibility()) out.push(text);
  }
  for (const element of document.querySelectorAll("[title], [aria-label], [placeholder], [alt]"))
    for (const name of ["title", "aria-label", "placeholder", "alt"])
      if (element.getAttribute(name)) out.push(`${name}=${element.getAttribute(name)}`);
  return out;
}"""


def _english(page: Page) -> list[str]:
    """Streamlit's English on the page now, and any English phrase."""
    texts: list[str] = page.evaluate(SCAN)
    phrases = [t for t in texts if not CJK.search(t) and PHRASE.search(t)]
    return sorted({*english_leftovers("\n".join(texts)), *phrases})


def _settled(page: Page) -> None:
    """Until the page's script run has finished and its title shows."""
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")


def _log_in(page: Page, username: str, header: str) -> None:
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORDS[username])
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text(f"当前账号：{header}")).to_be_visible()


def _menu(page: Page) -> list[str]:
    """The paths of the pages in the role's menu, then a QR code's address and a path that names no page."""
    hrefs = page.locator("[data-testid='stTopNavLink']").evaluate_all("links => links.map(a => a.href)")
    paths = [urlparse(h).path or "/" for h in hrefs]
    assert paths, "no menu"
    return [*paths, QR_CODE, MISSING]


def _table_toolbar(page: Page, found: dict[str, list[str]], role: str, *, every_tooltip: bool) -> None:
    """On 隐患清单: a selectbox searched with no match, then the toolbar buttons' tooltips (each shows after
    Streamlit's 1 s hover delay: all of them, or the first), the column menu and the table's search box."""
    page.get_by_role("combobox", name="水体类型").click()
    page.keyboard.type("zzzz")
    page.locator("[role='listbox'][data-empty='true']").wait_for()
    found[f"{role} 隐患清单 无匹配"] = _english(page)
    page.keyboard.press("Escape")
    table = page.locator("[data-testid='stDataFrame']").first
    buttons = page.locator("[data-testid='stElementToolbarButton']")
    for i in range(buttons.count() if every_tooltip else 1):
        table.hover()
        buttons.nth(i).hover()
        page.locator("[data-testid='stTooltipContent']").wait_for()
        found[f"{role} 隐患清单 工具栏 {i + 1}"] = _english(page)
    for name in ("显示或隐藏列", "Show/hide columns", "搜索", "Search"):  # before the fix, in English
        button = page.locator(f"[data-testid='stElementToolbarButton'] button[aria-label='{name}']")
        if button.count():
            table.hover()
            button.click()
            found[f"{role} 隐患清单 {name}"] = _english(page)
            page.keyboard.press("Escape")


def _crawl(browser: Browser, server: StreamlitServer, role: str, found: dict[str, list[str]], shots: Path,
           account: tuple[str, str] | None = None) -> None:
    page, requests = open_page(browser, SIZE)
    page.goto(server.url)
    if account is not None:
        _log_in(page, *account)
    _settled(page)
    paths = _menu(page)
    assert "/register" in paths, paths
    for i, path in enumerate(paths):
        if i or path != "/":  # the role's first page ("/") is open already
            page.goto(server.url + path)
            _settled(page)
        if path == MISSING:
            page.get_by_role("dialog").wait_for()
            page.screenshot(path=str(shots / f"missing-page-{role}.png"))
        found[f"{role} {path}"] = _english(page)
        if path == "/register":  # the same table and toolbar for every role: each tooltip once
            _table_toolbar(page, found, role, every_tooltip=role == "open")
    assert external_requests(requests) == []
    page.context.close()


def test_no_streamlit_english_on_any_page_for_any_role(server, browser, shots):
    found: dict[str, list[str]] = {}
    _crawl(browser, server, "open", found, shots)
    store = open_store(Settings.from_env({"SWMAP_DATA_DIR": str(server.data_dir)}))
    names = {"admin01": "王局", "look01": "赵查看", "bq01": "李巡查"}
    for username, role, _ in ACCOUNTS:
        add_user(store, username, PASSWORDS[username], role, display_name=names[username],
                 township="板桥乡" if role == "patrol" else None)
    for username, role, header in ACCOUNTS:
        _crawl(browser, server, role, found, shots, (username, header))
    english = {where: words for where, words in found.items() if words}
    assert not english, "Streamlit's English shown:\n" + "\n".join(f"{k}: {v}" for k, v in english.items())
