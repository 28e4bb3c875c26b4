"""Shared AppTest helpers: the app with a private data directory, run page by page."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryFile
from streamlit.testing.v1 import AppTest

from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from tests.conftest import REPO
from tests.helpers import PASSWORDS

#: AppTest's time limit per run (a first run builds the register and opens the store).
RUN_TIMEOUT_S = 90
#: The 数据交换 page.
EXCHANGE = "app_pages/exchange.py"
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
    """What a person reads of a Markdown body that carries user text escaped by ``app_pages.parts.md_text.md``
    (AppTest gives the body as sent: backslash escapes and word joiners included)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def texts(elements) -> str:
    """The text of every element in a list (values, or bodies of Markdown and captions), one a line."""
    return "\n".join(str(e.value if hasattr(e, "value") else e.body) for e in elements)


def refused_outside_district(at: AppTest, button: str, settings: Settings, refused: str) -> None:
    """Click ``button``: the page refuses (``refused`` … 不在本区范围内) and the store holds no position."""
    at.button(key=button).click()
    run_page(at)
    assert refused in at.error[0].value and "不在本区范围内" in at.error[0].value
    assert open_store(settings).positions.load() == []


def login(username: str, password: str | None = None, **query: str) -> AppTest:
    """The app opened at an address with ``query``, logged in as ``username`` (the password of
    ``tests.helpers.PASSWORDS`` unless given)."""
    at = run_page(new_app(**query))
    assert at.title[0].value == "登录"
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password or PASSWORDS[username])
    at.button(key="login_submit").click()
    return run_page(at)


def exchange_page(author: str = "李四") -> AppTest:
    """The 数据交换 page with the author's name filled in."""
    at = run_page(new_app(), EXCHANGE)
    at.text_input(key="author").input(author)
    return run_page(at)


def paste_annex(at: AppTest, text: str) -> AppTest:
    """Paste an annex as text on the 数据交换 page."""
    at.button_group(key="annex_source").set_value("text")
    run_page(at)
    at.text_area(key="annex_text_0").input(text)
    return run_page(at)


def media_file(media: list, url: str) -> MemoryFile:
    """A file the page handed out, read back from the ``media`` fixture's last storage."""
    return media[-1].get_file(url.rsplit("/", 1)[1])
