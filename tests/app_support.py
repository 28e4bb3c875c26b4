"""Shared AppTest helpers: the app with a private data directory, run page by page."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

#: AppTest's time limit per run (a first run builds the register and opens the store).
RUN_TIMEOUT_S = 90
MAP_TITLE = "学校周边危险水域地图"  # the 地图 page's map frame (app_pages/map.py)
#: The HTML documents the app last served as media files under AppTest (address → text): AppTest's
#: media storage lasts one run, so ``shown_map`` reads what was registered there.
SERVED: OrderedDict[str, str] = OrderedDict()
SERVED_KEPT = 16


def new_app(**query: str) -> AppTest:
    """``app.py`` under AppTest, opened at an address with these query parameters."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=RUN_TIMEOUT_S)
    at.query_params.update(query)
    return at


def run_page(at: AppTest, page: str | None = None) -> AppTest:
    """Run the app (on ``page``, when given) and fail on any exception it raised."""
    (at.switch_page(page) if page else at).run()
    assert not at.exception, at.exception
    return at


def shown_map(at: AppTest) -> str:
    """The 地图 page's map document: what its frame loads from its address (or holds in ``srcdoc``)."""
    (frame,) = [f for f in at.get("iframe") if f.proto.alt == MAP_TITLE]
    return frame.proto.srcdoc or SERVED[frame.proto.src]


def _record_served_html() -> None:
    """Keep each HTML document registered with Streamlit's media files (idempotent)."""
    original = MediaFileManager.add
    if getattr(original, "_swmap_recorded", False):
        return

    def add(self: MediaFileManager, path_or_data: Any, mimetype: str, *args: Any, **kwargs: Any) -> str:
        url: str = original(self, path_or_data, mimetype, *args, **kwargs)
        if mimetype == "text/html" and isinstance(path_or_data, bytes):
            SERVED[url] = path_or_data.decode("utf-8")
            SERVED.move_to_end(url)
            while len(SERVED) > SERVED_KEPT:
                SERVED.popitem(last=False)
        return url

    add._swmap_recorded = True  # type: ignore[attr-defined]
    MediaFileManager.add = add  # type: ignore[method-assign]


_record_served_html()


def shown(markdown: str) -> str:
    """What a person reads of a Markdown body that carries user text escaped by ``app_pages.md_text.md``
    (AppTest gives the body as sent: backslash escapes and word joiners included)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")
