"""The security headers every response of the app should carry, in one place.

Streamlit (1.67) has no option for response headers; they are set by the HTTPS reverse proxy
(README "Tablets and HTTPS": nginx and Caddy, whose snippets must say the same as ``SECURITY_HEADERS``,
tests/test_security_headers.py checks it), or by Streamlit itself when started through ``serve.py``
(``streamlit run serve.py``: ``st.App`` with ``SecurityHeadersMiddleware``).

The Content-Security-Policy allows only the app's own origin, plus what Streamlit and the map need:
``'unsafe-inline'`` scripts and styles (Streamlit's page and the map's HTML document, a media file
served under this policy, are inline), ``'wasm-unsafe-eval'`` (Streamlit's frontend
compiles WebAssembly; no JavaScript ``eval``), ``data:``/``blob:`` images, fonts and frames, and the tiles of the online
basemaps (``basemaps.py``) as images. Frames only from the app itself (``frame-ancestors 'self'`` and
``X-Frame-Options: SAMEORIGIN``); GPS only for the app's own pages (the tablet's position).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

#: The online basemaps' tile hosts (basemaps.py): images only.
TILE_HOSTS = ("https://tile.openstreetmap.org", "https://*.tianditu.gov.cn", "https://*.is.autonavi.com")

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    f"img-src 'self' data: blob: {' '.join(TILE_HOSTS)}",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self' blob: data:",
    "worker-src 'self' blob:",
    "media-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeadersMiddleware:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every HTTP response (a header the app already set
    is kept); websockets pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(key, value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()
                            if (key := name.lower().encode("latin-1")) not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
