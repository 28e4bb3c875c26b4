"""Text from people and files put into the map's HTML: escaped for HTML and for the JavaScript around it.

folium writes popup and tooltip HTML into JavaScript template literals (`` `…` ``), where ``${…}``
runs and a backtick or a backslash ends or bends the string; Leaflet then sets it as ``innerHTML``.
``html_text`` escapes the HTML specials (``& < > " '``) and writes ``$``, the backtick and the
backslash as HTML character references, which a template literal leaves alone and the browser shows
as the characters themselves. Every name, source, note or answer drawn on the map goes through it.
"""

from __future__ import annotations

import html

#: Characters that are plain in HTML but active in a JavaScript template literal.
_TEMPLATE_LITERAL = str.maketrans({"$": "&#36;", "`": "&#96;", "\\": "&#92;"})


def html_text(value: object) -> str:
    """``value`` as text inside HTML that folium puts in a JavaScript template literal."""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)
