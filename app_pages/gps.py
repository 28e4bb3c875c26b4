"""The tablet's position through the browser's geolocation (streamlit-js-eval, served locally).

Browsers give a position only to secure pages: HTTPS, or http://localhost on the machine itself.
The expression below checks that first, so an insecure page gets a clear Chinese answer instead of
a silent failure.
"""

from __future__ import annotations

from typing import Any

from streamlit_js_eval import streamlit_js_eval

GEOLOCATION_JS = """new Promise(function (resolve) {
  if (!window.isSecureContext) { resolve({error: {code: -1, message: "insecure context"}}); return; }
  if (!navigator.geolocation) { resolve({error: {code: 0, message: "no geolocation"}}); return; }
  navigator.geolocation.getCurrentPosition(
    function (p) { resolve({coords: {longitude: p.coords.longitude, latitude: p.coords.latitude,
                                     accuracy: p.coords.accuracy}, timestamp: p.timestamp}); },
    function (e) { resolve({error: {code: e.code, message: e.message}}); },
    {enableHighAccuracy: true, timeout: 30000, maximumAge: 0});
})"""

ERRORS_ZH = {
    -1: "当前页面不是安全连接，浏览器不提供定位。请用 HTTPS 地址打开本系统（平板上），或在本机用 "
        "http://localhost 打开；也可以改用地图点选或输入坐标。",
    0: "此浏览器不支持定位，请改用地图点选或输入坐标。",
    1: "已拒绝定位权限：请在浏览器的网站设置中允许本网站获取位置，然后重试。",
    2: "暂时无法获得位置（可能没有 GPS 信号）：请到室外开阔处重试。",
    3: "定位超时：请到室外开阔处重试。",
}
#: An accuracy worse than this is reported as poor (a school's gate is a few tens of metres wide).
POOR_ACCURACY_M = 50.0


def request_position(*, key: str) -> dict[str, Any] | None:
    """Ask the browser once per ``key``; None until it answers (``{"coords": …}`` or ``{"error": …}``)."""
    value = streamlit_js_eval(js_expressions=GEOLOCATION_JS, key=key)
    return value if isinstance(value, dict) else None


def error_text(answer: dict[str, Any]) -> str | None:
    """The Chinese explanation of a failed answer, or None when the answer has a position."""
    if "coords" in answer:
        return None
    code = int((answer.get("error") or {}).get("code", 0))
    return ERRORS_ZH.get(code, ERRORS_ZH[2])
