"""The map as one standalone HTML document, for a read-only page (no Streamlit import).

``streamlit_folium.st_folium`` renders a map about three times per page run (its root, the map, the
map's script) and loads its own component bundle before the map: about 2 s of CPU for the whole
register on this machine. A page that only shows the map embeds this document instead (``st.iframe``),
built once per register version, view, basemap and scope and cached by the app.

The document loads only what the drawn elements need, from the local copies (``map_assets``):
Leaflet, and jQuery only where folium needs more of it than parsing its popups' HTML. Bootstrap, Font Awesome and the
awesome-markers plugin serve ``folium.Icon`` only, which this map does not use; a map that does
keeps them.
"""

from __future__ import annotations

import re
from pathlib import Path

import folium

from school_water_map.outputs.map_assets import DEFAULT_BASE, VENDOR_DIR, localize_assets

#: Asset names (folium's ``default_js``/``default_css``) that ``folium.Icon`` (awesome markers) needs.
ICON_ASSETS = frozenset({"bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
                         "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"})

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
#: A ``url(…)`` in a stylesheet relative to the stylesheet (not ``#…``, ``data:``, ``/…`` or a scheme).
_RELATIVE_URL = re.compile(r"""url\(\s*['"]?(?![#/]|data:|[a-z][a-z0-9+.-]*:)([^'")\s]+)['"]?\s*\)""", re.IGNORECASE)

#: What folium's popups ask of jQuery, ``$(`<div …>…</div>`)[0]``: the element the HTML string parses
#: to, parsed as jQuery does it (``innerHTML`` of a detached ``div``; no script in it runs).
POPUP_PARSER = ('function $(html) { var holder = document.createElement("div"); holder.innerHTML = html; '
                "return [holder.firstChild]; }")


def map_document(fmap: folium.Map, base: str = DEFAULT_BASE, *, inline_scripts: bool = True) -> str:
    """The whole map as an HTML page whose assets are served under ``base`` (the app's static folder).

    With ``inline_scripts`` the vendored scripts (Leaflet, jQuery: 234 KB) and stylesheets (Leaflet's,
    its images' URLs made absolute) are written into the page from ``static/vendor`` instead of being
    fetched after it: in the app they would queue behind Streamlit's own chunks, and a stylesheet holds
    back the map's script until it has arrived (benchmarks/map_first_paint.py)."""
    if not any(isinstance(element, folium.Icon) for element in _walk(fmap)):
        fmap.default_js = [(name, url) for name, url in fmap.default_js if name not in ICON_ASSETS]
        fmap.default_css = [(name, url) for name, url in fmap.default_css if name not in ICON_ASSETS]
    localize_assets(fmap, base)
    page = str(fmap.get_root().render())
    if inline_scripts:
        prefix = base.rstrip("/") + "/"
        page = _without_jquery(page, fmap.default_js)
        for _, url in fmap.default_js:
            tag = f'<script src="{url}"></script>'
            if url.startswith(prefix) and tag in page:
                page = page.replace(tag, _inline_script(VENDOR_DIR / url[len(prefix):], url), 1)
        for _, url in fmap.default_css:
            tag = f'<link rel="stylesheet" href="{url}"/>'
            if url.startswith(prefix) and tag in page:
                page = page.replace(tag, _inline_style(VENDOR_DIR / url[len(prefix):], url), 1)
    return page


def _inline_script(path: Path, url: str) -> str:
    """The script element with the file's code, marked with the URL it replaces."""
    code = path.read_text(encoding="utf-8")
    if "</script" in code.lower():  # would end the element early
        raise ValueError(f"{path.name} contains a closing script tag and cannot be inlined")
    return f"<script>/* inlined: {url} */\n{code}\n</script>"


def _without_jquery(page: str, scripts: list[tuple[str, str]]) -> str:
    """``page`` with jQuery (88 KB to parse and run) replaced by ``POPUP_PARSER`` when folium uses it
    only to parse its popups' HTML (every ``$(`` is ``$(`<``), else unchanged."""
    url = dict(scripts).get("jquery")
    tag = f'<script src="{url}"></script>'
    if url is None or tag not in page or "jquery" in page.replace(tag, "").lower():
        return page
    if page.count("$(") != page.count("$(`<") or "$." in page:
        return page
    return page.replace(tag, f"<script>/* popups without jQuery */\n{POPUP_PARSER}\n</script>", 1)


def _inline_style(path: Path, url: str) -> str:
    """The style element with the file's rules, relative ``url(…)`` references made absolute (comments,
    which only explain the rules, left out)."""
    css = _CSS_COMMENT.sub("", path.read_text(encoding="utf-8"))
    if "</style" in css.lower():  # would end the element early
        raise ValueError(f"{path.name} contains a closing style tag and cannot be inlined")
    folder = url.rsplit("/", 1)[0]
    css = _RELATIVE_URL.sub(lambda match: f"url({folder}/{match.group(1)})", css)
    return f"<style>/* inlined: {url} */\n{css}\n</style>"


def _walk(element: object) -> list[object]:
    out: list[object] = [element]
    for child in getattr(element, "_children", {}).values():
        out.extend(_walk(child))
    return out

