from __future__ import annotations

from dataclasses import replace

import pytest

from school_water_map.domain.risk import Facts, assess
from school_water_map.errors import RulesError
from school_water_map.io.curated import load_rules
from school_water_map.pipeline.register import build_register
from school_water_map.settings import DEFAULT_RULES_PATH


@pytest.fixture(scope="module")
def rules():
    return load_rules(DEFAULT_RULES_PATH)


def _row(register, number):
    return register.pairs.set_index("row").loc[number]


@pytest.mark.parametrize("row", [83, 44, 15])
def test_the_closest_hazards_are_at_the_top_level(register, row):
    assert _row(register, row)["risk_level"] == "high"


def test_the_top_of_the_ranking_is_those_rows(register):
    assert set(register.pairs["row"].head(3)) == {83, 44, 15}


def test_unknown_distance_needs_a_survey_and_ranks_above_known_low(register):
    row16 = _row(register, 16)
    assert row16["risk_level"] == "survey" and row16["risk_level_label"] == "待核查"
    assert any(r["code"] == "unknown_distance" for r in row16["reasons"])
    ranks = list(register.pairs["row"])
    low_rows = register.pairs.loc[register.pairs["risk_level"] == "low", "row"]
    assert all(ranks.index(16) < ranks.index(r) for r in low_rows)


def test_every_result_explains_itself(register):
    for rec in register.pairs.to_dict("records"):
        assert rec["risk_score"] == pytest.approx(sum(r["points"] for r in rec["reasons"]))
        assert rec["reasons"] and all(r["text"] for r in rec["reasons"])


def test_ranking_is_by_level_then_score(register):
    ranks = list(zip(register.pairs["risk_rank"], -register.pairs["risk_score"], strict=True))
    assert ranks == sorted(ranks)


def test_zone_kind_age_and_season_rules(rules):
    base = Facts(distance_m=150, at_gate=False, kind="pond", seasonal=False, school_level="primary")
    result = assess(base, rules)
    codes = {r.code for r in result.reasons}
    assert {"distance_le_200", "school_zone", "kind_pond", "age_primary"} <= codes
    assert assess(replace(base, seasonal=True), rules).score == result.score + rules.seasonal_points
    assert assess(replace(base, school_level="middle"), rules).score < result.score
    assert assess(replace(base, distance_m=250), rules).score < result.score


def test_site_measures_change_the_level(rules):
    facts = Facts(distance_m=10, at_gate=False, kind="branch_canal", seasonal=False, school_level="primary")
    protected = assess(replace(facts, measures={"warning_sign": True, "fence": True, "rescue_kit": True}), rules)
    exposed = assess(replace(facts, measures={"warning_sign": False, "fence": False, "minors_seen": True}), rules)
    assert assess(facts, rules).level == "high"
    assert protected.level != "high" and protected.score < exposed.score
    assert any("隔离带" in r.text for r in protected.reasons)


def test_rules_file_can_be_overridden(tmp_path, settings):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace("min_score = 65", "min_score = 75")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    changed = build_register(replace(settings, rules_path=path))
    assert (changed.pairs["risk_level"] == "high").sum() == 0


@pytest.mark.parametrize("broken", ["[[level]]\ncode = 1", "not toml ===", ""])
def test_malformed_rules_are_a_clear_error(tmp_path, broken):
    path = tmp_path / "rules.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(RulesError, match="风险规则文件"):
        load_rules(path)


@pytest.mark.parametrize(("change", "message"), [
    (("sign = 3", "sign = 0"), "task_deadline.high.sign 应为不小于 1 的整数天数"),
    (("sign = 3", 'sign = "三天"'), "task_deadline.high.sign 应为不小于 1 的整数天数"),
    (("[task_deadline.low]", "[task_deadline.lowest]"), "整改期限中的等级“lowest”未在 [[level]] 中声明"),
])
def test_task_deadlines_are_checked(tmp_path, change, message):
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        load_rules(path)
    assert load_rules(DEFAULT_RULES_PATH).task_deadlines["high"]["sign"] == 3
