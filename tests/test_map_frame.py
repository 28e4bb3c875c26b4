"""The 地图 page's map document is served by address (a media file, ``text/html``), not written into the page."""

from __future__ import annotations

import threading
from unittest.mock import MagicMock

import pytest
from streamlit import runtime
from streamlit.runtime import Runtime
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from app_pages.parts import map_frame
from tests.app_support import MAP_TITLE, new_app, run_page, shown_map
from tests.placing import place


@pytest.fixture
def media(monkeypatch) -> MemoryMediaFileStorage:
    """A Streamlit runtime whose media files are kept in this storage."""
    storage = MemoryMediaFileStorage("/media")
    fake = MagicMock(spec=Runtime)
    fake.media_file_mgr = MediaFileManager(storage)
    monkeypatch.setattr(Runtime, "_instance", fake)
    return storage


def test_the_page_gives_the_frame_an_address_and_serves_the_document_there(app_settings):
    place(app_settings, "利通区第十一小学")
    at = run_page(new_app())
    (frame,) = [f for f in at.get("iframe") if f.proto.alt == MAP_TITLE]
    assert not frame.proto.srcdoc  # not through the page's websocket
    assert frame.proto.src.startswith("/mock/media/") and frame.proto.src.endswith(".html")
    assert "利通区第十一小学" in shown_map(at) and "L.map(" in shown_map(at)


def test_the_document_is_a_text_html_media_file_named_by_its_whole_hash(media):
    url = map_frame.address("<html><body>地图</body></html>", "1.(2.3)")
    assert url is not None and url.startswith("/media/") and url.endswith(".html")
    served = media.get_file(url.rsplit("/", 1)[-1])
    assert served.mimetype == "text/html"
    assert served.content.decode("utf-8") == f"<html><body>地图</body>{map_frame.DRAWN_PING}</html>"
    other = map_frame.address("<html><body>另一张</body></html>", "1.(2.3)")
    assert other != url  # another document, another address


def test_no_runtime_means_no_address(monkeypatch):
    monkeypatch.setattr(runtime, "exists", lambda: False)
    assert map_frame.address("<html></html>", "1.(2.3)") is None


def test_the_wait_ends_when_the_browser_has_drawn_the_document(media):
    url = map_frame.address("<html><body>等待</body></html>", "1.(2.3)")
    assert url is not None
    name = url.rsplit("/", 1)[-1]
    results: list[bool] = []
    waiter = threading.Thread(target=lambda: results.append(map_frame.wait_until_drawn(url, 30)))
    waiter.start()
    while name not in map_frame._waiting and waiter.is_alive():  # until the waiter has registered
        waiter.join(0.01)
    media.get_file(name)  # what the media endpoint does for GET /media/<name>: the frame loads it
    waiter.join(0.2)
    assert waiter.is_alive() and not results  # loaded, not drawn yet
    media.get_file(name)  # the document's closing script asks for it again: drawn
    waiter.join(30)
    assert results == [True]
    assert map_frame.wait_until_drawn(url, 0.05) is False  # nobody asks: the wait gives up
    assert name not in map_frame._waiting and name not in map_frame._fetches  # nothing kept
