"""Risk: declared rules (``data/risk_rules.toml``) applied to a pair's facts, with the reasons kept.

Every result explains itself: a level, a score, and one reason per rule that contributed. A pair
with no known distance is levelled ``survey`` (待核查), never quietly low.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from school_water_map.domain.colour import AA_TEXT, WHITE, check_hex, contrast_ratio, text_on
from school_water_map.domain.entities import KIND_ZH, LEVEL_ZH
from school_water_map.domain.reported import format_metres
from school_water_map.errors import RulesError


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    rank: int
    colour: str  # the map's markers and lines, and the background of a badge (with ``text_on(colour)``)
    min_score: float | None = None
    text_colour: str = ""  # the level as text on white (WCAG AA); empty = ``colour`` itself

    @property
    def text(self) -> str:
        """The colour in which the level is written on white."""
        return self.text_colour or self.colour


@dataclass(frozen=True)
class DistanceBand:
    code: str
    label: str
    points: float
    max_m: float | None = None
    at_gate: bool = False


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    present: float
    missing: float


@dataclass(frozen=True)
class Rules:
    levels: tuple[Level, ...]
    bands: tuple[DistanceBand, ...]
    unknown_points: float
    unknown_label: str
    zone_radius_m: float
    zone_points: float
    zone_label: str
    kind_points: Mapping[str, float]
    seasonal_points: float
    seasonal_label: str
    age_points: Mapping[str, float]
    measures: tuple[Measure, ...]
    tolerance_m: float
    tolerance_ratio: float
    source: str
    #: 整改期限 in days, by risk level and measure (``default``: any other measure).
    task_deadlines: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def level(self, code: str) -> Level:
        return next(level for level in self.levels if level.code == code)


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one pair."""

    distance_m: float | None
    at_gate: bool
    kind: str
    seasonal: bool
    school_level: str
    distance_source: str = "上报"
    measures: Mapping[str, bool] | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    points: float
    text: str


@dataclass(frozen=True)
class Assessment:
    level: str
    level_label: str
    rank: int
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class SiteMeasures:
    """What the latest inspection of a site found in place (risk measures), and which inspection."""

    measures: Mapping[str, bool]
    basis: str


def parse_rules(text: str, *, source: str) -> Rules:
    """Check the text of a rules file (``source`` names it); a malformed one raises :class:`RulesError`."""
    path = source
    try:
        return _rules(tomllib.loads(text), source=source)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"风险规则文件无法读取：{path}（{exc}）") from exc
    except KeyError as exc:
        raise RulesError(f"风险规则文件格式错误：{path}（缺少“{exc.args[0]}”）") from exc
    except (TypeError, ValueError) as exc:
        raise RulesError(f"风险规则文件格式错误：{path}（{exc}）") from exc


def assess(facts: Facts, rules: Rules) -> Assessment:
    """Apply the rules to one pair's facts."""
    reasons = [
        _distance_reason(facts, rules),
        *_zone_reason(facts, rules),
        Reason(f"kind_{facts.kind}", rules.kind_points.get(facts.kind, 0.0),
               f"水体类型：{KIND_ZH.get(facts.kind, facts.kind)}"),
        Reason(f"age_{facts.school_level}", rules.age_points.get(facts.school_level, 0.0),
               f"学生年龄：{LEVEL_ZH.get(facts.school_level, facts.school_level)}"),
        *([Reason("seasonal", rules.seasonal_points, rules.seasonal_label)] if facts.seasonal else []),
        *_measure_reasons(facts, rules),
    ]
    score = sum(r.points for r in reasons)
    level = _level(score, known=facts.distance_m is not None or facts.at_gate, rules=rules)
    return Assessment(level=level.code, level_label=level.label, rank=level.rank, score=score,
                      reasons=tuple(r for r in reasons if r.points or r.code == "unknown_distance"))


def _distance_reason(facts: Facts, rules: Rules) -> Reason:
    if facts.at_gate and (facts.distance_m is None or facts.distance_m <= rules.zone_radius_m):
        band = next(b for b in rules.bands if b.at_gate)
        suffix = f"（{format_metres(facts.distance_m)} 米）" if facts.distance_m is not None else ""
        return Reason(f"distance_{band.code}", band.points, f"距离：{band.label}{suffix}")
    if facts.distance_m is None:
        return Reason("unknown_distance", rules.unknown_points, rules.unknown_label)
    distance = facts.distance_m
    band = next(b for b in rules.bands if not b.at_gate and (b.max_m is None or distance <= b.max_m))
    return Reason(f"distance_{band.code}", band.points,
                  f"距离：{band.label}（{facts.distance_source} {format_metres(distance)} 米）")


