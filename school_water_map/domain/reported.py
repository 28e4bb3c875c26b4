"""Reading the annex's free-text cells: the reported distance (距离学校距离) and the note (备注).

Every form seen in the 2021 annex parses, and so do the unambiguous forms a later year may bring
(``约50米``, ``0.5公里``, ``1.2km``, full-width digits, ``西南 300 米``, ``三百米``, ``600-2000米``).
Anything else raises :class:`AnnexParseError` naming the row and the text; nothing else is raised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an

from school_water_map.errors import AnnexParseError

DISTANCE_FIELD = "距离学校距离"
NOTE_FIELD = "备注"

#: Compass codes in clockwise order; the JSON output uses these letters.
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
COMPASS_ZH = {"N": "北", "NE": "东北", "E": "东", "SE": "东南", "S": "南", "SW": "西南", "W": "西", "NW": "西北"}
#: Azimuth of each compass code, degrees clockwise from north.
AZIMUTH = {code: 45.0 * i for i, code in enumerate(COMPASS)}

# A direction word is one of these exactly; two opposite directions mean "both" (南北 = N and S).
_DIRECTION_WORDS: dict[str, tuple[str, ...]] = {
    "北": ("N",), "东": ("E",), "南": ("S",), "西": ("W",),
    "东北": ("NE",), "东南": ("SE",), "西南": ("SW",), "西北": ("NW",),
    "南北": ("N", "S"), "北南": ("N", "S"), "东西": ("E", "W"), "西东": ("E", "W"),
}
_UNIT_METRES = {"米": 1.0, "m": 1.0, "公里": 1000.0, "千米": 1000.0, "km": 1000.0}
_MAX_METRES = 50_000.0  # a school-to-water distance beyond 50 km is a typo, not a hazard

_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十百千万两点]+)"
_UNIT = r"(?:米|m|公里|千米|km)"
_QUANTITY = re.compile(
    rf"(?P<approx>约|大约|约为|大概|近)?(?P<lo>{_NUM})(?:(?P<lounit>{_UNIT})?(?:-|~|—|–|至|到)(?P<hi>{_NUM}))?"
    rf"(?P<unit>{_UNIT})(?P<approx2>左右|上下)?"
)
_DISTANCE = re.compile(
    r"(?:距离学校|距学校|距离|学校)?(?P<gate>校门口|学校门口|校门前|门口)?"
    r"(?:向|在|位于)?(?P<dir>[东南西北]{1,2})?(?:面|侧|边|方向|方)?(?P<qty>.*)"
)
_NOTE_RANGE = re.compile(rf"最近(?P<lo>{_NUM}{_UNIT})[,，;；、]?最远(?P<hi>{_NUM}{_UNIT})")
_NOTE_KIND_HINTS: tuple[tuple[str, str], ...] = (
    ("灌溉主渠", "main_canal"), ("主渠", "main_canal"), ("干渠", "main_canal"),
    ("灌溉支渠", "branch_canal"), ("支渠", "branch_canal"),
    ("排水沟", "drainage_ditch"), ("排水渠", "drainage_ditch"),
    ("鱼池", "pond"), ("鱼塘", "pond"), ("水塘", "pond"), ("水库", "reservoir"), ("蓄水池", "reservoir"),
)
_SEASONAL = ("季节性有水", "季节性", "灌溉期有水")


@dataclass(frozen=True)
class ReportedDistance:
    """What the annex says about where the water is, relative to the school."""

    text: str
    distance_m: float | None = None
    distance_max_m: float | None = None
    directions: tuple[str, ...] = ()
    at_gate: bool = False
    approximate: bool = False

    @property
    def known(self) -> bool:
        """True when the annex gives a number or places the water at the gate."""
        return self.distance_m is not None or self.at_gate


@dataclass(frozen=True)
class NoteFacts:
    """Facts read from a 备注 cell; unrecognised text is kept, not rejected (notes are free-form)."""

    text: str
    seasonal: bool = False
    kind_hint: str | None = None
    range_min_m: float | None = None
    range_max_m: float | None = None


def parse_distance(text: str, *, row: int | str | None = None) -> ReportedDistance:
    """Parse a 距离学校距离 cell. An empty cell is a real case: nothing is known."""
    compact = _normalise(text)
    if not compact:
        return ReportedDistance(text=text)
    match = _DISTANCE.fullmatch(compact)
    if match is None:  # pragma: no cover - the pattern ends in ``.*`` and always matches
        raise _error(row, DISTANCE_FIELD, text, "格式无法识别")
    directions = _directions(match.group("dir"), row=row, text=text)
    at_gate = match.group("gate") is not None
    qty = match.group("qty")
    if not qty:
        if not directions and not at_gate:
            raise _error(row, DISTANCE_FIELD, text, "既无方向也无距离")
        return ReportedDistance(text=text, directions=directions, at_gate=at_gate)
    lo, hi, approximate = _quantity(qty, row=row, field=DISTANCE_FIELD, text=text)
    return ReportedDistance(
        text=text, distance_m=lo, distance_max_m=hi, directions=directions,
        at_gate=at_gate, approximate=approximate,
    )


def parse_note(text: str, *, row: int | str | None = None) -> NoteFacts:
    """Read seasonal water, a kind hint and a nearest/farthest range from a 备注 cell."""
    compact = _normalise(text)
    seasonal = any(word in compact for word in _SEASONAL)
    kind_hint = next((kind for word, kind in _NOTE_KIND_HINTS if word in compact), None)
    range_min = range_max = None
    if "最近" in compact or "最远" in compact:
        match = _NOTE_RANGE.search(compact)
        if match is None:
            raise _error(row, NOTE_FIELD, text, "“最近…最远…”的距离无法识别")
        range_min = _quantity(match.group("lo"), row=row, field=NOTE_FIELD, text=text)[0]
        range_max = _quantity(match.group("hi"), row=row, field=NOTE_FIELD, text=text)[0]
        if range_min > range_max:
            raise _error(row, NOTE_FIELD, text, "最近距离大于最远距离")
    return NoteFacts(text=text, seasonal=seasonal, kind_hint=kind_hint,
                     range_min_m=range_min, range_max_m=range_max)


def format_metres(value: float | None) -> str:
    """``400.0`` → ``"400"``, ``12.5`` → ``"12.5"``, ``None`` → ``""``."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "")
    folded = folded.replace("〜", "~").replace("～", "~")
    return re.sub(r"\s+", "", folded).replace("KM", "km").replace("Km", "km").replace("M", "m")


