"""What the menu pages share: session state, access and roles, GPS, forms, failures, headers and the style.

``app_pages/`` holds only the pages ``app.py`` registers in its menu; everything they draw with is here.
"""
