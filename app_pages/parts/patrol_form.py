"""One site on the 巡查 page: its checklist (large single-choice controls), problems and action taken, a
photo, GPS proof of presence and a note; the draft kept server-side as the patrol goes; submitting;
and the site's append-only history, where 更正 starts a new record pre-filled from an old one.

Every field lives in session state under ``state.inspection_key(site id, field)``. When a field is
missing (a new session after a reload, or the site opened again) it is filled from the server-side
draft, and every change saves the draft again, so half-filled work survives a dropped connection.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import partial
from typing import Any

import streamlit as st
from shapely.geometry import Point

from app_pages.parts import gps, patrol_place, state
from app_pages.parts.md_text import md
from school_water_map.domain.checklist import CHECKLIST
from school_water_map.domain.inspections import LOCAL_TIME, DevicePosition, Inspection, InspectionInput
from school_water_map.domain.patrol import PRESENCE_ZH, PatrolRules, presence
from school_water_map.domain.reported import format_metres
from school_water_map.domain.sites import Site
from school_water_map.domain.users import User
from school_water_map.errors import AuthError, InspectionError, PositionError, TaskError
from school_water_map.store.database import Store
from school_water_map.store.inspections import list_inspections, load_draft, process_photo, save_draft, submit
from school_water_map.store.tasks import TaskPolicy

#: The free-text fields: key → (label, placeholder).
TEXTS = {"problems": ("发现的问题", "如：警示牌倒伏；护栏有约 3 米缺口"),
         "action_taken": ("采取的措施", "如：已扶正警示牌；已报乡镇安排修复护栏"),
         "note": ("备注", "其他需要说明的情况")}
#: Fields kept outside widgets (and in the draft): the photo (JPEG, base64), the GPS answer, the record corrected.
VALUES = ("photo", "gps", "corrects")
HISTORY_SHOWN = 30


def checklist(store: Store, user: User, site: Site, *, target: Any, rules: PatrolRules,
              tasks: TaskPolicy | None = None) -> None:
    """The form for one site; submitting records the inspection (or shows why not, writing nothing), and the
    problems it finds raise 整改任务 by the ``tasks`` policy."""
    key = partial(state.inspection_key, site.site_id)
    if _restore(store, user, site):
        st.info("已恢复上次未提交的巡查内容（草稿保存在服务器上）。", icon=":material/restore:")
    corrects = st.session_state.get(key("corrects"))
    if corrects:
        text, cancel = st.columns([3, 1], vertical_alignment="center")
        text.info(f"正在更正巡查记录 #{corrects}：提交后新增一条更正记录，原记录保留不变。",
                  icon=":material/edit_note:")
        cancel.button("取消更正", key=key("cancel"), on_click=_start_over, args=(store, user, site), width="stretch")
    saving: dict[str, Any] = {"on_change": _save, "args": (store, user, site)}
    for item in CHECKLIST:
        labels = {option.code: option.label for option in item.options}
        st.pills(item.label, list(labels), format_func=labels.__getitem__, key=key(item.code), **saving)
    for name in ("problems", "action_taken"):
        st.text_area(TEXTS[name][0], key=key(name), placeholder=TEXTS[name][1], height=80, **saving)
    _photo(store, user, site)
    _position(store, user, site, target=target, rules=rules)
    st.text_area(TEXTS["note"][0], key=key("note"), placeholder=TEXTS["note"][1], height=80, **saving)
    if st.button("提交巡查记录", type="primary", icon=":material/send:", key=key("submit"), width="stretch"):
        _submit(store, user, site, target=target, rules=rules, tasks=tasks)


def photo_input(site_id: str) -> tuple[str, bytes] | None:
    """A photo from the tablet's camera (once switched on) or chosen from its files: (name, bytes)."""
    key = partial(state.inspection_key, site_id)
    version = st.session_state.get(key("photo_version"), 0)  # a fresh, empty pair of inputs after each photo
    camera = None
    if st.toggle("用相机拍照", key=key(f"camera_on_{version}")):
        camera = st.camera_input("拍照", key=key(f"camera_{version}"), resolution="1080p")
    chosen = st.file_uploader("选择照片", key=key(f"upload_{version}")) or camera
    return (chosen.name, chosen.getvalue()) if chosen else None


