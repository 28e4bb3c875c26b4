"""The Streamlit pages (map, register, locate) and their app-side helpers (``state``, ``ui``)."""
