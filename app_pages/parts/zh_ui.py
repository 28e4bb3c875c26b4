"""Streamlit's own English in Chinese: the script ``zh_ui.js``, put on every page by the router.

Streamlit 1.67 has no locale; its frontend writes fixed English into the page: the "Page not found"
dialog of an address that names no page, a selectbox's "Choose an option" and "No results", the table
toolbar's tooltips ("Download as CSV", "Search", "Fullscreen"), the status widget's "Running...".
Placeholders the app can set itself are set on each widget (``placeholder=``); for the rest
``zh_ui.js`` watches the document (a MutationObserver) and puts each of those texts and attributes in
Chinese as it appears. The file is read once per process and sent inline: no network, and the
Content-Security-Policy (``headers.py``) already allows Streamlit's inline scripts. The script runs
once per browser window whichever page is open; the map's frames are documents of their own (Chinese
already). ``style.css`` keeps its Chinese for the file uploader and the typing hints, so they never
show English even for a moment. ``tests/test_browser_chinese.py`` crawls every page for every role.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

SCRIPT_PATH = Path(__file__).with_name("zh_ui.js")
#: The script's container: kept out of the layout (style.css), the script itself runs all the same.
KEY = "swm_zh_ui"


def install() -> None:
    """Send the translating script (it installs itself once per window; later runs are no-ops)."""
    with st.container(key=KEY):
        st.html(f"<script>{script()}</script>", unsafe_allow_javascript=True)


@functools.cache
def script() -> str:
    """``zh_ui.js`` as sent: a ``</`` could close the inline script early, so there is none."""
    text = SCRIPT_PATH.read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"{SCRIPT_PATH.name} must not contain '</' (it is sent inside a <script> element)")
    return text
