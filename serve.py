"""The app with its security headers set by Streamlit itself: ``streamlit run serve.py`` (same options as
``app.py``). Streamlit 1.67 has no config option for response headers; ``st.App`` (its ASGI
application) takes middleware, and ``SecurityHeadersMiddleware`` adds ``app_pages.parts.headers.SECURITY_HEADERS``
to every HTTP response. Behind the README's reverse proxy the proxy sets the same headers."""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from app_pages.parts.headers import SecurityHeadersMiddleware

app = st.App("app.py", middleware=[Middleware(SecurityHeadersMiddleware)])
