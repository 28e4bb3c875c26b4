"""Streamlit's own floor for the map's first-paint target: how much later than a title-only page a page
is drawn that adds one trivial element (an ``st.iframe`` with one paragraph, or an ``st.html``), measured
alternately in one run, as ``map_first_paint.py`` measures the map.

    python benchmarks/first_paint_floor.py [--runs 7]

Prints each page's median and its ratio to the bare page. If a trivial iframe alone comes near 1.3×,
the target ``map ≤ 1.3 × bare`` is at Streamlit's floor, not in the map.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from map_support import CHROMIUM, CHROMIUM_ARGS, Server
from map_support import visit as visit_until

TIMEOUT_MS = 60_000
HEADING = "h1:has-text('学校周边危险水域地图')"
#: page → (script, where its last element is: "title", "frame" or "page")
PAGES = {"bare (title only)": ("benchmarks/bare_page.py", "title"),
         "title + st.iframe(<p>)": ("benchmarks/bare_iframe_page.py", "frame"),
         "title + st.html(<p>)": ("benchmarks/bare_html_page.py", "page")}


def visit(browser: Browser, url: str, where: str) -> float:
    """Seconds from navigation until the page's last element is there (a new context each time)."""
    return visit_until(browser, url, lambda page: _last_element(page, where), TIMEOUT_MS)


def _last_element(page: Page, where: str) -> None:
    if where == "title":
        page.locator(HEADING).wait_for(state="visible", timeout=TIMEOUT_MS)
    elif where == "frame":
        page.frame_locator("iframe").locator("#done").wait_for(state="attached", timeout=TIMEOUT_MS)
    else:
        page.locator("#done").wait_for(state="attached", timeout=TIMEOUT_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="visits of each page")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="swmap-floor-") as tmp:
        servers = {name: Server(script, Path(tmp) / f"data{i}", Path(tmp) / f"{i}.log").start()
                   for i, (name, (script, _)) in enumerate(PAGES.items())}
        times: dict[str, list[float]] = {name: [] for name in PAGES}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, server in servers.items():  # warm-up
                    visit(browser, server.url, PAGES[name][1])
                for _ in range(runs):
                    for name, server in servers.items():
                        times[name].append(visit(browser, server.url, PAGES[name][1]))
                browser.close()
        finally:
            for server in servers.values():
                server.stop()
    bare = statistics.median(times["bare (title only)"])
    for name, found in times.items():
        median = statistics.median(found)
        print(f"{name:24s} median {median:.2f} s  ratio {median / bare:.2f}  [{', '.join(f'{t:.2f}' for t in found)}]")


if __name__ == "__main__":
    main()
