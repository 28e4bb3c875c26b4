"""巡查概况 (pure): never inspected is not overdue, 无定位 is counted beside 不在现场, per township and in total."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from school_water_map.domain.coverage import TOTAL, coverage
from school_water_map.domain.inspections import Inspection
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.sites import Site

RULES = PatrolRules(summer_start=(7, 1), summer_end=(8, 31), cycle_days=7, max_distance_m=150)
TODAY = date(2026, 9, 20)  # outside the summer window: a site is due every 7 days


def _site(ident: str, township: str | None) -> Site:
    return Site(site_id=ident, row=1, rows=(1,), school_id="S", school="某小学", water_id="W", water="某渠",
                water_text="某渠", water_kind_label="渠", distance_text="", township=township,
                township_label=township or "待确认", risk_level="high", risk_level_label="高", risk_rank=1,
                risk_score=70.0)


def _inspection(ident: int, site: str, day: date, presence: str) -> Inspection:
    return Inspection(id=ident, site_id=site, township="", user_id=1, inspector="李巡查",
                      created_at=datetime(day.year, day.month, day.day, 2, tzinfo=UTC), presence=presence)


SITES = [_site("A1", "板桥乡"), _site("A2", "板桥乡"), _site("A3", "板桥乡"), _site("B1", "古城镇"), _site("U1", None)]


def test_on_day_one_every_site_is_never_inspected_and_none_is_overdue():
    report = coverage(SITES, [], {}, TODAY, RULES)
    assert report.total["乡镇"] == TOTAL
    total = report.total
    assert (total["站点数"], total["从未巡查"], total["逾期"], total["按期巡查"]) == (5, 5, 0, 0)
    assert report.overdue.empty and report.never["站点"].tolist() == ["A1", "A2", "A3", "B1", "U1"]
    assert report.townships["乡镇"].tolist() == ["古城镇", "板桥乡", "待确认", TOTAL]  # 待确认 last, then the total


def test_never_inspected_overdue_and_on_time_are_apart_and_presences_are_counted():
    items = [_inspection(1, "A1", date(2026, 9, 18), "at_site"),       # 2 days ago: on time
             _inspection(2, "A2", date(2026, 9, 1), "not_at_site"),    # 19 days ago: overdue
             _inspection(3, "B1", date(2026, 9, 19), "no_gps"),        # on time, without a position
             _inspection(4, "B1", date(2026, 9, 10), "no_gps")]        # an earlier one, also without
    latest = {"A1": items[0], "A2": items[1], "B1": items[2]}
    report = coverage(SITES, items, latest, TODAY, RULES)
    towns = report.townships.set_index("乡镇")
    banqiao, gucheng = towns.loc["板桥乡"], towns.loc["古城镇"]
    assert (banqiao["站点数"], banqiao["按期巡查"], banqiao["逾期"], banqiao["从未巡查"]) == (3, 1, 1, 1)
    assert (banqiao["不在现场"], banqiao["无定位"], gucheng["不在现场"], gucheng["无定位"]) == (1, 0, 0, 2)
    assert banqiao["覆盖率"] == round(1 / 3, 3)
    total = report.total
    assert (total["站点数"], total["按期巡查"], total["逾期"], total["从未巡查"]) == (5, 2, 1, 2)
    assert (total["不在现场"], total["无定位"], total["覆盖率"]) == (1, 2, 0.4)
    assert report.overdue["站点"].tolist() == ["A2"] and report.overdue["上次巡查"].tolist() == ["2026-09-01"]
    assert report.never["站点"].tolist() == ["A3", "U1"] and set(report.never["状态"]) == {"从未巡查"}
    assert report.unconfirmed["巡查"].tolist() == ["#2", "#3", "#4"]
    assert report.unconfirmed["状态"].tolist() == ["不在现场", "无定位", "无定位"]
    assert report.unconfirmed["乡镇"].tolist() == ["板桥乡", "古城镇", "古城镇"]  # the site's township


def test_an_inspection_of_an_unknown_site_still_counts_in_its_recorded_township():
    stray = Inspection(id=9, site_id="GONE", township="郭家桥乡", user_id=1, inspector="王",
                       created_at=datetime(2026, 9, 19, 2, tzinfo=UTC), presence="no_gps")
    towns = coverage(SITES, [stray], {}, TODAY, RULES).townships.set_index("乡镇")
    assert towns.loc["郭家桥乡", "无定位"] == 1 and towns.loc["郭家桥乡", "站点数"] == 0
    assert pd.isna(towns.loc["郭家桥乡", "覆盖率"])  # no sites: no rate, not 0 %
    assert towns.loc[TOTAL, "无定位"] == 1
