"""The tablet's position through the browser's geolocation (streamlit-js-eval, served locally).

Browsers give a position only to secure pages: HTTPS, or http://localhost on the machine itself.
The expression below checks that first, so an insecure page gets a clear Chinese answer instead of
a silent failure. ``locate_device`` is the one request cycle every 获取位置 button uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit_js_eval import streamlit_js_eval  # type: ignore[import-untyped]

from app_pages.parts.md_text import md

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


@dataclass(frozen=True)
class GpsSlot:
    """Where one 获取位置 button keeps its request cycle in session state, and its components' key prefix."""

    request: str  # a counter, incremented per press: a fresh browser component each time
    waiting: str  # True until the browser answers the latest request
    answer: str  # the browser's last answer ({"coords": …} or {"error": …})
    component: str  # the component of request n is keyed ``f"{component}_{n}"``


@dataclass(frozen=True)
class Fix:
    """A position the browser gave (WGS-84 degrees; accuracy in metres)."""

    lon: float
    lat: float
    accuracy: float


@dataclass(frozen=True)
class Reading:
    """Where the cycle stands on this run: still waiting (draw nothing more), or the last answer's
    position (``fix``; None when it failed or nothing was asked); ``fresh`` when it arrived this run."""

    waiting: bool = False
    fresh: bool = False
    fix: Fix | None = None


def locate_device(slot: GpsSlot, *, pressed: bool) -> Reading:
    """The whole request cycle for one button: a press asks the browser afresh (forgetting the last
    answer), 正在获取位置 shows while it has not answered, and a failed answer is explained in Chinese
    on every run until the next press."""
    held = st.session_state
    if pressed:
        held[slot.request] = held.get(slot.request, 0) + 1
        held[slot.waiting] = True
        held.pop(slot.answer, None)
    fresh = False
    if held.get(slot.waiting):
        answer = request_position(key=f"{slot.component}_{held[slot.request]}")
        if answer is None:
            st.info("正在获取位置……如浏览器询问，请选择“允许”。", icon=":material/hourglass_top:")
            return Reading(waiting=True)
        held[slot.answer] = answer
        held[slot.waiting] = False
        fresh = True
    answer = held.get(slot.answer)
    if not answer:
        return Reading(fresh=fresh)
    problem = error_text(answer)
    if problem:
        st.warning(f"没有获得位置：{md(problem)}", icon=":material/location_disabled:")
        return Reading(fresh=fresh)
    coords = answer["coords"]
    return Reading(fresh=fresh, fix=Fix(float(coords["longitude"]), float(coords["latitude"]),
                                        float(coords["accuracy"])))
