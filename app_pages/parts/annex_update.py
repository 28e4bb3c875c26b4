"""数据交换 · 新一年附件: read next year's annex (a file or pasted text), list every bad row, show how it
differs from the annex in force, and apply it after a confirmation (the same steps as ``swmap annex``).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import asdict
from pathlib import Path, PurePath

import pandas as pd
import streamlit as st

from app_pages.parts import state, ui
from app_pages.parts.md_text import md
from school_water_map.domain.annex import AnnexRow
from school_water_map.domain.annex_diff import AnnexDiff, diff_annex, diff_as_dict, render_diff_text
from school_water_map.domain.register import Register
from school_water_map.errors import AnnexParseError, AnnexRowsError, DataFileError
from school_water_map.io.annex_file import read_annex_file, read_annex_text
from school_water_map.io.curated import load_registry
from school_water_map.limits import TABLE_BYTES
from school_water_map.pipeline.annexes import active_annex
from school_water_map.settings import Settings
from school_water_map.store.annexes import ActiveAnnex, save_active

SOURCES = {"file": "上传文件", "text": "粘贴表格"}
PASTED = "粘贴的表格"
#: The diff's sections: title, and the columns shown (field → heading).
SECTIONS = {
    "added": ("新增的学校—水体", {"new_row": "新行号", "school": "学校", "water": "水体", "new_text": "距离"}),
    "removed": ("删除的学校—水体", {"old_row": "原行号", "school": "学校", "water": "水体", "old_text": "距离"}),
    "distance_changed": ("距离有变化", {"school": "学校", "water": "水体", "old_text": "原距离", "new_text": "新距离",
                                        "old_row": "原行号", "new_row": "新行号"}),
    "schools_renamed": ("学校更名", {"entity_id": "编号（不变）", "old": "原名称", "new": "新名称"}),
    "water_renamed": ("水体更名", {"entity_id": "编号（不变）", "old": "原名称", "new": "新名称"}),
    "new_schools": ("新学校（名录中没有）", {"name": "名称"}),
    "new_water": ("新水体（名录中没有）", {"name": "名称"}),
}


def annex_section(settings: Settings, register: Register) -> None:
    current = active_annex(settings)
    when = current.applied_at[:16].replace("T", " ")
    st.caption(f"当前附件：{md(current.source)}，{len(current.rows)} 行"
               + (f"；{md(current.applied_by)} 于 {when} 应用" if current.applied_by else "（2021年附件，随程序提供）")
               + "。新附件须先检查和比较，确认后才替换当前附件；当前附件存入历史。")
    version = st.session_state.get(state.ANNEX_INPUT, 0)
    source = st.segmented_control("新附件来源", list(SOURCES), format_func=SOURCES.__getitem__, default="file",
                                  required=True, key=state.ANNEX_SOURCE) or "file"
    read = _read(source, version)
    if read is None:
        return
    rows, name = read
    registry = load_registry(settings.schools_path, settings.water_path,
                             district_adcode=settings.district_adcode).with_aliases(current.aliases)
    try:
        diff = diff_annex(register.resolution, rows, registry, district_adcode=settings.district_adcode)
    except AnnexRowsError as exc:
        _row_errors(exc)
        return
    _show_diff(diff, len(rows))
    if not diff.empty:
        _apply(settings, current, rows, diff, name, version)


def diff_tables(diff: AnnexDiff) -> dict[str, tuple[str, pd.DataFrame]]:
    """The non-empty sections of a diff, each a title (with its count) and a table with Chinese headings."""
    data = diff_as_dict(diff)
    out = {}
    for key, (title, columns) in SECTIONS.items():
        items = data[key]
        assert isinstance(items, list)
        if not items:
            continue
        records = [item if isinstance(item, dict) else {"name": item} for item in items]
        table = pd.DataFrame(records)[list(columns)].rename(columns=columns)
        out[key] = (f"{title}（{len(items)}）", table)
    return out


def _read(source: str, version: int) -> tuple[list[AnnexRow], str] | None:
    """The new annex's rows and a name for it, or None (nothing given yet, or an error shown)."""
    try:
        if source == "file":
            upload = st.file_uploader("新附件（CSV、Excel，或含表格文本的 TXT）", type=["csv", "xlsx", "txt"],
                                      key=f"annex_file_{version}")
            if upload is None:
                st.caption("表头须为：序号、学校名称、河湖名称、距离学校距离、备注。")
                return None
            name = PurePath(upload.name).name
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / name
                path.write_bytes(upload.getvalue())
                return read_annex_file(path), name
        text = st.text_area("把附件表格粘贴到这里（从文件中复制整张表，含表头）", key=f"annex_text_{version}",
                            height=220, placeholder="序号\t学校名称\t河湖名称\t距离学校距离\t备注\n1\t…",
                            max_chars=TABLE_BYTES)
        if not text.strip():
            return None
        return read_annex_text(text, source=PASTED), PASTED
    except AnnexRowsError as exc:
        _row_errors(exc)
    except DataFileError as exc:
        st.error(f"无法读取新附件：{md(exc)}", icon=":material/error:")
    return None


