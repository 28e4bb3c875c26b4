"""The bare Streamlit page ``map_first_paint.py`` compares the map with: a title only, the app's config."""

import streamlit as st

st.title("学校周边危险水域地图")
