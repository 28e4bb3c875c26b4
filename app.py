"""The Streamlit app: a thin router over the pages in ``app_pages/`` (run: ``streamlit run app.py``)."""

from __future__ import annotations

import streamlit as st

from app_pages import state

st.set_page_config(page_title="学校周边危险水域地图", page_icon=str(state.FAVICON_PATH), layout="wide",
                   initial_sidebar_state="collapsed")
state.apply_style()
page = st.navigation([
    st.Page(state.PAGE_MAP, title="地图", icon=":material/map:", default=True),
    st.Page(state.PAGE_REGISTER, title="隐患清单", icon=":material/format_list_numbered:"),
    st.Page(state.PAGE_LOCATE, title="定位与校核", icon=":material/add_location_alt:"),
], position="top")
page.run()
