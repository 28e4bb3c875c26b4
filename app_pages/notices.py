"""告知书: the printable notices (a school's 致家长告知书, a site's 警示告示, a township's 巡查表), previewed
and downloaded as PDF. A link from a map popup or another page preselects a document: ``?school=``,
``?notice_site=``, ``?water=`` (its riskiest site) or ``?township=`` (not ``?site=``: a notice's QR code
uses that for the 巡查 page). Below the chosen document, 批量打印 makes every document of that kind for a
township or the whole district (``parts/notices_batch.py``); both warn first what would print as a
placeholder (``parts/notices_gaps.py``). Without the system libraries WeasyPrint needs, the page says so.
"""

from __future__ import annotations

import streamlit as st

from app_pages.parts import notices_gaps, state
from app_pages.parts.md_text import md
from app_pages.parts.notices_batch import batch_section
from school_water_map.domain.register import Register
from school_water_map.domain.sites import Site, sites
from school_water_map.errors import DataFileError, MissingGlyphError, UnknownPlaceError
from school_water_map.notices import PAGE_SIZES
from school_water_map.notices.context import townships_for_sheets
from school_water_map.notices.engine import engine_problem

KINDS = {"letter": "致家长告知书", "site": "危险水域警示告示", "township": "乡镇巡查表"}
HELP = {"letter": "每校一份（A4），发给家长：周边水域、方位示意图、安全提示、联系人和回执。",
        "site": "每个学校—水体点位一份，张贴在水边：风险等级、距离和求助电话。",
        "township": "每个乡镇一份（A4 横向），巡查时逐项勾选；“乡镇待确认”列出尚未确定所属乡镇的学校。"}


def main() -> None:
    st.title("告知书与警示告示")
    if problem := engine_problem():
        st.error(problem, icon=":material/error:")
        return
    settings = state.settings()
    register = state.register(settings)
    all_sites = {s.site_id: s for s in sites(register)}
    townships = townships_for_sheets(register)
    _preselect(register, all_sites, townships)
    st.session_state.setdefault(state.NOTICE_KIND, "letter")  # not default=: a link may have set the kind
    kind = st.segmented_control("文书", list(KINDS), format_func=KINDS.__getitem__, required=True,
                                key=state.NOTICE_KIND) or "letter"
    st.caption(HELP[kind])
    with st.expander(f"批量打印{KINDS[kind]}（一个乡镇或全区）", icon=":material/library_books:"):
        batch_section(settings, register, kind, KINDS[kind], townships,
                      str(st.session_state.get(state.NOTICE_SIZE, PAGE_SIZES[0])))
    key, size, filename = _choose(kind, register, all_sites, townships)
    notices_gaps.warn(settings, register, notices_gaps.scope_of(register, kind, None, key=key))
    try:
        with st.spinner("正在生成……"):
            pdf = state.notice_pdf(settings, kind, key, size)
            preview = state.notice_preview(pdf)
    except (MissingGlyphError, DataFileError, UnknownPlaceError) as exc:
        st.error(f"无法生成：{md(exc)}", icon=":material/error:")
        return
    st.download_button(f"下载{KINDS[kind]}（PDF）", pdf, file_name=filename, mime="application/pdf", type="primary",
                       icon=":material/download:", key="notice_download", on_click="ignore")
    st.caption(f"文件 {len(pdf) / 1024:.0f} KB，字体已嵌入，任何电脑都能打印。下图为第 1 页预览。")
    with st.container(border=True):  # the page's edge on the white app
        st.image(preview, width="content", output_format="PNG")  # not stretched: 80 dpi stays sharp


def _choose(kind: str, register: Register, all_sites: dict[str, Site],
            townships: list[str]) -> tuple[str, str, str]:
    """The document's key, paper size and file name, from the widgets of its kind."""
    from school_water_map.pipeline.notices import school_filename, site_filename, township_filename  # WeasyPrint

    if kind == "letter":
        names = register.schools["name"]
        school = str(st.selectbox("学校", list(register.schools.index), format_func=names.__getitem__,
                                  key=state.NOTICE_SCHOOL, placeholder="请选择学校"))
        return school, "A4", school_filename(register, school)
    if kind == "site":
        left, right = st.columns([3, 1])
        site = str(left.selectbox("学校 · 水体", list(all_sites), key=state.NOTICE_SITE, placeholder="请选择学校和水体",
                                  format_func=lambda i: f"{all_sites[i].school} · {all_sites[i].water}"))
        st.session_state.setdefault(state.NOTICE_SIZE, PAGE_SIZES[0])
        size = right.segmented_control("纸张", list(PAGE_SIZES), required=True, key=state.NOTICE_SIZE) or PAGE_SIZES[0]
        return site, size, site_filename(site, size)
    township = str(st.selectbox("乡镇", townships, key=state.NOTICE_TOWNSHIP, placeholder="请选择乡镇"))
    return township, "A4", township_filename(township)


def _preselect(register: Register, all_sites: dict[str, Site], townships: list[str]) -> None:
    """Take ``?school=``, ``?notice_site=``, ``?water=`` or ``?township=`` once, then drop it from the address."""
    params = st.query_params
    school, site, water, township = (params.get(name) for name in ("school", "notice_site", "water", "township"))
    if not any((school, site, water, township)):
        return
    if school in register.schools.index:
        st.session_state.update({state.NOTICE_KIND: "letter", state.NOTICE_SCHOOL: school})
    elif site in all_sites:
        st.session_state.update({state.NOTICE_KIND: "site", state.NOTICE_SITE: site})
    elif water_sites := [s for s in all_sites.values() if s.water_id == water]:
        st.session_state.update({state.NOTICE_KIND: "site", state.NOTICE_SITE: water_sites[0].site_id})
    elif township in townships:
        st.session_state.update({state.NOTICE_KIND: "township", state.NOTICE_TOWNSHIP: township})
    else:
        st.warning(f"链接中的学校、点位或乡镇“{md(school or site or water or township)}”在当前附件中找不到。",
                   icon=":material/help:")
    params.clear()


main()
