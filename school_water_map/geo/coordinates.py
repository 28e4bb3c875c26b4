"""Reading a typed longitude or latitude: decimal degrees or 度分秒, with or without a hemisphere.

Accepted, for example: ``106.2``, ``-0.5``, ``37°59′15″N``, ``37°59'15.5"``, ``37 59 15``, ``37:59:15``,
``37°59.25′N``, ``北纬37度59分15秒``, ``E106°12′``, full-width digits (``１０６．２``). Anything else is
refused with a Chinese message that echoes the text and says what is wrong; nothing is guessed (a
latitude typed in the longitude box is an error, not swapped). The coordinate system is declared
separately (``school_water_map.geo.crs``).
"""

from __future__ import annotations

import re
import unicodedata

from school_water_map.errors import PositionError

AXIS_ZH = {"lon": "经度", "lat": "纬度"}
_LIMIT = {"lon": 180.0, "lat": 90.0}
#: Hemisphere words → (axis, sign); longest first so 北纬 wins over 北.
_HEMISPHERES = (("北纬", "lat", 1), ("南纬", "lat", -1), ("东经", "lon", 1), ("西经", "lon", -1),
                ("北", "lat", 1), ("南", "lat", -1), ("东", "lon", 1), ("西", "lon", -1),
                ("N", "lat", 1), ("S", "lat", -1), ("E", "lon", 1), ("W", "lon", -1))
#: Unit marks → d / m / s (seconds first: NFKC turns ″ into two ′).
_MARKS = (("″", " s "), ("′′", " s "), ("''", " s "), ('"', " s "), ("“", " s "), ("”", " s "), ("秒", " s "),
          ("′", " m "), ("'", " m "), ("‘", " m "), ("’", " m "), ("分", " m "),
          ("°", " d "), ("º", " d "), ("˚", " d "), ("度", " d "), (":", " "))
_NUMBER = r"\d+(?:\.\d+)?"
_DMS = re.compile(rf"^(?P<deg>{_NUMBER})(?: d)?(?: (?P<min>{_NUMBER})(?: m)?(?: (?P<sec>{_NUMBER})(?: s)?)?)?$")


def parse_angle(text: str, *, axis: str) -> float:
    """Decimal degrees of a longitude (``axis="lon"``) or latitude (``axis="lat"``) typed by a person."""
    name = AXIS_ZH[axis]
    original = text
    body = unicodedata.normalize("NFKC", text or "").strip()
    if not body:
        raise PositionError(f"请填写{name}")
    body, sign = _strip_hemisphere(body, axis=axis, original=original)
    if body.startswith(("-", "+")):
        if sign is not None:
            raise PositionError(f"{name}“{original}”同时写了正负号和方位，请只保留一种")
        sign, body = (-1 if body[0] == "-" else 1), body[1:].strip()
    value = _degrees(body, name=name, original=original)
    signed = value * (sign or 1)
    if abs(signed) > _LIMIT[axis]:
        raise PositionError(f"{name}“{original}”超出范围：应在 -{_LIMIT[axis]:g}～{_LIMIT[axis]:g} 度之间")
    return signed


def parse_lonlat(lon_text: str, lat_text: str) -> tuple[float, float]:
    """``(lon, lat)`` in decimal degrees from the two boxes a person filled in."""
    return parse_angle(lon_text, axis="lon"), parse_angle(lat_text, axis="lat")


def format_dms(value: float, *, axis: str) -> str:
    """``37°59′15.0″N``: how a parsed angle is echoed back to the person."""
    hemisphere = ("N" if value >= 0 else "S") if axis == "lat" else ("E" if value >= 0 else "W")
    tenths = round(abs(value) * 36000)
    degrees, rest = divmod(tenths, 36000)
    minutes, seconds = divmod(rest, 600)
    return f"{degrees}°{minutes:02d}′{seconds / 10:04.1f}″{hemisphere}"


def _strip_hemisphere(body: str, *, axis: str, original: str) -> tuple[str, int | None]:
    found = _hemisphere(body)
    if found is None:
        return body, None
    rest, word, word_axis, sign = found
    if word_axis != axis:
        raise PositionError(f"{AXIS_ZH[axis]}栏填写的“{original}”是{AXIS_ZH[word_axis]}（{word}），请检查是否填反")
    if _hemisphere(rest) is not None:
        raise PositionError(f"{AXIS_ZH[axis]}“{original}”写了两个方位")
    return rest, sign


def _hemisphere(body: str) -> tuple[str, str, str, int] | None:
    upper = body.upper()
    for word, word_axis, sign in _HEMISPHERES:
        if upper.startswith(word):
            return body[len(word):].strip(), word, word_axis, sign
        if upper.endswith(word):
            return body[:-len(word)].strip(), word, word_axis, sign
    return None


def _degrees(body: str, *, name: str, original: str) -> float:
    spaced = body
    for mark, replacement in _MARKS:
        spaced = spaced.replace(mark, replacement)
    spaced = " ".join(spaced.split())
    match = _DMS.match(spaced)
    if match is None:
        raise PositionError(f"{name}“{original}”无法识别：请写成十进制度（如 106.2035）或度分秒（如 37°59′15″N）")
    deg, minutes, seconds = match.group("deg"), match.group("min"), match.group("sec")
    if minutes is not None and "." in deg:
        raise PositionError(f"{name}“{original}”无法识别：度带小数时不能再写分秒")
    if seconds is not None and minutes is not None and "." in minutes:
        raise PositionError(f"{name}“{original}”无法识别：分带小数时不能再写秒")
    for part, label in ((minutes, "分"), (seconds, "秒")):
        if part is not None and float(part) >= 60:
            raise PositionError(f"{name}“{original}”无法识别：{label}应小于 60")
    return float(deg) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
