"""The 地图 page's map document served by address, not written into the page.

An ``st.iframe`` given the HTML itself puts it in the frame's ``srcdoc``: the whole document (about
0.75 MB) travels in the page's websocket message, is decoded by Streamlit's frontend and handed to
React as one attribute before the frame even starts. Here the document is one of Streamlit's media
files instead (``/media/<id>.html``, served as ``text/html``, compressed, under the app's security
headers like every response), and the frame loads it like any page. A media file lives while a
session shows it; its id is a hash of the document, so the address cannot be guessed without it.

``wait_until_drawn`` lets the page send its map before everything else: the controls drawn above
the map need Streamlit's widget code, which the browser fetches, runs and lays out first if their
elements arrive with the map's (the map drawn 0.2-0.5 s later; benchmarks/map_first_paint.py). The
served document ends with ``DRAWN_PING``: once its script has drawn every layer it asks for one byte
of its own address, so the server learns that the map is drawn.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import Counter
from typing import Any

import streamlit as st
from streamlit import runtime
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

MIMETYPE = "text/html"
_MARK = "_swmap_counted"
_fetches: Counter[str] = Counter()  # media file name → times served, for the names someone waits for
_waiting: Counter[str] = Counter()
_changed = threading.Condition()
#: The document's last script: Leaflet has drawn every layer by then; one byte of its own address (a media
#: file, so the request is counted) tells the waiting page run (a failure changes nothing on the map).
DRAWN_PING = ('<script>fetch(location.href, {headers: {Range: "bytes=0-0"}, cache: "no-store"})'
              ".catch(function () {});</script>")


def address(html: str, coordinates: str) -> str | None:
    """The document's address, registered for this session at ``coordinates`` (the element's place);
    None without Streamlit's runtime (the caller then writes the document into the page)."""
    if not runtime.exists():
        return None
    _count_fetches()
    head, end, tail = html.rpartition("</html>")
    data = (f"{head}{DRAWN_PING}{end}{tail}" if end else html + DRAWN_PING).encode("utf-8")
    # the name is part of the file's id: Streamlit's own id samples files over 1 MiB, this one is the whole hash
    name = f"{hashlib.sha256(data).hexdigest()}.html"
    url: str = runtime.get_instance().media_file_mgr.add(data, MIMETYPE, coordinates, file_name=name)
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}{url}" if prefix else url


def wait_until_drawn(url: str, timeout_s: float) -> bool:
    """Wait until a browser has loaded the document at ``url`` and its ``DRAWN_PING`` has asked for it
    again (two requests; at most ``timeout_s``); True if it did."""
    name = url.rsplit("/", 1)[-1]
    with _changed:
        _waiting[name] += 1
        seen = _fetches[name]
        try:
            return _changed.wait_for(lambda: _fetches[name] >= seen + 2, timeout=timeout_s)
        finally:
            _waiting[name] -= 1
            if _waiting[name] <= 0:
                del _waiting[name]
                _fetches.pop(name, None)


def _count_fetches() -> None:
    """Count each time the media endpoint serves a file someone waits for (installed once)."""
    original = MemoryMediaFileStorage.get_file
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def get_file(self: MemoryMediaFileStorage, filename: str) -> Any:
        # the endpoint asks for "<id>.html"; registering a file asks for "<id>", which is not counted
        served = original(self, filename)
        with _changed:
            if filename in _waiting:
                _fetches[filename] += 1
                _changed.notify_all()
        return served

    setattr(get_file, _MARK, True)
    MemoryMediaFileStorage.get_file = get_file  # type: ignore[method-assign]