def history(store: Store, user: User | None, site: Site, *, writable: bool) -> list[Inspection]:
    """Every inspection of the site, newest first; 更正 on the current ones (for those who may write)."""
    items = list_inspections(store, site_ids={site.site_id})
    st.subheader(f"巡查记录（{len(items)} 条）", anchor=False)
    if not items:
        st.caption("该站点尚无巡查记录。")
        return items
    corrected_by = {i.corrects_id: i.id for i in items if i.corrects_id is not None}
    for item in reversed(items[-HISTORY_SHOWN:]):
        with st.container(border=True):
            st.markdown(record_line(item, corrected_by.get(item.id)))
            st.markdown(answers_text(item.answers))
            details = [f"发现的问题：{md(item.problems)}" if item.problems else "",
                       f"采取的措施：{md(item.action_taken)}" if item.action_taken else "",
                       f"备注：{md(item.note)}" if item.note else ""]
            if any(details):
                st.caption("  \n".join(d for d in details if d))
            if item.photo and (store.data_dir / item.photo).is_file():
                st.image(str(store.data_dir / item.photo), width=240)
            if writable and user is not None and item.id not in corrected_by:
                st.button("更正", key=f"patrol_correct_{item.id}", icon=":material/edit:",
                          on_click=_start_correction, args=(store, user, site, item))
    if len(items) > HISTORY_SHOWN:
        st.caption(f"仅显示最近 {HISTORY_SHOWN} 条。")
    return items


def record_line(item: Inspection, corrected_by: int | None) -> str:
    """``#12 · 2026-07-15 10:32 · 李巡查 · 在现场（距站点 35 米）`` with correction marks."""
    when = item.created_at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
    parts = [f"**#{item.id}**", when, md(item.inspector), presence_text(item)]
    if item.corrects_id is not None:
        parts.append(f"更正 #{item.corrects_id}")
    if corrected_by is not None:
        parts.append(f":orange-badge[已被 #{corrected_by} 更正]")
    return " · ".join(parts)


def presence_text(item: Inspection) -> str:
    text = PRESENCE_ZH[item.presence]
    if item.distance_to_site_m is not None:
        accuracy = f"，定位精度 ±{item.gps_accuracy_m:.0f} 米" if item.gps_accuracy_m is not None else ""
        text += f"（距站点 {format_metres(round(item.distance_to_site_m))} 米{accuracy}）"
    colour = {"at_site": "green", "not_at_site": "red"}.get(item.presence, "orange")
    return f":{colour}[{text}]"


def answers_text(answers: dict[str, str]) -> str:
    labels = {item.code: (item.label, {o.code: o.label for o in item.options}) for item in CHECKLIST}
    return "；".join(f"{labels[code][0]}：{md(labels[code][1].get(value, value))}" for code, value in answers.items()
                    if code in labels)


def _photo(store: Store, user: User, site: Site) -> None:
    key = partial(state.inspection_key, site.site_id)
    st.markdown("**现场照片**")
    held = st.session_state.get(key("photo"))
    if held:
        st.image(base64.b64decode(held), width=320)
        st.button("删除照片", key=key("photo_drop"), icon=":material/delete:", on_click=_drop_photo,
                  args=(store, user, site))
        return
    chosen = photo_input(site.site_id)
    if chosen is None:
        st.caption("可打开相机拍照，或选择平板中的照片（JPG、PNG 或 HEIC，不超过 15 MB；保存时压缩并去除拍摄信息）。")
        return
    try:
        jpeg = process_photo(chosen[1])
    except InspectionError as exc:
        st.error(f"照片未采用：{md(exc)}", icon=":material/error:")
        return
    st.session_state[key("photo")] = base64.b64encode(jpeg).decode("ascii")
    st.session_state[key("photo_version")] = st.session_state.get(key("photo_version"), 0) + 1
    _save(store, user, site)
    st.rerun()


def _position(store: Store, user: User, site: Site, *, target: Any, rules: PatrolRules) -> None:
    key = partial(state.inspection_key, site.site_id)
    st.markdown("**位置核验（GPS）**")
    held = st.session_state.get(key("gps"))
    pressed = st.button("重新获取位置" if held else "获取当前位置", key=key("gps_button"),
                        icon=":material/my_location:")
    slot = gps.GpsSlot(request=key("gps_request"), waiting=key("gps_waiting"), answer=key("gps_answer"),
                       component=f"patrol_gps_{site.site_id}")
    reading = gps.locate_device(slot, pressed=pressed)
    if reading.waiting:
        return
    if reading.fresh:
        if reading.fix is not None:
            fix = reading.fix
            st.session_state[key("gps")] = {"lon": fix.lon, "lat": fix.lat, "accuracy": fix.accuracy,
                                            "at": datetime.now(LOCAL_TIME).isoformat(timespec="seconds")}
            _save(store, user, site)
        st.rerun()  # without the browser component, which has answered
    if not held:
        st.caption("尚未获取位置：没有位置的记录标为“无定位”，不能证明到过现场。")
        return
    where, distance = presence(Point(held["lon"], held["lat"]), target, rules)
    said = f"已获取位置（精度 ±{held['accuracy']:.0f} 米，{str(held['at'])[11:16]}）"
    if where == "site_unplaced":
        st.caption(f"{said}。该站点尚未定位，暂不能核验是否在现场；位置会随记录保存。")
        patrol_place.offer(user, site, held, rules)
    elif where == "at_site":
        st.success(f"{said}：距站点约 {format_metres(round(distance or 0))} 米，在现场。",
                   icon=":material/where_to_vote:")
    else:
        st.warning(f"{said}：距站点约 {format_metres(round(distance or 0))} 米，超过 {rules.max_distance_m:g} 米，"
                   "将记为“不在现场”。请到站点处重新获取位置。", icon=":material/wrong_location:")
    if held["accuracy"] > gps.POOR_ACCURACY_M:
        st.caption("定位精度较差：建议到开阔处重新获取。")


