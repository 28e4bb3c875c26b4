"""The 巡查 page's split of a day (to do / done), its township choices and the cycle in words."""

from __future__ import annotations

from datetime import date

from school_water_map.domain.entities import TOWNSHIP_UNKNOWN
from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.patrol_view import ALL_TOWNSHIPS, cycle_text, in_township, patrol_day, township_choices
from school_water_map.domain.sites import sites

RULES = PatrolRules(summer_start=(7, 1), summer_end=(8, 31), cycle_days=7, max_distance_m=150)


def test_a_site_inspected_today_is_done_and_the_rest_are_to_do(register):
    banqiao = in_township(sites(register), "板桥乡")
    first, second = banqiao[0], banqiao[1]
    day = patrol_day(banqiao, {first.site_id: date(2026, 7, 15), second.site_id: date(2026, 7, 10)},
                     date(2026, 7, 15), RULES)
    assert [d.site.site_id for d in day.done] == [first.site_id]
    assert {d.site.site_id for d in day.todo} == {s.site_id for s in banqiao} - {first.site_id}
    assert next(d for d in day.todo if d.site.site_id == second.site_id).label == "已逾期 4 天"


def test_off_season_a_week_old_inspection_is_still_done(register):
    site = sites(register)[0]
    assert [d.site for d in patrol_day([site], {site.site_id: date(2026, 10, 10)}, date(2026, 10, 15), RULES).done] \
        == [site]


def test_township_choices_start_with_all_and_end_with_unknown(register):
    choices = township_choices(sites(register))
    assert choices[0] == ALL_TOWNSHIPS and choices[-1] == TOWNSHIP_UNKNOWN
    assert "板桥乡" in choices and choices[1:-1] == sorted(choices[1:-1])
    assert len(in_township(sites(register), ALL_TOWNSHIPS)) == len(sites(register))
    assert {s.township_label for s in in_township(sites(register), "板桥乡")} == {"板桥乡"}


def test_the_cycle_in_words():
    assert cycle_text(RULES, date(2026, 7, 15)) == "暑期，每日巡查"
    assert cycle_text(RULES, date(2026, 10, 15)) == "每 7 天巡查一次"