def _zone_reason(facts: Facts, rules: Rules) -> list[Reason]:
    inside = facts.at_gate or (facts.distance_m is not None and facts.distance_m <= rules.zone_radius_m)
    return [Reason("school_zone", rules.zone_points, rules.zone_label)] if inside else []


def _measure_reasons(facts: Facts, rules: Rules) -> list[Reason]:
    if not facts.measures:
        return []
    out = []
    for measure in rules.measures:
        if measure.code in facts.measures:
            present = facts.measures[measure.code]
            points = measure.present if present else measure.missing
            state = "有" if present else "无"
            out.append(Reason(f"measure_{measure.code}_{'present' if present else 'missing'}", points,
                              f"现场措施：{measure.label}（{state}）"))
    return out


def _level(score: float, *, known: bool, rules: Rules) -> Level:
    if not known:
        return rules.level("survey")
    scored = [lv for lv in rules.levels if lv.min_score is not None]
    return next((lv for lv in sorted(scored, key=lambda lv: -(lv.min_score or 0)) if score >= (lv.min_score or 0)),
                scored[-1])


def _level_of(lv: dict[str, Any]) -> Level:
    """One ``[[level]]``: its colours are ``#rrggbb``, and the one it is written in reads on white (AA)."""
    name = f"等级“{lv['label']}”"
    colour = check_hex(lv["colour"], what=f"{name}的 colour ")
    text = check_hex(lv.get("text_colour", colour), what=f"{name}的 text_colour ")
    if (ratio := contrast_ratio(text, WHITE)) < AA_TEXT:
        raise ValueError(f"{name}的文字颜色 {text} 在白底上的对比度只有 {ratio:.2f}:1（至少 {AA_TEXT}:1），"
                         "请用 text_colour 给出更深的颜色")
    if (ratio := contrast_ratio(text_on(colour), colour)) < AA_TEXT:
        raise ValueError(f"{name}的颜色 {colour} 上的文字对比度只有 {ratio:.2f}:1（至少 {AA_TEXT}:1）")
    return Level(code=lv["code"], label=lv["label"], rank=int(lv["rank"]), colour=colour,
                 min_score=lv.get("min_score"), text_colour=lv.get("text_colour", ""))


def _rules(data: dict[str, Any], *, source: str) -> Rules:
    levels = tuple(_level_of(lv) for lv in data["level"])
    codes = {lv.code for lv in levels}
    if "survey" not in codes or not any(lv.min_score is not None for lv in levels):
        raise ValueError("等级中须有 survey（待核查），且至少一个等级有 min_score")
    bands = tuple(DistanceBand(code=b["code"], label=b["label"], points=float(b["points"]),
                               max_m=b.get("max_m"), at_gate=bool(b.get("at_gate", False)))
                  for b in data["distance_band"])
    if not any(b.at_gate for b in bands) or not any(b.max_m is None and not b.at_gate for b in bands):
        raise ValueError("距离分段须有 at_gate（校门口）一段，且最后一段不设 max_m")
    return Rules(
        levels=levels, bands=bands,
        unknown_points=float(data["unknown_distance"]["points"]), unknown_label=data["unknown_distance"]["label"],
        zone_radius_m=float(data["school_zone"]["radius_m"]), zone_points=float(data["school_zone"]["points"]),
        zone_label=data["school_zone"]["label"],
        kind_points={k: float(v) for k, v in data["kind"].items()},
        seasonal_points=float(data["seasonal"]["points"]), seasonal_label=data["seasonal"]["label"],
        age_points={k: float(v) for k, v in data["age"].items()},
        measures=tuple(Measure(code=m["code"], label=m["label"], present=float(m["present"]),
                               missing=float(m["missing"])) for m in data.get("measure", [])),
        tolerance_m=float(data["distance_check"]["tolerance_m"]),
        tolerance_ratio=float(data["distance_check"]["tolerance_ratio"]),
        source=source, task_deadlines=_task_deadlines(data.get("task_deadline", {}), codes),
    )


def _task_deadlines(table: dict[str, Any], levels: set[str]) -> dict[str, dict[str, int]]:
    """``[task_deadline.<level>]``: whole days ≥ 1 per measure, for levels the rules declare."""
    out: dict[str, dict[str, int]] = {}
    for level, days in table.items():
        if level not in levels:
            raise ValueError(f"整改期限中的等级“{level}”未在 [[level]] 中声明")
        for measure, value in days.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"整改期限 task_deadline.{level}.{measure} 应为不小于 1 的整数天数（现为 {value!r}）")
        out[level] = dict(days)
    return out
