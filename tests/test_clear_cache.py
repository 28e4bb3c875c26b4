"""A client's clear_cache BackMsg (Streamlit's menu, the key 'c', or a hand-made websocket message) must not
empty the caches every user shares; other messages still reach Streamlit."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest
import streamlit as st
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime.app_session import AppSession

from app_pages.parts import runtime_guard

CALLS: list[int] = []


@st.cache_data
def _cached(n: int) -> int:
    CALLS.append(n)
    return n


@st.cache_resource
def _resource() -> list[int]:
    CALLS.append(-1)
    return []


@pytest.fixture
def session() -> SimpleNamespace:
    """Just enough of an AppSession for ``handle_backmsg``: the real clear-cache handler, a stop handler."""
    fake = SimpleNamespace(_session_state=mock.Mock(), _handle_stop_script_request=mock.Mock(), id="test")
    fake._handle_clear_cache_request = lambda: AppSession._handle_clear_cache_request(fake)  # type: ignore[arg-type]
    return fake


def _fill() -> None:
    CALLS.clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    _cached(1)
    _resource()


def test_a_clients_clear_cache_leaves_the_caches_whole(session):
    assert runtime_guard.install() and runtime_guard.install()  # idempotent
    _fill()
    msg = BackMsg()
    msg.clear_cache = True
    AppSession.handle_backmsg(session, msg)  # type: ignore[arg-type]
    _cached(1)
    _resource()
    assert CALLS == [1, -1]  # both caches answered without recomputing
    session._session_state.clear.assert_not_called()


def test_other_messages_still_reach_streamlit(session):
    runtime_guard.install()
    msg = BackMsg()
    msg.stop_script = True
    AppSession.handle_backmsg(session, msg)  # type: ignore[arg-type]
    session._handle_stop_script_request.assert_called_once()


def test_the_app_installs_the_guard_at_start(app_settings):
    from tests.app_support import new_app, run_page

    with mock.patch.object(AppSession, "handle_backmsg", AppSession.handle_backmsg):
        unguarded = getattr(AppSession.handle_backmsg, "__wrapped__", AppSession.handle_backmsg)
        AppSession.handle_backmsg = unguarded  # type: ignore[method-assign]
        run_page(new_app())
        assert getattr(AppSession.handle_backmsg, runtime_guard._MARK, False)
