"""The bureau's offline tiles served by the app itself: same address, same port, same security headers.

Streamlit (1.67) serves its media files at ``/media/<name>`` (any name, slashes allowed) from its
``MemoryMediaFileStorage``; ``map_frame`` already counts what that storage serves. Here its ``get_file``
answers one more kind of name: ``swtiles/<token>/<z>/<x>/<y>.<png|jpg>`` (``geo.tile_source.tile_name``)
is read from the tile source published under that token (the one set in 设置), and every other name goes
to Streamlit as before. So the tiles work however the app is started (``streamlit run app.py`` or
``serve.py``), behind the README's reverse proxy too, and a tablet on the network gets them from the
same address as the app.

What can be asked for: only a name that is exactly a tile's (the token and three integers), only from
the source published last, and only a PNG or JPEG tile inside it (``io.tile_files.read_tile``); a name
with ``..``, an absolute path or any other file is not a tile, and gets Streamlit's 404.

No login is asked for a tile (a media file never is): the imagery of a school's surroundings is low
sensitivity, and a tile's address says only where on the map it is (README "Offline imagery").
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import streamlit as st
from streamlit.runtime.media_file_storage import MediaFileKind, MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryFile, MemoryMediaFileStorage

from school_water_map.geo.tile_source import TileSource, parse_tile_name, tile_name
from school_water_map.io.tile_files import read_tile

PREFIX = "swtiles/"
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg"}
_MARK = "_swmap_tiles"
_published: dict[str, TileSource] = {}  # token → the source in force (one at a time)
_lock = threading.Lock()


def publish(source: TileSource) -> str:
    """Serve ``source`` from now on (in place of any other) and give its tiles' address, Leaflet's
    ``{z}/{x}/{y}`` template under ``server.baseUrlPath``."""
    install()
    with _lock:
        if source.token not in _published or _published[source.token] != source:
            _published.clear()
            _published[source.token] = source
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}/media/{tile_name(source)}" if prefix else f"/media/{tile_name(source)}"


def serve(name: str) -> MemoryFile | None:
    """The tile a media name asks for, or None when the name is no tile of the published source or the
    source has no such tile."""
    request = parse_tile_name(name)
    if request is None:
        return None
    with _lock:
        source = _published.get(request.token)
    if source is None or request.fmt != source.fmt:
        return None
    data = read_tile(source, request.z, request.x, request.y)
    return None if data is None else MemoryFile(data, MIMETYPES[source.fmt], MediaFileKind.MEDIA, None)


def install() -> None:
    """Let the media endpoint answer tile names (installed once per process)."""
    original = MemoryMediaFileStorage.get_file
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def get_file(self: MemoryMediaFileStorage, filename: str) -> Any:
        if not filename.startswith(PREFIX):
            return original(self, filename)
        served = serve(filename)
        if served is None:
            raise MediaFileStorageError(f"no such tile: {filename[:120]!r}")
        return served

    setattr(get_file, _MARK, True)
    MemoryMediaFileStorage.get_file = get_file  # type: ignore[method-assign]
