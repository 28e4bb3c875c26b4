"""A bare page plus an ``st.iframe`` holding one paragraph (``first_paint_floor.py``): what any embedded
document costs Streamlit's page, whatever the document."""

import streamlit as st

st.title("学校周边危险水域地图")
st.iframe("<html><body><p id='done'>x</p></body></html>", height=520, alt="学校周边危险水域地图")
