"""A guard on Streamlit's runtime, installed when the app starts: clients may not empty the app's caches.

Streamlit lets any browser, logged in or not, send the BackMsg ``clear_cache`` (the menu's 清除缓存,
the keyboard's ``c``, or a hand-made websocket message); ``AppSession.handle_backmsg`` then clears
``st.cache_data`` and ``st.cache_resource`` for every user (1.67: ``_handle_clear_cache_request``).
``client.toolbarMode = "minimal"`` only hides the menu item. This guard wraps ``handle_backmsg`` so that
a ``clear_cache`` from a client is logged and dropped; everything else goes through unchanged. The
app itself still clears its data cache after a write (``state.after_write``).

Checked on the Streamlit versions in ``TESTED``; on another version the guard is still installed if
``AppSession.handle_backmsg`` exists (the BackMsg field is part of Streamlit's protocol), and says so
in the log; ``tests/test_clear_cache.py`` fails if it stops working.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import streamlit
from streamlit.runtime.app_session import AppSession

LOG = logging.getLogger(__name__)
TESTED = ("1.67",)  # major.minor of the Streamlit versions this guard was checked on
DROPPED = "clear_cache"
_MARK = "_swmap_guarded"


def install() -> bool:
    """Make ``AppSession`` ignore a client's ``clear_cache`` (idempotent); False when it cannot."""
    handler = getattr(AppSession, "handle_backmsg", None)
    if handler is None:
        LOG.error("Streamlit %s has no AppSession.handle_backmsg: clients can still clear the caches",
                  streamlit.__version__)
        return False
    if getattr(handler, _MARK, False):
        return True
    if ".".join(streamlit.__version__.split(".")[:2]) not in TESTED:
        LOG.warning("clear_cache guard not checked on Streamlit %s (checked: %s)", streamlit.__version__, TESTED)
    AppSession.handle_backmsg = _guarded(handler)  # type: ignore[method-assign, assignment]
    return True


def _guarded(handler: Callable[[AppSession, Any], None]) -> Callable[[AppSession, Any], None]:
    @functools.wraps(handler)
    def handle_backmsg(self: AppSession, msg: Any) -> None:
        if msg.WhichOneof("type") == DROPPED:
            LOG.warning("ignored a client's clear_cache request (session %s)", getattr(self, "id", "?"))
            return
        handler(self, msg)

    setattr(handle_backmsg, _MARK, True)
    return handle_backmsg
