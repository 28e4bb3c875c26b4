"""The 地图 page under load: N concurrent visitors, each a new headless Chromium page (own context, so its
own Streamlit session), all opening the map at once; prints, per N, the median and max time from
navigation until the map's Leaflet container has drawn its layers.

    python benchmarks/map_load.py [--sizes 1,10,20] [--rounds 2] [--clients browser|ws]

``--clients ws`` replaces the browsers by light websocket clients that speak Streamlit's protocol (a
``rerun_script`` BackMsg, then ForwardMsgs until the map's iframe arrives, then the document at its
address, as a browser's frame fetches it): the server's part alone,
without 20 Chromium pages competing with it for the 2 cores.

The app runs from this repository (``streamlit run app.py`` on 127.0.0.1) with a fresh data directory
in which every school is placed (the heaviest map). The first visit after the start (cold: the
register and the map are built) is printed apart. The browsers run on the same 2 cores as the server,
so the figures include their own rendering: each size is also run against a bare Streamlit page
(``benchmarks/bare_page.py``, a title only) to show what the browsers cost by themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets
from playwright.async_api import Browser, async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from map_support import CHROMIUM, CHROMIUM_ARGS, DRAWN, MAP_IFRAME, app_and_bare

TIMEOUT_MS = 180_000


async def visit(browser: Browser, url: str, *, bare: bool = False) -> float:
    """Seconds from navigation to the first drawn vector layer in the map's frame (``bare``: to the
    bare page's heading)."""
    context = await browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    try:
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        target = page.locator("h1") if bare else page.frame_locator(MAP_IFRAME).locator(DRAWN)
        await target.first.wait_for(state="attached", timeout=TIMEOUT_MS)
        return time.perf_counter() - start
    finally:
        await context.close()


async def ws_visit(url: str) -> float:
    """Seconds from opening Streamlit's websocket to receiving the map's HTML document."""
    start = time.perf_counter()
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=[websockets.Subprotocol("streamlit")], max_size=None,
                                  open_timeout=TIMEOUT_MS / 1000) as socket:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        await socket.send(rerun.SerializeToString())
        deadline = start + TIMEOUT_MS / 1000
        while time.perf_counter() < deadline:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(socket.recv(), timeout=TIMEOUT_MS / 1000))
            if msg.WhichOneof("type") == "script_finished":
                raise SystemExit("the page finished without a map")
            element = msg.delta.new_element
            if element.WhichOneof("type") == "iframe" and element.iframe.src.endswith(".html"):
                document = await asyncio.to_thread(_fetch, url + element.iframe.src)
                if "leaflet" in document:
                    return time.perf_counter() - start
            if element.WhichOneof("type") == "iframe" and "leaflet" in element.iframe.srcdoc:
                return time.perf_counter() - start
    raise SystemExit("no map within the time limit")


def _fetch(address: str) -> str:
    with urllib.request.urlopen(address, timeout=TIMEOUT_MS / 1000) as answer:
        return str(answer.read().decode("utf-8"))


async def run(sizes: list[int], rounds: int, clients: str) -> None:
    with tempfile.TemporaryDirectory(prefix="swmap-load-") as tmp, app_and_bare(Path(tmp)) as (server, bare):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cold = await visit(browser, server.url)
            print(f"cold (first visit after the start, a browser): {cold:.2f} s; then {clients} clients")
            for n in sizes:
                for number in range(1, rounds + 1):
                    times = await asyncio.gather(*(visit(browser, server.url) if clients == "browser"
                                                   else ws_visit(server.url) for _ in range(n)))
                    print(f"N={n:>2} round {number}: median {statistics.median(times):.2f} s, "
                          f"max {max(times):.2f} s")
                if clients == "browser":  # what N browsers cost by themselves: a page with a title only
                    times = await asyncio.gather(*(visit(browser, bare.url, bare=True) for _ in range(n)))
                    print(f"N={n:>2} bare page (title only): median {statistics.median(times):.2f} s, "
                          f"max {max(times):.2f} s")
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,20", help="concurrent visitors per round, comma-separated")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per size")
    parser.add_argument("--clients", choices=["browser", "ws"], default="browser")
    args = parser.parse_args()
    asyncio.run(run([int(n) for n in args.sizes.split(",")], args.rounds, args.clients))


if __name__ == "__main__":
    main()
