"""Shared AppTest helpers: the app with a private data directory, run page by page."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

#: AppTest's time limit per run (a first run builds the register and opens the store).
RUN_TIMEOUT_S = 90


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


def shown(markdown: str) -> str:
    """What a person reads of a Markdown body that carries user text escaped by ``app_pages.md_text.md``
    (AppTest gives the body as sent: backslash escapes and word joiners included)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")
