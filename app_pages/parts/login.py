"""登录: shown by the router in place of any page while nobody is logged in (once accounts exist)."""

from __future__ import annotations

import streamlit as st

from app_pages.parts.access import client_address
from app_pages.parts.md_text import md
from school_water_map.domain.users import ADMIN, ROLE_ZH, User
from school_water_map.errors import AuthError
from school_water_map.settings import Settings
from school_water_map.store.accounts import authenticate
from school_water_map.store.database import open_store
from school_water_map.store.throttle import ThrottleRules


def show(settings: Settings) -> User | None:
    """The login form; the user once the password is right (the router then opens the page).
    Too many failures for the account or from this device refuse further tries for a while."""
    st.title("登录")
    st.caption(f"学校周边危险水域地图 · 请使用{ROLE_ZH[ADMIN]}分配的账号登录。忘记密码请联系{ROLE_ZH[ADMIN]}重置。"
               f"登录后 {settings.session_hours:g} 小时内，刷新或新开页面无需再次登录。")
    site = st.query_params.get("site")
    if site:
        st.info(f"登录后将打开站点 {md(site)} 的巡查表。", icon=":material/qr_code_scanner:")
    with st.form("login_form", enter_to_submit=True):
        username = st.text_input("用户名", key="login_username", autocomplete="username")
        password = st.text_input("密码", type="password", key="login_password", autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary", icon=":material/login:", key="login_submit",
                                          width="stretch")
    if not submitted:
        return None
    try:
        return authenticate(open_store(settings), username, password, client=client_address(settings),
                            rules=ThrottleRules.from_settings(settings))
    except AuthError as exc:
        st.error(md(exc), icon=":material/error:")
        return None
