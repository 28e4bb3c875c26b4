"""巡查概况 for the bureau (pure): per township and in total, the sites inspected within their due window,
those never inspected, those inspected before but now overdue, open problems, and the inspections whose
position does not confirm the visit (不在现场, 无定位)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from school_water_map.domain.entities import TOWNSHIP_UNKNOWN
from school_water_map.domain.inspections import Inspection
from school_water_map.domain.patrol import PRESENCE_ZH, Due, PatrolRules, due_status, open_problems
from school_water_map.domain.sites import Site

TOTAL = "合计"
#: The presences that do not confirm the inspector stood at the site, counted apart.
UNCONFIRMED = ("not_at_site", "no_gps")
TOWNSHIP_COLUMNS = ["乡镇", "站点数", "按期巡查", "从未巡查", "逾期", "覆盖率", "不在现场", "无定位"]
SITE_COLUMNS = ["乡镇", "站点", "学校", "水体", "风险", "上次巡查", "状态"]
_KEYS = ("sites", "on_time", "never", "overdue", *UNCONFIRMED)


@dataclass(frozen=True)
class Coverage:
    townships: pd.DataFrame  # one row per township, then the 合计 row
    never: pd.DataFrame  # one row per site with no inspection at all
    overdue: pd.DataFrame  # one row per site inspected before whose next inspection is overdue
    problems: pd.DataFrame  # one row per site whose latest inspection left something open
    unconfirmed: pd.DataFrame  # every inspection recorded away from its site or without a position

    @property
    def total(self) -> pd.Series:
        """The 合计 row of :attr:`townships`."""
        return self.townships.iloc[-1]


def site_state(due: Due) -> str:
    """``never`` (no inspection yet), ``overdue`` (inspected before, next one late) or ``on_time``."""
    if due.last is None:
        return "never"
    return "overdue" if due.status == "overdue" else "on_time"


def coverage(site_list: Sequence[Site], inspections: Sequence[Inspection], latest: Mapping[str, Inspection],
             today: date, rules: PatrolRules) -> Coverage:
    """The bureau's view of patrol work as of ``today``."""
    last = {site_id: item.day for site_id, item in latest.items()}
    dues = [due_status(s, last.get(s.site_id), today, rules) for s in site_list]
    names = {s.site_id: s for s in site_list}

    def town_of(item: Inspection) -> str:
        site = names.get(item.site_id)
        return site.township_label if site is not None else (item.township or TOWNSHIP_UNKNOWN)

    counts: dict[str, dict[str, int]] = {}
    for due in dues:
        row = counts.setdefault(due.site.township_label, dict.fromkeys(_KEYS, 0))
        row["sites"] += 1
        row[site_state(due)] += 1
    unconfirmed = [i for i in inspections if i.presence in UNCONFIRMED]
    for item in unconfirmed:
        counts.setdefault(town_of(item), dict.fromkeys(_KEYS, 0))[item.presence] += 1
    order = sorted(counts, key=lambda town: (town == TOWNSHIP_UNKNOWN, town))
    total = {key: sum(counts[town][key] for town in order) for key in _KEYS}
    townships = pd.DataFrame([_town_row(town, counts[town]) for town in order] + [_town_row(TOTAL, total)],
                             columns=TOWNSHIP_COLUMNS)
    never = pd.DataFrame([_site_row(d) for d in dues if site_state(d) == "never"], columns=SITE_COLUMNS)
    overdue = pd.DataFrame([_site_row(d) for d in dues if site_state(d) == "overdue"], columns=SITE_COLUMNS)
    problems = pd.DataFrame([
        {"乡镇": names[i.site_id].township_label, "站点": i.site_id, "学校": names[i.site_id].school,
         "水体": names[i.site_id].water, "问题": "；".join(found), "处理": i.action_taken, "巡查": f"#{i.id}",
         "日期": i.day.isoformat(), "巡查人": i.inspector}
        for i in latest.values() if i.site_id in names and (found := open_problems(i.answers, i.problems))],
        columns=["乡镇", "站点", "学校", "水体", "问题", "处理", "巡查", "日期", "巡查人"])
    away = pd.DataFrame([
        {"乡镇": town_of(i), "站点": i.site_id, "巡查": f"#{i.id}", "日期": i.day.isoformat(),
         "巡查人": i.inspector, "状态": PRESENCE_ZH[i.presence],
         "距站点（米）": None if i.distance_to_site_m is None else round(i.distance_to_site_m),
         "定位精度（米）": i.gps_accuracy_m}
        for i in unconfirmed],
        columns=["乡镇", "站点", "巡查", "日期", "巡查人", "状态", "距站点（米）", "定位精度（米）"])
    return Coverage(townships=townships, never=never, overdue=overdue, problems=problems, unconfirmed=away)


def _town_row(town: str, n: Mapping[str, int]) -> dict[str, object]:
    return {"乡镇": town, "站点数": n["sites"], "按期巡查": n["on_time"], "从未巡查": n["never"],
            "逾期": n["overdue"], "覆盖率": round(n["on_time"] / n["sites"], 3) if n["sites"] else None,
            "不在现场": n["not_at_site"], "无定位": n["no_gps"]}


def _site_row(due: Due) -> dict[str, object]:
    site = due.site
    return {"乡镇": site.township_label, "站点": site.site_id, "学校": site.school, "水体": site.water,
            "风险": site.risk_level_label, "上次巡查": due.last.isoformat() if due.last else "—", "状态": due.label}
