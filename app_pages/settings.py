"""设置 (管理员): the app's address (for QR codes), map and geocoder keys, the offline tile source, patrol
rules and the default notice contacts, kept in the database with who changed what and when. An environment
variable set at deployment wins: its field is shown disabled. Keys are never shown back in full; an empty key input
leaves the key unchanged, 清除 removes it. Every value is checked before anything is saved (the offline
tiles on disk too)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.parts import access, state, township_assign
from app_pages.parts.md_text import md
from school_water_map.domain.app_settings import (
    CHOICE_ZH,
    CONTACT_PARTS,
    CONTACTS,
    DISTRICT,
    FIELDS,
    MAPS,
    PATROL,
    SECRETS,
    SYSTEM,
    Spec,
    contact_key,
    label,
    mask,
    shown,
    stored_text,
)
from school_water_map.domain.entities import TOWNSHIPS
from school_water_map.domain.inspections import LOCAL_TIME
from school_water_map.domain.users import ADMIN, ROLE_ZH
from school_water_map.errors import AuthError, SettingsError
from school_water_map.notices.config import load_notice_config
from school_water_map.pipeline.app_settings import check_offline_tiles, toml_contact
from school_water_map.settings import CHOICES, Settings
from school_water_map.store.app_settings import current, history, set_values
from school_water_map.store.database import open_store

TOWNSHIP_COLUMN = "乡镇"
HINTS = {"app_base_url": "如 https://swmap.example.cn（告示上的二维码打开此地址的巡查页）",
         "nominatim_url": "如 https://nominatim.openstreetmap.org", "patrol_summer": "如 07-01..08-31",
         "offline_tiles": "如 /srv/swmap/litong.mbtiles（QGIS 生成的 MBTiles 文件或 XYZ 瓦片文件夹）"}

st.title("设置")
me = access.user()
if me is None or me.role != ADMIN:
    st.error(f"只有{ROLE_ZH[ADMIN]}可以修改设置。", icon=":material/block:")
    st.stop()
base = Settings.from_env()
store = open_store(base)
stored = current(store)
toml = load_notice_config(base.notices_config_path, district_name=base.district_name)
state.show_flash()
version = st.session_state.get("settings_version", 0)  # fresh inputs after each save


def env_note(spec: Spec) -> str:
    return f"由环境变量 {spec.env_var} 设置，此处修改无效"


def field_value(spec: Spec) -> str:
    """What the field holds now: the stored value, else the deploy-time one (the default)."""
    return stored.get(spec.key) or stored_text(base, spec.key)


def field_input(spec: Spec) -> tuple[str, bool]:
    """One field's input (and, for a key, its 清除 box)."""
    key = f"setting_{spec.key}_{version}"
    if spec.key in base.env_fields:
        value = getattr(base, spec.key)
        text = mask(str(value)) if spec.key in SECRETS else stored_text(base, spec.key)
        st.text_input(spec.label, text, key=key, disabled=True, help=env_note(spec))
        st.caption(f":material/lock: {env_note(spec)}")
        return "", False
    if spec.key in SECRETS:
        held = stored.get(spec.key, "")
        typed = st.text_input(f"{spec.label}（当前：{mask(held)}）", key=key, type="password",
                              placeholder="留空则不修改", autocomplete="off")
        clear = st.checkbox(f"清除{spec.label}", key=f"{key}_clear", disabled=not held)
        return typed, clear
    if spec.kind == "choice":
        options = list(CHOICES[spec.key])
        chosen = st.selectbox(spec.label, options, index=options.index(field_value(spec)), key=key,
                              format_func=CHOICE_ZH.__getitem__, placeholder="请选择")
        return str(chosen), False
    return st.text_input(spec.label, field_value(spec), key=key, placeholder=HINTS.get(spec.key, "")), False


def contact_value(owner: str, part: str) -> str:
    return stored.get(contact_key(owner, part)) or toml_contact(toml, owner, part)


with st.form(f"settings_{version}"):
    typed: dict[str, tuple[str, bool]] = {}
    for section in (SYSTEM, MAPS, PATROL):
        st.subheader(section)
        for spec in (s for s in FIELDS if s.section == section):
            typed[spec.key] = field_input(spec)
    st.subheader(CONTACTS)
    st.caption("印在告知书和警示牌上；未填写的项沿用数据目录中的 notices.toml，仍未填写的印为“（请在设置中填写）”。"
               "电话：手机号，或带区号的固定电话（如 0953-1234567）。")
    columns = st.columns(3)
    district = {part: columns[i].text_input(f"区教育局·{name}", contact_value(DISTRICT, part),
                                            key=f"setting_district_{part}_{version}")
                for i, (part, name) in enumerate(CONTACT_PARTS.items())}
    table = pd.DataFrame([{TOWNSHIP_COLUMN: t, **{name: contact_value(t, part) for part, name in CONTACT_PARTS.items()}}
                          for t in TOWNSHIPS])
    edited = st.data_editor(table, key=f"setting_townships_{version}", hide_index=True, disabled=[TOWNSHIP_COLUMN],
                            num_rows="fixed", width="stretch")
    saved = st.form_submit_button("保存设置", type="primary", icon=":material/save:", key=f"settings_save_{version}")

if saved:
    changes: dict[str, str] = {}
    for spec in FIELDS:
        if spec.key in base.env_fields:
            continue
        text, clear = typed[spec.key]
        if spec.key in SECRETS:
            if clear or text.strip():
                changes[spec.key] = "" if clear else text
        elif text.strip() != field_value(spec):
            changes[spec.key] = text
    for part, text in district.items():
        if text.strip() != contact_value(DISTRICT, part):
            changes[contact_key(DISTRICT, part)] = text
    for row in edited.to_dict("records"):
        for part, name in CONTACT_PARTS.items():
            text = "" if pd.isna(row[name]) else str(row[name])
            if text.strip() != contact_value(str(row[TOWNSHIP_COLUMN]), part):
                changes[contact_key(str(row[TOWNSHIP_COLUMN]), part)] = text
    try:
        check_offline_tiles(state.settings(), changes)  # the tiles read on disk before anything is saved
        done = set_values(store, changes, actor=me, client=access.client_address(base))
    except (SettingsError, AuthError) as exc:
        st.error(f"未保存（所有修改均未生效）：{md(exc)}", icon=":material/error:")
    else:
        if done:
            st.session_state["settings_version"] = version + 1
            state.after_write(f"已保存 {len(done)} 项设置：{md('、'.join(label(k) for k in done))}")
            st.rerun()
        st.info("没有修改。", icon=":material/info:")

tiles, trouble = state.tile_source(state.settings())
if tiles is not None:
    form = "MBTiles" if tiles.kind == "mbtiles" else "XYZ 瓦片"
    st.caption(f":material/check_circle: 离线底图可用：{md(tiles.name)}，{form}，{tiles.fmt.upper()}，"
               f"缩放 {tiles.min_zoom}–{tiles.max_zoom} 级；在地图的“底图”中选择。")
elif trouble:
    st.warning(f"离线底图不可用：{md(trouble)}", icon=":material/warning:")

st.subheader("修改记录")
changes_made = history(store)
if changes_made:
    st.dataframe(pd.DataFrame([{"时间": c.at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S"),
                                "操作人": c.changed_by, "设置项": label(c.key), "新值": shown(c.key, c.value)}
                               for c in changes_made]), hide_index=True, width="stretch")
else:
    st.caption("尚无修改记录。")

township_assign.show(store, me, base)
