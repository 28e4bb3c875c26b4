"""Risk colours have one source (``risk_rules.toml``): the map's hex colours and the app's badges agree."""

from __future__ import annotations

import pytest

from school_water_map.outputs.colours import NONE_COLOUR, badge_colour, risk_badges, risk_colours


@pytest.mark.parametrize(("hex_colour", "badge"), [
    ("#c0392b", "red"), ("#8e44ad", "violet"), ("#e67e22", "orange"), ("#f1c40f", "yellow"), ("#27ae60", "green"),
    ("#2471a3", "blue"), ("#7f8c8d", "gray"), ("#ff0010", "red"),  # a red just below 360° is still red
])
def test_a_hex_colour_becomes_the_nearest_badge_colour(hex_colour, badge):
    assert badge_colour(hex_colour) == badge


def test_every_level_of_the_rules_has_its_map_colour_and_a_badge(register):
    colours, badges = risk_colours(register.rules), risk_badges(register.rules)
    assert set(colours) == set(badges) == {level.code for level in register.rules.levels} | {"none"}
    assert colours["none"] == NONE_COLOUR and badges["none"] == "gray"
    assert {code: badges[code] for code in ("high", "elevated", "low")} == {"high": "red", "elevated": "orange",
                                                                           "low": "green"}
