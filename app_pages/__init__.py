"""The Streamlit menu pages (each file is one page app.py registers); what they share is in ``parts``."""
