"""告知书 page, 批量打印: every letter, sign or sheet of one township (or of all) as one merged PDF or a
ZIP, public or staff copy, with a progress bar; then one download under its Chinese file name.

The file is made when the button is pressed (a batch takes seconds) and kept in the session for its
download until a choice changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import streamlit as st

from app_pages.parts import notices_gaps
from app_pages.parts.md_text import md
from school_water_map.domain.register import Register
from school_water_map.errors import DataFileError, MissingGlyphError, UnknownPlaceError
from school_water_map.notices.context import resolve_township
from school_water_map.settings import Settings

if TYPE_CHECKING:
    from school_water_map.pipeline.notices import BatchKind

ALL = "全部"
FORMATS = {"pdf": "合并为一个 PDF", "zip": "ZIP（每份一个 PDF）"}
COPIES = {"public": "公开版", "staff": "内部（含说明）"}
MIME = {"pdf": "application/pdf", "zip": "application/zip"}
TOWNSHIP, FORMAT, COPY = "notice_batch_township", "notice_batch_format", "notice_batch_copy"
RESULT = "notice_batch_file"  # the last file made (Made), for its download


@dataclass(frozen=True)
class Made:
    choice: tuple[str, str, str, str, str]  # kind, township, format, copy, size: the file stays while they do
    filename: str
    data: bytes
    count: int


def batch_section(settings: Settings, register: Register, kind: str, label: str, townships: list[str],
                  size: str) -> None:
    """The 批量打印 controls for ``kind`` (``label``: its Chinese name; ``size``: the signs' paper)."""
    paper = f"，纸张 {size}（与下方单份所选相同）" if kind == "site" else ""
    st.caption(f"一次生成一个乡镇（或全区）的全部{label}{paper}。")
    left, middle, right = st.columns([2, 2, 2])
    place = str(left.selectbox("范围", [ALL, *townships], key=TOWNSHIP,
                               format_func=lambda t: "全区" if t == ALL else t, placeholder="请选择范围"))
    fmt = middle.segmented_control("文件", list(FORMATS), format_func=FORMATS.__getitem__, required=True,
                                   default="pdf", key=FORMAT) or "pdf"
    if kind == "township":  # a sheet is a staff document: it always carries its 说明
        copy = "staff"
        right.caption("巡查表为内部资料，始终附说明。")
    else:
        copy = right.segmented_control("版本", list(COPIES), format_func=COPIES.__getitem__, required=True,
                                       default="public", key=COPY) or "public"
    township = None if place == ALL else place
    scope = notices_gaps.scope_of(register, kind, None if place == ALL else resolve_township(place), whole=place == ALL)
    count = len(scope.schools) if kind == "letter" else len(scope.townships)
    if count == 0:
        st.info(f"{md(place)}没有登记的学校或点位，没有可打印的{label}。", icon=":material/info:")
        return
    notices_gaps.warn(settings, register, scope, many=True)
    choice = (kind, place, fmt, copy, size if kind == "site" else "A4")
    scope_zh = "全区" if place == ALL else place
    if st.button(f"生成{scope_zh}的{label}（{count} 份，{FORMATS[fmt]}）", icon=":material/print:",
                 key="notice_batch_make"):
        _make(settings, register, choice, township, count)
    made = st.session_state.get(RESULT)
    if isinstance(made, Made) and made.choice == choice:
        st.download_button(f"下载 {made.filename}", made.data, file_name=made.filename, mime=MIME[fmt],
                           type="primary", icon=":material/download:", key="notice_batch_download", on_click="ignore")
        st.caption(f"共 {made.count} 份，文件 {len(made.data) / 1024:.0f} KB。")


def _make(settings: Settings, register: Register, choice: tuple[str, str, str, str, str], township: str | None,
          count: int) -> None:
    from school_water_map.pipeline.notices import batch_filename, batch_pdf, batch_zip  # WeasyPrint

    kind, fmt, copy, size = cast("BatchKind", choice[0]), *choice[2:]
    bar = st.progress(0.0, text=f"正在生成：0/{count}")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"正在生成：{done}/{total}")

    make = batch_zip if fmt == "zip" else batch_pdf
    try:
        data = make(settings, kind, township, size=size, staff=copy == "staff",
                    register=register, progress=progress)
    except (MissingGlyphError, DataFileError, UnknownPlaceError) as exc:
        bar.empty()
        st.session_state.pop(RESULT, None)
        st.error(f"无法生成：{md(exc)}", icon=":material/error:")
        return
    bar.progress(1.0, text=f"已生成 {count} 份")
    st.session_state[RESULT] = Made(choice, batch_filename(kind, township, fmt), data, count)

