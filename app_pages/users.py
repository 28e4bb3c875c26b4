"""账号管理 (管理员): list the accounts, add one, disable one, reset a password, end an account's sessions,
and read the audit log. The same operations as ``swmap user …``; every rule (names, roles, a patrol's
township, the password policy) is the package's, and each change is audited with the admin's name."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.parts import access, state
from app_pages.parts.md_text import md
from school_water_map.domain.entities import TOWNSHIPS
from school_water_map.domain.inspections import LOCAL_TIME
from school_water_map.domain.users import ADMIN, PATROL, ROLE_ZH, ROLES
from school_water_map.errors import AccountError
from school_water_map.store import audit
from school_water_map.store.accounts import add_user, disable_user, list_users, revoke_sessions, set_password
from school_water_map.store.database import open_store

NO_TOWNSHIP = "（全区）"
POLICY = "至少 10 位，不能含用户名，不能是常见密码"

st.title("账号管理")
me = access.user()
if me is None or me.role != ADMIN:
    st.error(f"只有{ROLE_ZH[ADMIN]}可以管理账号。", icon=":material/block:")
    st.stop()
settings = state.settings()
store = open_store(settings)
who = {"actor": me.username, "client": access.client_address(settings)}  # for the audit log
state.show_flash()
users = list_users(store)
st.dataframe(pd.DataFrame([{"用户名": u.username, "姓名": u.display_name, "角色": ROLE_ZH[u.role],
                            "乡镇": u.township or NO_TOWNSHIP, "状态": "正常" if u.active else "已停用"}
                           for u in users]), hide_index=True)

add, manage, log = st.tabs(["新增账号", "停用与重置密码", "操作记录"])
version = st.session_state.get("user_add_version", 0)  # a fresh, empty form after each account added
with add, st.form(f"user_add_{version}"):
    left, right = st.columns(2)
    username = left.text_input("用户名", key=f"user_add_name_{version}", placeholder="如 bq01（字母、数字或汉字）")
    name = right.text_input("姓名", key=f"user_add_display_{version}", placeholder="如 李巡查")
    role = left.selectbox("角色", list(ROLES), format_func=ROLE_ZH.__getitem__, index=ROLES.index(PATROL),
                          key=f"user_add_role_{version}", placeholder="请选择角色")
    township = right.selectbox(f"所属乡镇（{ROLE_ZH[PATROL]}必填）", [NO_TOWNSHIP, *TOWNSHIPS],
                               key=f"user_add_township_{version}", placeholder="请选择乡镇")
    password = left.text_input(f"初始密码（{POLICY}）", type="password", key=f"user_add_password_{version}",
                               autocomplete="new-password")
    again = right.text_input("再次输入密码", type="password", key=f"user_add_again_{version}",
                             autocomplete="new-password")
    if st.form_submit_button("新增账号", type="primary", icon=":material/person_add:",
                             key=f"user_add_submit_{version}"):
        try:
            if password != again:
                raise AccountError("两次输入的密码不一致")
            made = add_user(store, username, password, role, display_name=name,
                            township=None if township == NO_TOWNSHIP else township, **who)
        except AccountError as exc:
            st.error(f"未新增：{md(exc)}", icon=":material/error:")
        else:
            st.session_state["user_add_version"] = version + 1
            state.after_write(f"已新增账号 {md(made.username)}：{md(made.label)}")
            st.rerun()

with manage:
    active = [u.username for u in users if u.active]
    labels = {u.username: f"{u.username} · {u.label}" for u in users}
    chosen = st.selectbox("账号", active, format_func=labels.__getitem__, key="user_manage_name",
                          placeholder="请选择账号")
    new_password = st.text_input(f"新密码（{POLICY}）", type="password", key="user_manage_password",
                                 autocomplete="new-password")
    reset, disable, end = st.columns(3)
    if reset.button("重置密码", icon=":material/key:", key="user_reset", disabled=chosen is None,
                    width="stretch"):
        try:
            set_password(store, str(chosen), new_password, **who)
        except AccountError as exc:
            st.error(f"未修改：{md(exc)}", icon=":material/error:")
        else:
            state.after_write(f"已重置 {md(chosen)} 的密码，其登录会话已全部结束。")
            st.rerun()
    if disable.button("停用账号", icon=":material/person_off:", key="user_disable", width="stretch",
                      disabled=chosen is None or chosen == me.username,
                      help="停用后不能登录和记录；已有的巡查记录保留。不能停用自己的账号。"):
        disable_user(store, str(chosen), **who)
        state.after_write(f"已停用账号 {md(chosen)}，其登录会话已全部结束。")
        st.rerun()
    if end.button("结束登录会话", icon=":material/logout:", key="user_revoke", disabled=chosen is None,
                  width="stretch", help="该账号在所有设备上需重新登录（如平板丢失）。"):
        ended = revoke_sessions(store, str(chosen), **who)
        state.after_write(f"已结束 {md(chosen)} 的 {ended} 个登录会话。")
        st.rerun()

with log:
    st.caption("最近 500 条登录与账号变更记录（不含密码）。")
    st.dataframe(pd.DataFrame([{"时间": e.at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S"), "操作": e.label,
                                "账号": e.target, "操作人": e.actor, "来源": e.client, "说明": e.detail}
                               for e in audit.entries(store)],
                              columns=["时间", "操作", "账号", "操作人", "来源", "说明"]), hide_index=True)
