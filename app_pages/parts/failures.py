"""Failures in the app: a Chinese ``st.error`` naming the cause for the person, the traceback in the
server's log (never in the browser; ``client.showErrorDetails`` is off as well)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from app_pages.parts import state
from app_pages.parts.md_text import md
from school_water_map.errors import SwmapError
from school_water_map.failures import describe
from school_water_map.store.database import open_store

log = logging.getLogger("school_water_map.app")


def open_or_stop() -> None:
    """Before anything else: the settings read and the store opened (migrated once, see ``open_store``),
    or the cause shown in Chinese and this run stopped."""
    with guarded():
        open_store(state.settings())


@contextmanager
def guarded() -> Iterator[None]:
    """Run a block; a failure shows its cause in Chinese, logs the traceback and stops the run
    (Streamlit's own stop and rerun signals are not exceptions and pass through)."""
    try:
        yield
    except SwmapError as exc:  # its message is already Chinese for a person
        log.warning("page failed: %s", exc, exc_info=exc)
        _show(str(exc))
    except Exception as exc:  # the app's top level: any failure reaches a person in Chinese
        log.error("page failed", exc_info=exc)
        _show(describe(exc))


def _show(message: str) -> None:
    st.error(md(message), icon=":material/error:")  # messages name user text (files, names)
    st.stop()
