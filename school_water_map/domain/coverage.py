"""巡查概况 for the bureau (pure): per township, the share of sites inspected within their due window,
the overdue sites, open problems, and inspections made away from the site."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from school_water_map.domain.entities import TOWNSHIP_UNKNOWN
from school_water_map.domain.inspections import Inspection
from school_water_map.domain.patrol import PRESENCE_ZH, PatrolRules, due_status, open_problems
from school_water_map.domain.sites import Site


@dataclass(frozen=True)
class Coverage:
    townships: pd.DataFrame  # one row per township
    overdue: pd.DataFrame  # one row per overdue site
    problems: pd.DataFrame  # one row per site whose latest inspection left something open
    not_at_site: pd.DataFrame  # every inspection recorded away from its site


def coverage(site_list: Sequence[Site], inspections: Sequence[Inspection], latest: Mapping[str, Inspection],
             today: date, rules: PatrolRules) -> Coverage:
    """The bureau's view of patrol work as of ``today``."""
    last = {site_id: item.day for site_id, item in latest.items()}
    dues = [due_status(s, last.get(s.site_id), today, rules) for s in site_list]
    by_town: dict[str, list[bool]] = {}
    for due in dues:
        by_town.setdefault(due.site.township_label, []).append(due.status != "overdue")
    townships = pd.DataFrame([
        {"乡镇": town, "站点数": len(flags), "按期巡查": sum(flags), "逾期": len(flags) - sum(flags),
         "覆盖率": round(sum(flags) / len(flags), 3)}
        for town, flags in sorted(by_town.items(), key=lambda kv: (kv[0] == TOWNSHIP_UNKNOWN, kv[0]))],
        columns=["乡镇", "站点数", "按期巡查", "逾期", "覆盖率"])
    overdue = pd.DataFrame([
        {"乡镇": d.site.township_label, "站点": d.site.site_id, "学校": d.site.school, "水体": d.site.water,
         "风险": d.site.risk_level_label, "上次巡查": d.last.isoformat() if d.last else "从未巡查", "状态": d.label}
        for d in dues if d.status == "overdue"],
        columns=["乡镇", "站点", "学校", "水体", "风险", "上次巡查", "状态"])
    names = {s.site_id: s for s in site_list}
    problems = pd.DataFrame([
        {"乡镇": names[i.site_id].township_label, "站点": i.site_id, "学校": names[i.site_id].school,
         "水体": names[i.site_id].water, "问题": "；".join(found), "处理": i.action_taken, "巡查": f"#{i.id}",
         "日期": i.day.isoformat(), "巡查人": i.inspector}
        for i in latest.values() if i.site_id in names and (found := open_problems(i.answers, i.problems))],
        columns=["乡镇", "站点", "学校", "水体", "问题", "处理", "巡查", "日期", "巡查人"])
    away = pd.DataFrame([
        {"乡镇": i.township or TOWNSHIP_UNKNOWN, "站点": i.site_id, "巡查": f"#{i.id}", "日期": i.day.isoformat(),
         "巡查人": i.inspector, "距站点（米）": None if i.distance_to_site_m is None else round(i.distance_to_site_m),
         "定位精度（米）": i.gps_accuracy_m, "状态": PRESENCE_ZH[i.presence]}
        for i in inspections if i.presence == "not_at_site"],
        columns=["乡镇", "站点", "巡查", "日期", "巡查人", "距站点（米）", "定位精度（米）", "状态"])
    return Coverage(townships=townships, overdue=overdue, problems=problems, not_at_site=away)