def _row_errors(exc: AnnexRowsError) -> None:
    st.error(f"新附件有 {len(exc.errors)} 处无法识别，须全部改正后再比较和应用：", icon=":material/error:")
    st.dataframe(pd.DataFrame([{"行": _where(e), "列": e.field, "内容": e.text, "问题": e.reason} for e in exc.errors]),
                 hide_index=True)


def _where(error: AnnexParseError) -> str:
    """The row by its 序号, or by its line in the file when the 序号 itself is unusable."""
    if error.row is not None:
        return str(error.row)
    return f"文件第 {error.line} 行" if error.line is not None else ""


def _show_diff(diff: AnnexDiff, rows: int) -> None:
    st.success(f"附件检查通过：{rows} 行，全部可以识别。", icon=":material/check_circle:")
    if diff.empty:
        st.info("新附件与当前附件内容一致，没有变化，无需应用。", icon=":material/info:")
        return
    tables = diff_tables(diff)
    st.markdown("**与当前附件相比：** " + "；".join(title for title, _ in tables.values()))
    for title, table in tables.values():
        st.markdown(f"**{title}**")
        st.dataframe(table, hide_index=True)
    with st.expander("文字版（可复制）"):
        st.code(render_diff_text(diff), language=None, wrap_lines=True)


def _apply(settings: Settings, current: ActiveAnnex, rows: list[AnnexRow], diff: AnnexDiff, name: str,
           version: int) -> None:
    """应用: a first press asks for confirmation; the second replaces the annex and clears every cache."""
    author = ui.current_author()
    fingerprint = hashlib.sha256(json.dumps([asdict(r) for r in rows], ensure_ascii=False).encode()).hexdigest()
    if st.session_state.get(state.ANNEX_CONFIRM) != fingerprint:
        if st.button("应用新附件", icon=":material/published_with_changes:", disabled=not author, key="annex_apply"):
            st.session_state[state.ANNEX_CONFIRM] = fingerprint
            st.rerun()
        if not author:
            st.caption("请先在上方填写录入人，才能应用。")
        return
    st.warning(f"确定用新附件（{len(rows)} 行）替换当前附件吗？应用后地图、隐患清单、风险和告知书都按新附件计算，"
               "已记录的位置按编号保留；当前附件存入历史。", icon=":material/warning:")
    left, right = st.columns(2)
    if left.button("确认应用", type="primary", icon=":material/check:", disabled=not author, key="annex_confirm",
                   width="stretch"):
        save_active(settings, rows, {**current.aliases, **diff.aliases}, source=name, applied_by=author)
        st.session_state.pop(state.ANNEX_CONFIRM, None)
        st.session_state[state.ANNEX_INPUT] = version + 1
        state.after_write(f"已应用新附件：{len(rows)} 行（{md(name)}，原附件已存入历史）。"
                          "地图、清单和风险已按新附件更新。")
        st.rerun()
    if right.button("取消", icon=":material/close:", key="annex_cancel", width="stretch"):
        st.session_state.pop(state.ANNEX_CONFIRM, None)
        st.rerun()
