"""Serve the map's JavaScript and CSS from the repository instead of a CDN.

folium lists its browser assets as ``(name, url)`` pairs in ``default_js``/``default_css`` on the map
and on every plugin. ``localize_assets`` rewrites each listed URL, per instance, to the copy in
``static/vendor/`` (``tools/fetch_vendor_assets.sh`` fetches them; the app serves them at
``/app/static/vendor``). One missing script leaves the map blank, so a URL with no local copy is an
error, not a silent CDN fallback. No Streamlit import: the app passes the URL base.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import branca.colormap
import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from school_water_map.errors import MissingAssetError

#: Where the vendored files live in the repository (served under ``<base>/``).
VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"
#: The URL path Streamlit serves ``static/vendor`` at (prefix it with ``server.baseUrlPath``).
DEFAULT_BASE = "/app/static/vendor"

#: The end of every asset URL folium 0.20 lists for the elements this project uses (the version is part
#: of it, so an upgraded folium asking for another version fails loudly) → its file under ``static/vendor``.
VENDORED = {
    "/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "/jquery-3.7.1.min.js": "jquery/jquery-3.7.1.min.js",
    "/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": "awesome-markers/leaflet.awesome-markers.js",
    "/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "/bootstrap@5.2.2/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "/bootstrap/3.0.0/css/bootstrap-glyphicons.css": "glyphicons/css/bootstrap-glyphicons.css",
    "/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": "fontawesome/css/all.min.css",
    "/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": "awesome-markers/leaflet.awesome-markers.css",
    "/folium/templates/leaflet.awesome.rotate.min.css": "folium/leaflet.awesome.rotate.min.css",
    "/leaflet.draw/1.0.2/leaflet.draw.js": "leaflet-draw/leaflet.draw.js",
    "/leaflet.draw/1.0.2/leaflet.draw.css": "leaflet-draw/leaflet.draw.css",
}


def localize_assets(fmap: folium.Map, base: str = DEFAULT_BASE) -> folium.Map:
    """Point every JS/CSS asset of the map and its children at ``base`` (call after adding all children).

    Sets instance attributes only (folium's class-level lists stay untouched), and sets Leaflet's
    default icon path, which it cannot guess inside the st_folium frame.
    """
    base = base.rstrip("/")
    for element in _walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            raise MissingAssetError("地图图例不能用 branca 色带（它从 CDN 加载 d3，离线时地图空白）：请改用 HTML 图例")
        if isinstance(element, JSCSSMixin):
            element.default_js = _localized(element.default_js, base)
            element.default_css = _localized(element.default_css, base)
    fix = _IconImagePath(f"{base}/leaflet/images/")
    fmap.add_child(fix, name="icon_image_path")
    fmap._children.move_to_end("icon_image_path", last=False)  # before any marker is created
    return fmap


def asset_urls(fmap: folium.Map) -> list[str]:
    """Every JS/CSS URL the map and its children list (what st_folium will load)."""
    urls: list[str] = []
    for element in _walk(fmap):
        if isinstance(element, JSCSSMixin):
            urls.extend(url for _, url in [*element.default_js, *element.default_css])
    return list(dict.fromkeys(urls))


def missing_files(urls: Sequence[str], base: str = DEFAULT_BASE) -> list[str]:
    """The URLs under ``base`` with no file in ``static/vendor`` (a packaging check)."""
    prefix = base.rstrip("/") + "/"
    return [url for url in urls if url.startswith(prefix) and not (VENDOR_DIR / url[len(prefix):]).is_file()]


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _localized(pairs: Sequence[tuple[str, str]], base: str) -> list[tuple[str, str]]:
    out = []
    for name, url in pairs:
        if url.startswith(("http://", "https://", "//")):
            local = next((path for tail, path in VENDORED.items() if urlparse(url).path.endswith(tail)), None)
            if local is None:
                raise MissingAssetError(f"地图资源没有本地副本：{name}（{url}），离线时地图会空白；"
                                        "请把它加入 static/vendor 和 VENDORED")
            url = f"{base}/{local}"
        out.append((name, url))
    return out


class _IconImagePath(MacroElement):
    """``L.Icon.Default.imagePath``: Leaflet guesses it from leaflet.css, which is not loaded yet in st_folium."""

    _template = Template("""{% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = {{ this.path|tojson }};
    {% endmacro %}""")

    def __init__(self, path: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "IconImagePath"
        self.path = path
