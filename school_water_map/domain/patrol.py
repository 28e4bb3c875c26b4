"""Patrol rules (pure): when a site is due, whether the patrol stood at it, and what its answers mean
for risk. The checklist itself is ``school_water_map.domain.checklist``.

In 暑期 (a configurable summer window) every site is due daily; outside it, every ``cycle_days``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from school_water_map.domain.checklist import CHECKLIST
from school_water_map.domain.sites import Site
from school_water_map.geo.distance import to_metric
from school_water_map.settings import Settings

PRESENCE_ZH = {"at_site": "在现场", "not_at_site": "不在现场", "no_gps": "无定位",
               "site_unplaced": "点位未定位，无法核验"}
#: Answers that leave a problem open until a later inspection finds it fixed.
PROBLEM_ANSWERS = {("warning_sign", "damaged"), ("warning_sign", "missing"), ("fence", "damaged"),
                   ("fence", "missing"), ("rescue_kit", "partial"), ("rescue_kit", "missing")}


@dataclass(frozen=True)
class PatrolRules:
    summer_start: tuple[int, int] = (7, 1)  # (month, day), inclusive
    summer_end: tuple[int, int] = (8, 31)
    cycle_days: int = 7
    max_distance_m: float = 150.0  # farther than this from the site: "not at site"
    place_accuracy_m: float = 50.0  # a fix at least this good may place an unplaced site (patrol_place)

    def in_summer(self, day: date) -> bool:
        return self.summer_start <= (day.month, day.day) <= self.summer_end

    def interval_days(self, day: date) -> int:
        return 1 if self.in_summer(day) else self.cycle_days


@dataclass(frozen=True)
class Due:
    site: Site
    last: date | None
    days_overdue: int  # 0 = due today; > 0 overdue; < 0 not yet due
    status: str  # "overdue" | "due" | "done"

    @property
    def label(self) -> str:
        if self.last is None:
            return "从未巡查"
        if self.status == "overdue":
            return f"已逾期 {self.days_overdue} 天"
        return "今日应巡查" if self.status == "due" else "已完成"


def patrol_rules(settings: Settings) -> PatrolRules:
    """The patrol rules configured in ``settings`` (``SWMAP_PATROL_*``); a malformed window is an error."""
    match = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*\.\.\s*(\d{1,2})-(\d{1,2})\s*", settings.patrol_summer)
    if match is None:
        raise ValueError(f"暑期设置“{settings.patrol_summer}”无效：应写成 07-01..08-31")
    m1, d1, m2, d2 = map(int, match.groups())
    try:
        date(2024, m1, d1), date(2024, m2, d2)  # validates the days (2024 has 29 February)
    except ValueError as exc:
        raise ValueError(f"暑期设置“{settings.patrol_summer}”中的日期无效") from exc
    return PatrolRules(summer_start=(m1, d1), summer_end=(m2, d2), cycle_days=settings.patrol_cycle_days,
                       max_distance_m=settings.patrol_max_distance_m,
                       place_accuracy_m=settings.patrol_place_accuracy_m)


def due_status(site: Site, last: date | None, today: date, rules: PatrolRules) -> Due:
    """A site is due when its interval has passed since the last inspection (never inspected: overdue)."""
    if last is None:
        return Due(site, None, 1, "overdue")
    next_due = (last.toordinal() + rules.interval_days(today))
    days = today.toordinal() - next_due
    status = "overdue" if days > 0 else "due" if days == 0 else "done"
    return Due(site, last, days, status)


def todays_list(site_list: Sequence[Site], last_inspected: Mapping[str, date], today: date,
                rules: PatrolRules) -> list[Due]:
    """Due and overdue sites, highest risk first, then the longest overdue."""
    entries = [due_status(s, last_inspected.get(s.site_id), today, rules) for s in site_list]
    todo = [e for e in entries if e.status != "done"]
    return sorted(todo, key=lambda e: (e.site.risk_rank, -e.site.risk_score, -e.days_overdue, e.site.row))


def open_problems(answers: Mapping[str, str], problems_text: str) -> list[str]:
    """What an inspection left open: missing or damaged measures, and any written problem."""
    labels = {item.code: item for item in CHECKLIST}
    found = [f"{labels[code].label}：{opt.label}" for code, value in answers.items() if (code, value) in PROBLEM_ANSWERS
             for opt in labels[code].options if opt.code == value]
    if problems_text.strip():
        found.append(problems_text.strip())
    return found


def validate_answers(answers: Mapping[str, str]) -> list[str]:
    """Chinese messages for unanswered or unknown checklist items (empty when complete)."""
    problems = []
    for item in CHECKLIST:
        value = answers.get(item.code)
        if not value:
            problems.append(f"请填写“{item.label}”")
        elif value not in {o.code for o in item.options}:
            problems.append(f"“{item.label}”的选项“{value}”无效")
    unknown = set(answers) - {item.code for item in CHECKLIST}
    problems.extend(f"未知的检查项“{code}”" for code in sorted(unknown))
    return problems


def presence(device: Point | None, target: BaseGeometry | None, rules: PatrolRules) -> tuple[str, float | None]:
    """``(presence, distance_m)`` for a device position against the site (metres, geodesically sound)."""
    if device is None:
        return "no_gps", None
    if target is None:
        return "site_unplaced", None
    frame = to_metric(gpd.GeoSeries([device, target], crs="EPSG:4326"))
    distance = float(frame.iloc[0].distance(frame.iloc[1]))
    return ("at_site" if distance <= rules.max_distance_m else "not_at_site"), distance
