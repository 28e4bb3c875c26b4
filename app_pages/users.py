"""账号管理 (管理员): list the accounts, add one, disable one, reset a password. The same operations as
``swmap user …``; every rule (names, roles, a patrol's township, password length) is the package's."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import access, state
from school_water_map.accounts import ROLE_ZH, ROLES, AccountError, add_user, disable_user, list_users, set_password
from school_water_map.entities import TOWNSHIPS
from school_water_map.store import open_store

NO_TOWNSHIP = "（全区）"

st.title("账号管理")
me = access.user()
if me is None or me.role != "admin":
    st.error("只有管理员可以管理账号。", icon=":material/block:")
    st.stop()
store = open_store(state.settings())
state.show_flash()
users = list_users(store)
st.dataframe(pd.DataFrame([{"用户名": u.username, "姓名": u.display_name, "角色": ROLE_ZH[u.role],
                            "乡镇": u.township or NO_TOWNSHIP, "状态": "正常" if u.active else "已停用"}
                           for u in users]), hide_index=True)

add, manage = st.tabs(["新增账号", "停用与重置密码"])
version = st.session_state.get("user_add_version", 0)  # a fresh, empty form after each account added
with add, st.form(f"user_add_{version}"):
    left, right = st.columns(2)
    username = left.text_input("用户名", key=f"user_add_name_{version}", placeholder="如 bq01（字母、数字或汉字）")
    name = right.text_input("姓名", key=f"user_add_display_{version}", placeholder="如 李巡查")
    role = left.selectbox("角色", list(ROLES), format_func=ROLE_ZH.__getitem__, index=ROLES.index("patrol"),
                          key=f"user_add_role_{version}")
    township = right.selectbox("所属乡镇（乡镇巡查员必填）", [NO_TOWNSHIP, *TOWNSHIPS],
                               key=f"user_add_township_{version}")
    password = left.text_input("初始密码（至少 8 位）", type="password", key=f"user_add_password_{version}",
                               autocomplete="new-password")
    again = right.text_input("再次输入密码", type="password", key=f"user_add_again_{version}",
                             autocomplete="new-password")
    if st.form_submit_button("新增账号", type="primary", icon=":material/person_add:",
                             key=f"user_add_submit_{version}"):
        try:
            if password != again:
                raise AccountError("两次输入的密码不一致")
            made = add_user(store, username, password, role, display_name=name,
                            township=None if township == NO_TOWNSHIP else township)
        except AccountError as exc:
            st.error(f"未新增：{exc}", icon=":material/error:")
        else:
            st.session_state["user_add_version"] = version + 1
            state.after_write(f"已新增账号 {made.username}：{made.label}")
            st.rerun()

with manage:
    active = [u.username for u in users if u.active]
    labels = {u.username: f"{u.username} · {u.label}" for u in users}
    chosen = st.selectbox("账号", active, format_func=labels.__getitem__, key="user_manage_name")
    new_password = st.text_input("新密码（至少 8 位）", type="password", key="user_manage_password",
                                 autocomplete="new-password")
    reset, disable = st.columns(2)
    if reset.button("重置密码", icon=":material/key:", key="user_reset", disabled=chosen is None,
                    width="stretch"):
        try:
            set_password(store, str(chosen), new_password)
        except AccountError as exc:
            st.error(f"未修改：{exc}", icon=":material/error:")
        else:
            state.after_write(f"已重置 {chosen} 的密码。")
            st.rerun()
    if disable.button("停用账号", icon=":material/person_off:", key="user_disable", width="stretch",
                      disabled=chosen is None or chosen == me.username,
                      help="停用后不能登录和记录；已有的巡查记录保留。不能停用自己的账号。"):
        disable_user(store, str(chosen))
        state.after_write(f"已停用账号 {chosen}。")
        st.rerun()
