"""The patrol rules as the 巡查 pages show them (pure): a day's sites split into those still to inspect
and those done, the townships to choose from, and the patrol cycle in words. The rules themselves
(when a site is due, presence) are :mod:`school_water_map.domain.patrol`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from school_water_map.domain.entities import TOWNSHIP_UNKNOWN
from school_water_map.domain.patrol import Due, PatrolRules, due_status, todays_list
from school_water_map.domain.sites import Site

#: The township choice that lists every township the user may read.
ALL_TOWNSHIPS = "全部乡镇"


@dataclass(frozen=True)
class PatrolDay:
    """One day of patrol over some sites."""

    todo: list[Due]  # due and overdue, highest risk first (``todays_list``)
    done: list[Due]  # inspected within their interval, in the sites' order


def patrol_day(site_list: Sequence[Site], last_inspected: Mapping[str, date], today: date,
               rules: PatrolRules) -> PatrolDay:
    """Today's list, and the sites whose last inspection still covers today (never inspected: to do)."""
    todo = todays_list(site_list, last_inspected, today, rules)
    due = {entry.site.site_id for entry in todo}
    done = [due_status(s, last_inspected[s.site_id], today, rules) for s in site_list
            if s.site_id in last_inspected and s.site_id not in due]
    return PatrolDay(todo, done)


def cycle_text(rules: PatrolRules, today: date) -> str:
    """``暑期，每日巡查`` or ``每 7 天巡查一次``: the interval that applies today."""
    return "暑期，每日巡查" if rules.in_summer(today) else f"每 {rules.cycle_days} 天巡查一次"


def township_choices(site_list: Sequence[Site]) -> list[str]:
    """``全部乡镇``, the sites' townships in order, and 乡镇待确认 last."""
    labels = {s.township_label for s in site_list} - {TOWNSHIP_UNKNOWN}
    return [ALL_TOWNSHIPS, *sorted(labels), TOWNSHIP_UNKNOWN]


def in_township(site_list: Sequence[Site], township: str) -> list[Site]:
    """The sites of one township (by its label), or all of them for ``全部乡镇``."""
    return [s for s in site_list if township == ALL_TOWNSHIPS or s.township_label == township]
