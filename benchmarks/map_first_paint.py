"""One visitor, in the browser: how long after navigation the 地图 page has drawn its map, next to a bare
Streamlit page with only a title (``benchmarks/bare_page.py``), measured alternately in one run.

    python benchmarks/map_first_paint.py [--runs 7]

Both servers run from this repository on 127.0.0.1 (the same ``.streamlit/config.toml``); the app's data
directory is fresh with every school placed (the heaviest map). Each visit is a new browser context
(empty cache, a new Streamlit session); the map's cache is warmed by one visit first, as it is for
everyone but the first visitor after a change. Prints each page's median and the ratio map / bare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from map_support import CHROMIUM, CHROMIUM_ARGS, DRAWN, LAST_DRAWN, MAP_IFRAME, app_and_bare
from map_support import visit as visit_until

TIMEOUT_MS = 120_000
HEADING = "h1:has-text('学校周边危险水域地图')"


def visit(browser: Browser, url: str, *, drawn: bool) -> float:
    """Seconds from navigation to the bare page's heading, or to the map fully drawn (its first vector
    layer and its last one, the schools, attached)."""
    return visit_until(browser, url, _map_drawn if drawn else _heading, TIMEOUT_MS)


def _heading(page: Page) -> None:
    page.locator(HEADING).wait_for(state="visible", timeout=TIMEOUT_MS)


def _map_drawn(page: Page) -> None:
    frame = page.frame_locator(MAP_IFRAME)
    for selector in (DRAWN, LAST_DRAWN):
        frame.locator(selector).first.wait_for(state="attached", timeout=TIMEOUT_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="visits of each page")
    runs = parser.parse_args().runs
    with (tempfile.TemporaryDirectory(prefix="swmap-paint-") as tmp, app_and_bare(Path(tmp)) as (app, bare),
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"warm-up: map {visit(browser, app.url, drawn=True):.2f} s (first visit: builds the map), "
              f"bare {visit(browser, bare.url, drawn=False):.2f} s")
        maps, bares = [], []
        for _ in range(runs):
            bares.append(visit(browser, bare.url, drawn=False))
            maps.append(visit(browser, app.url, drawn=True))
        browser.close()
    bare_median, map_median = statistics.median(bares), statistics.median(maps)
    print(f"bare page (title only): median {bare_median:.2f} s  [{', '.join(f'{t:.2f}' for t in bares)}]")
    print(f"map page (drawn):       median {map_median:.2f} s  [{', '.join(f'{t:.2f}' for t in maps)}]")
    print(f"ratio map / bare: {map_median / bare_median:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