def _directions(word: str | None, *, row: int | str | None, text: str) -> tuple[str, ...]:
    if word is None:
        return ()
    if word not in _DIRECTION_WORDS:
        raise _error(row, DISTANCE_FIELD, text, f"方向“{word}”有歧义")
    return _DIRECTION_WORDS[word]


def _quantity(
    qty: str, *, row: int | str | None, field: str, text: str
) -> tuple[float, float | None, bool]:
    match = _QUANTITY.fullmatch(qty)
    if match is None:
        raise _error(row, field, text, "距离数值或单位无法识别")
    scale = _UNIT_METRES[match.group("unit")]
    lo_scale = _UNIT_METRES[match.group("lounit")] if match.group("lounit") else scale
    lo = _number(match.group("lo"), row=row, field=field, text=text) * lo_scale
    hi_text = match.group("hi")
    hi = _number(hi_text, row=row, field=field, text=text) * scale if hi_text else None
    for value in (lo, hi):
        if value is not None and value > _MAX_METRES:
            raise _error(row, field, text, f"距离超过 {int(_MAX_METRES)} 米，疑为笔误")
    if hi is not None and hi < lo:
        raise _error(row, field, text, "距离范围的下限大于上限")
    approximate = bool(match.group("approx") or match.group("approx2"))
    return lo, hi, approximate


def _number(token: str, *, row: int | str | None, field: str, text: str) -> float:
    if token[0].isdigit():
        return float(token)
    try:
        return float(cn2an.cn2an(token, "normal"))
    except (ValueError, KeyError, IndexError) as exc:
        raise _error(row, field, text, f"中文数字“{token}”无法识别") from exc


def _error(row: int | str | None, field: str, text: str, reason: str) -> AnnexParseError:
    return AnnexParseError(row=row, field=field, text=text, reason=reason)
