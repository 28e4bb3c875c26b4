"""User text in Streamlit's Markdown: ``md(text)`` shows it as typed, never as Markdown.

``st.markdown``, ``st.caption``, ``st.info``/``warning``/``error``/``success``, ``st.subheader``,
``st.toast`` and the labels of widgets (buttons, expanders, tabs, and the options of ``st.radio``,
``st.pills`` and ``st.segmented_control``) render Markdown: a name like ``[点此](http://…)`` or
``![x](http://…)`` becomes a live link or a remote image, ``:red[…]`` a directive and ``$…$`` LaTeX.
CommonMark lets a backslash escape any ASCII punctuation, so escaping all of it (and keeping a
person's line breaks) leaves nothing for any of these to act on. Bare ``http://…``, ``www.…`` and
``name@host`` addresses are the exception: GitHub-flavoured Markdown links them in the parsed text,
after escapes are resolved, so a WORD JOINER (U+2060, invisible) is put where they would match
(``http⁠://``, ``www⁠.``, ``⁠@``). Raw HTML is never rendered by those calls (``unsafe_allow_html``
stays off); ``st.html`` must never receive user text.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")  # where GFM links bare text
_JOINER = "\u2060"


def md(value: object) -> str:
    """``value`` as literal text inside a Markdown-rendering call (line breaks kept as breaks)."""
    text = _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(_JOINER, str(value)))
    return text.replace("\r\n", "\n").replace("\n", "  \n")
