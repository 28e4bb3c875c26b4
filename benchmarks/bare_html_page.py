"""A bare page plus one ``st.html`` element in the page itself (``first_paint_floor.py``): no iframe."""

import streamlit as st

st.title("学校周边危险水域地图")
st.html("<div><p id='done'>x</p></div>")