def _submit(store: Store, user: User, site: Site, *, target: Any, rules: PatrolRules,
            tasks: TaskPolicy | None) -> None:
    draft = _payload(site.site_id)
    photo, device = draft["photo"], draft["gps"]
    form = InspectionInput(answers=draft["answers"], problems=draft["problems"], action_taken=draft["action_taken"],
                           note=draft["note"])
    try:
        done = submit(store, user, site, form, target=target, rules=rules,
                      photo=base64.b64decode(photo) if photo else None,
                      device=DevicePosition(device["lon"], device["lat"], device["accuracy"]) if device else None,
                      corrects=draft["corrects"], tasks=tasks)
    except (AuthError, InspectionError, PositionError, TaskError) as exc:
        st.error(f"未提交：{md(exc)}", icon=":material/error:")
        return
    _forget(site.site_id)
    st.session_state[state.PATROL_RESULT] = {site.site_id: done.id}
    st.rerun()


def _payload(site_id: str) -> dict[str, Any]:
    """The form as the draft keeps it (and as it is submitted)."""
    held = st.session_state
    key = partial(state.inspection_key, site_id)
    answers = {item.code: held[key(item.code)] for item in CHECKLIST if held.get(key(item.code))}
    return {"answers": answers, **{name: str(held.get(key(name)) or "") for name in TEXTS},
            **{name: held.get(key(name)) for name in VALUES}}


def _restore(store: Store, user: User, site: Site) -> bool:
    """Fill the fields this session does not hold from the server-side draft; True if a draft came back."""
    key = partial(state.inspection_key, site.site_id)
    fields = [item.code for item in CHECKLIST] + list(TEXTS) + list(VALUES)
    missing = [name for name in fields if key(name) not in st.session_state]
    if not missing:
        return False
    draft = load_draft(store, user, site.site_id) or {}
    held = draft.get("answers")
    answers: dict[str, Any] = held if isinstance(held, dict) else {}
    options = {item.code: {o.code for o in item.options} for item in CHECKLIST}
    for name in missing:
        if name in options:
            if answers.get(name) in options[name]:
                st.session_state[key(name)] = answers[name]
        elif name in TEXTS:
            if draft.get(name):
                st.session_state[key(name)] = str(draft[name])
        else:
            st.session_state[key(name)] = draft.get(name)
    return any(answers.values()) or any(draft.get(name) for name in (*TEXTS, *VALUES))


def _save(store: Store, user: User, site: Site) -> None:
    save_draft(store, user, site, _payload(site.site_id))


def _drop_photo(store: Store, user: User, site: Site) -> None:
    st.session_state[state.inspection_key(site.site_id, "photo")] = None
    _save(store, user, site)


def _start_correction(store: Store, user: User, site: Site, item: Inspection) -> None:
    """Pre-fill the form from an old record; submitting makes a new record that points to it."""
    key = partial(state.inspection_key, site.site_id)
    for check in CHECKLIST:
        st.session_state[key(check.code)] = item.answers.get(check.code)
    st.session_state[key("problems")] = item.problems
    st.session_state[key("action_taken")] = item.action_taken
    st.session_state[key("note")] = item.note
    st.session_state[key("photo")] = None  # a correction brings its own evidence
    st.session_state[key("gps")] = None
    st.session_state[key("corrects")] = item.id
    _save(store, user, site)


def _start_over(store: Store, user: User, site: Site) -> None:
    _forget(site.site_id)
    save_draft(store, user, site, {})


def _forget(site_id: str) -> None:
    prefix = state.inspection_prefix(site_id)
    for name in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[name]
