from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from shapely.geometry import LineString, Point

from school_water_map.domain.coverage import coverage
from school_water_map.domain.inspections import Inspection, measures
from school_water_map.domain.patrol import PatrolRules, due_status, open_problems, presence, todays_list
from school_water_map.domain.sites import sites
from tests.helpers import ANSWERS

RULES = PatrolRules(summer_start=(7, 1), summer_end=(8, 31), cycle_days=7, max_distance_m=150)


def _inspection(ident, site, when, **kw):
    return Inspection(id=ident, site_id=site, township=kw.pop("township", "板桥乡"), user_id=1, inspector="李巡查",
                      created_at=when, answers=kw.pop("answers", ANSWERS), **kw)


@pytest.mark.parametrize(("today", "last", "status", "days"), [
    (date(2026, 7, 15), None, "overdue", 1),
    (date(2026, 7, 15), date(2026, 7, 15), "done", -1),
    (date(2026, 7, 15), date(2026, 7, 14), "due", 0),        # summer: daily
    (date(2026, 7, 15), date(2026, 7, 12), "overdue", 2),
    (date(2026, 10, 15), date(2026, 10, 10), "done", -2),    # off season: every 7 days
    (date(2026, 10, 15), date(2026, 10, 8), "due", 0),
    (date(2026, 10, 15), date(2026, 10, 1), "overdue", 7),
])
def test_due_in_summer_daily_otherwise_on_a_cycle(register, today, last, status, days):
    site = sites(register)[0]
    due = due_status(site, last, today, RULES)
    assert (due.status, due.days_overdue) == (status, days)


def test_todays_list_for_banqiao_puts_row_83_first(register):
    banqiao = [s for s in sites(register) if s.township == "板桥乡"]
    todo = todays_list(banqiao, {}, date(2026, 7, 15), RULES)
    assert [d.site.row for d in todo][:1] == [83] and {d.site.township for d in todo} == {"板桥乡"}
    done = todays_list(banqiao, {banqiao[0].site_id: date(2026, 7, 15)}, date(2026, 7, 15), RULES)
    assert banqiao[0].site_id not in {d.site.site_id for d in done}


def test_answers_become_measures_and_open_problems():
    assert measures(ANSWERS) == {"warning_sign": True, "fence": False, "rescue_kit": False, "minors_seen": True}
    assert open_problems(ANSWERS, "护栏缺口") == ["隔离带/防护栏：无", "救生杆/绳/圈：不全", "护栏缺口"]


def test_presence_in_metres():
    site = LineString([(106.30, 37.89), (106.30, 37.91)])
    assert presence(Point(106.3010, 37.90), site, RULES)[0] == "at_site"   # ~88 m east of the canal
    state, distance = presence(Point(106.3030, 37.90), site, RULES)
    assert state == "not_at_site" and distance == pytest.approx(264, rel=0.02)


def test_coverage(register):
    all_sites = sites(register)
    banqiao = [s for s in all_sites if s.township == "板桥乡"]
    when = datetime(2026, 7, 15, 2, tzinfo=UTC)
    items = [_inspection(1, banqiao[0].site_id, when, presence="at_site"),
             _inspection(2, banqiao[1].site_id, when, presence="not_at_site", distance_to_site_m=900.0,
                         answers={**ANSWERS, "fence": "ok", "rescue_kit": "ok"})]
    report = coverage(all_sites, items, {i.site_id: i for i in items}, date(2026, 7, 15), RULES)
    row = report.townships.set_index("乡镇").loc["板桥乡"]
    assert (row["站点数"], row["按期巡查"], row["覆盖率"]) == (len(banqiao), 2, round(2 / len(banqiao), 3))
    assert report.townships["乡镇"].tolist()[-2:] == ["待确认", "合计"]
    assert len(report.never) == len(all_sites) - 2 and report.overdue.empty  # never inspected is not overdue
    assert report.problems["站点"].tolist() == [banqiao[0].site_id]
    assert report.unconfirmed["巡查"].tolist() == ["#2"] and report.total["不在现场"] == 1


def test_patrol_rules_from_settings(settings):
    from dataclasses import replace

    from school_water_map.domain.patrol import patrol_rules

    rules = patrol_rules(replace(settings, patrol_summer="07-10..08-25", patrol_cycle_days=3))
    assert rules.in_summer(date(2026, 7, 10)) and not rules.in_summer(date(2026, 7, 9))
    assert rules.interval_days(date(2026, 9, 1)) == 3
    for bad in ("summer", "07-01..02-30"):
        with pytest.raises(ValueError, match="暑期设置"):
            patrol_rules(replace(settings, patrol_summer=bad))
