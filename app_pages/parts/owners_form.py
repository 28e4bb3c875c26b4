"""责任人 · the 管理员's two ways in: one site's four roles in a form (a school's and a water body's roles
are shown as shared by their other sites), and a whole CSV/XLSX file. Both check every value before
anything is saved; a bad one saves nothing and is named in Chinese."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from app_pages.parts import access, state
from app_pages.parts.md_text import md
from school_water_map.domain.owners import (
    PARTS,
    ROLE_ZH,
    ROLES,
    SCHOOL,
    TOWNSHIP,
    VILLAGE,
    WATER,
    Owner,
    Subjects,
    check_owner,
    key,
    subject_of,
)
from school_water_map.domain.sites import Site
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, DataFileError, OwnersFileError, SettingsError
from school_water_map.io.owners_file import read_owners
from school_water_map.settings import Settings
from school_water_map.store.database import Store
from school_water_map.store.owners import set_owners

SITE_KEY = "owners_site"
VERSION_KEY = "owners_version"  # fresh inputs after each save, and for each site


def subjects(all_sites: Sequence[Site]) -> Subjects:
    return Subjects(sites={s.site_id for s in all_sites}, schools={s.school_id for s in all_sites},
                    waters={s.water_id for s in all_sites})


def site_label(site: Site) -> str:
    return (f"第 {'、'.join(map(str, site.rows))} 行 · {site.school}—{site.water}"
            f"（{site.township_label}，{site.risk_level_label}）")


def site_editor(store: Store, me: User, settings: Settings, all_sites: Sequence[Site],
                book: Mapping[tuple[str, str], Owner]) -> None:
    """Choose a site (riskiest first), edit its four roles, 保存责任人."""
    st.subheader("按点位填写")
    by_id = {s.site_id: s for s in all_sites}
    chosen = st.selectbox("点位", list(by_id), index=None, key=SITE_KEY, placeholder="请选择点位（按风险从高到低）",
                          format_func=lambda ident: site_label(by_id[ident]))
    if chosen is None:
        return
    site = by_id[chosen]
    version = st.session_state.get(VERSION_KEY, 0)
    with st.form(f"owners_{site.site_id}_{version}"):
        typed: dict[str, dict[str, str]] = {}
        for role in ROLES:
            held = book.get(key(role, subject_of(role, site))) or Owner(role, subject_of(role, site))
            st.markdown(f"**{md(_title(role, site, all_sites))}**")
            columns = st.columns(3)
            typed[role] = {part: columns[i].text_input(f"{ROLE_ZH[role]}·{name}", getattr(held, part),
                                                       key=f"owner_{role}_{part}_{site.site_id}_{version}",
                                                       placeholder="手机号或 0953-1234567" if part == "phone" else "")
                           for i, (part, name) in enumerate(PARTS.items())}
        note = st.text_input("说明（可选）", key=f"owners_note_{site.site_id}_{version}",
                             placeholder="如：依据乡镇 2026 年包保责任分工")
        saved = st.form_submit_button("保存责任人", type="primary", icon=":material/save:",
                                      key=f"owners_save_{site.site_id}_{version}")
    if saved:
        _save_site(store, me, settings, site, all_sites, typed, note)


def file_import(store: Store, me: User, settings: Settings, all_sites: Sequence[Site]) -> None:
    """Upload the filled-in table; 导入责任人 saves every row or none."""
    st.subheader("从文件导入")
    st.caption("下载上面的责任人表，填写“单位、责任人、电话”后上传（CSV 或 Excel）。任何一行有错，整个文件都不导入，"
               "并列出全部问题；“名称”列只供阅读。把一行的单位、责任人和电话都清空，即清除该项。")
    version = st.session_state.get(VERSION_KEY, 0)
    upload = st.file_uploader("责任人表（CSV、Excel）", type=["csv", "xlsx"], key=f"owners_upload_{version}")
    if not st.button("导入责任人", disabled=upload is None, icon=":material/upload:", key="owners_import"):
        return
    assert upload is not None
    try:
        owners = read_owners(upload.getvalue(), upload.name, subjects(all_sites))
        written = set_owners(store, owners, actor=me, note=f"文件导入：{upload.name}",
                             client=access.client_address(settings))
    except OwnersFileError as exc:
        st.error(f"文件未导入：共 {len(exc.problems)} 处问题，须全部改正后再导入；所有责任人均未修改。",
                 icon=":material/error:")
        st.markdown("\n".join(f"- {md(problem)}" for problem in exc.problems))
        return
    except (DataFileError, AuthError) as exc:
        st.error(f"文件未导入：{md(exc)}", icon=":material/error:")
        return
    _done(len(written), f"（{md(upload.name)}）", version)


def _save_site(store: Store, me: User, settings: Settings, site: Site, all_sites: Sequence[Site],
               typed: Mapping[str, Mapping[str, str]], note: str) -> None:
    try:
        owners = [check_owner(role, subject_of(role, site), values["unit"], values["person"], values["phone"],
                              subjects(all_sites)) for role, values in typed.items()]
        written = set_owners(store, owners, actor=me, note=note, client=access.client_address(settings))
    except (SettingsError, AuthError) as exc:
        st.error(f"未保存（本点位的修改均未生效）：{md(exc)}", icon=":material/error:")
        return
    _done(len(written), f"（{md(site_label(site))}）", st.session_state.get(VERSION_KEY, 0))


def _done(count: int, what: str, version: int) -> None:
    if not count:
        st.info("没有修改。", icon=":material/info:")
        return
    st.session_state[VERSION_KEY] = version + 1
    state.after_write(f"已保存 {count} 项责任人{what}")
    st.rerun()


def _title(role: str, site: Site, all_sites: Sequence[Site]) -> str:
    if role == TOWNSHIP:
        return f"属地乡镇（本点位；未填写的项印设置中“{site.township_label}”的告示联系人）"
    if role == VILLAGE:
        return "村（社区）（本点位）"
    if role == SCHOOL:
        shared = sum(s.school_id == site.school_id for s in all_sites)
        return f"学校安全负责人（{site.school}{f'，该校 {shared} 个点位共用' if shared > 1 else ''}）"
    assert role == WATER
    shared = sum(s.water_id == site.water_id for s in all_sites)
    return f"水体管理单位（{site.water}{f'，{shared} 个点位共用，只需填一次' if shared > 1 else ''}）"
