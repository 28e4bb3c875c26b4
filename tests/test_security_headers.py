"""Security headers: the README's nginx and Caddy snippets set exactly ``app_pages.parts.headers.SECURITY_HEADERS``;
``streamlit run serve.py`` sets them too; every page works under that Content-Security-Policy."""

from __future__ import annotations

import re
import urllib.request

import pytest

from app_pages.parts.headers import CSP, SECURITY_HEADERS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block(language: str) -> str:
    (block,) = re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)
    return block


def test_the_readme_snippets_set_the_same_headers():
    nginx = dict(re.findall(r'^\s*add_header ([\w-]+) "([^"]*)" always;$', _block("nginx"), flags=re.M))
    caddy = dict(re.findall(r'^\s*([A-Z][\w-]+) "([^"]*)"$', _block("caddy"), flags=re.M))
    assert nginx == SECURITY_HEADERS
    assert caddy == SECURITY_HEADERS
    assert "proxy_set_header Upgrade $http_upgrade;" in _block("nginx")  # Streamlit's websocket


def test_the_policy_allows_only_the_apps_origin():
    directives = {d.split()[0]: d.split()[1:] for d in CSP.split("; ")}
    assert directives["default-src"] == ["'self'"] and directives["frame-ancestors"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["connect-src"] == ["'self'"]
    assert not [s for sources in directives.values() for s in sources if s in ("*", "http:", "https:")]
    assert all(s.startswith(("'", "data:", "blob:", "https://")) for sources in directives.values() for s in sources)
    assert SECURITY_HEADERS["X-Frame-Options"] == "SAMEORIGIN"
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"
    assert "geolocation=(self)" in SECURITY_HEADERS["Permissions-Policy"]


VIOLATIONS = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.mark.browser
def test_serve_py_sets_the_headers_and_every_page_works_under_them(tmp_path, browser):
    from playwright.sync_api import expect

    from school_water_map.settings import Settings
    from tests.browser_support import PAGES, StreamlitServer, map_frame, open_page
    from tests.placing import place

    place(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")}), "利通区第十一小学", 106.20, 37.98)
    server = StreamlitServer(tmp_path / "data", tmp_path / "streamlit.log", script="serve.py").start()
    try:
        for path in ("/", "/app/static/vendor/leaflet/leaflet.js"):
            with urllib.request.urlopen(server.url + path, timeout=10) as answer:
                assert {name: answer.headers[name] for name in SECURITY_HEADERS} == SECURITY_HEADERS, path
        page, _ = open_page(browser, (1024, 768))
        page.add_init_script(VIOLATIONS)
        for name, path, heading in PAGES:
            page.goto(server.url + path)
            expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
            if name != "register":
                expect(map_frame(page).locator("path.swm-school")).to_have_count(1)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__csp") == [], name
        page.context.close()
    finally:
        server.stop()
