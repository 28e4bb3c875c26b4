"""The Streamlit app: a thin router over the pages in ``app_pages/`` (run: ``streamlit run app.py``)."""

from __future__ import annotations

import streamlit as st

from app_pages.parts import access, failures, login, runtime_guard, state, zh_ui
from app_pages.parts.access import EVERYONE, OPEN, PageSpec
from school_water_map.domain.users import ADMIN, PATROL, VIEWER

runtime_guard.install()  # a client may not empty everyone's caches (Streamlit's clear_cache)
st.set_page_config(page_title="学校周边危险水域地图", page_icon=str(state.FAVICON_PATH), layout="wide",
                   initial_sidebar_state="collapsed")
state.apply_style()
zh_ui.install()  # Streamlit's own English ("Page not found", "No results", tooltips) in Chinese
failures.open_or_stop()  # the store migrated once, or its failure in Chinese (details in the log)
#: Every page and who has it: in the menu, or only by its address (a notice's QR code opens 巡查 at
#: ``/?site=<site id>``). OPEN is the app before any account exists: everyone reads and locates.
PAGES = [
    PageSpec(state.PAGE_MAP, "地图", ":material/map:", EVERYONE),
    PageSpec(state.PAGE_REGISTER, "隐患清单", ":material/format_list_numbered:", EVERYONE),
    PageSpec(state.PAGE_LOCATE, "定位与校核", ":material/add_location_alt:", frozenset({OPEN, ADMIN, PATROL})),
    PageSpec(state.PAGE_PATROL, "巡查", ":material/fact_check:", frozenset({ADMIN, PATROL}),
             by_address=frozenset({OPEN, VIEWER}), first_for=frozenset({PATROL})),
    PageSpec(state.PAGE_COVERAGE, "巡查概况", ":material/monitoring:", frozenset({ADMIN, VIEWER})),
    PageSpec(state.PAGE_TASKS, "整改", ":material/assignment_turned_in:", frozenset({ADMIN, VIEWER})),
    PageSpec(state.PAGE_NOTICES, "告知书", ":material/print:", frozenset({OPEN, ADMIN, VIEWER})),
    PageSpec(state.PAGE_OWNERS, "责任人", ":material/badge:", frozenset({ADMIN, VIEWER})),
    PageSpec(state.PAGE_EXCHANGE, "数据交换", ":material/swap_horiz:", frozenset({OPEN, ADMIN})),
    PageSpec(state.PAGE_USERS, "账号管理", ":material/manage_accounts:", frozenset({ADMIN})),
    PageSpec(state.PAGE_SETTINGS, "设置", ":material/settings:", frozenset({ADMIN})),
]
settings = state.settings()
with failures.guarded():  # a failure anywhere below: its cause in Chinese, the traceback in the log
    user = access.refresh_user(settings)  # a live session cookie signs a reload or a new tab in
    access.sync_cookie(settings)  # the cookie of the last login or logout reaches the browser
    if user is None and access.accounts_exist(settings):
        asked = access.login_navigation(PAGES)  # the address asked for (?site=…) opens once logged in
        if (account := login.show(settings)) is not None:
            access.enter(PAGES, asked, account, settings)
        st.stop()
    page = access.navigation(PAGES, user)
    access.header(user, settings)
    page.run()
