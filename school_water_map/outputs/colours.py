"""Risk colours (pure): the one reading of the levels' colours in ``risk_rules.toml``, for the map (hex),
for text on white (``text_colour``, WCAG AA) and for the app's badges (the nearest of Streamlit's named
colours, so a badge matches the map). No other module spells a level's colour."""

from __future__ import annotations

import colorsys

from school_water_map.domain.risk import Rules

NONE_COLOUR = "#7f8c8d"  # a school with no reported water
#: A reference place (城区中心, 区政府, 金积镇): brown, a hue no risk level, 无上报水域, the river or the
#: outline uses (7.0:1 on white).
ANCHOR_COLOUR = "#795548"
NONE_TEXT_COLOUR = "#5f6a6a"  # …written as text on white (NONE_COLOUR itself is 3.5:1; this 5.6:1)
#: Streamlit's badge colours by hue (degrees); a greyish colour is ``gray``.
BADGE_HUES = (("red", 0.0), ("orange", 30.0), ("yellow", 50.0), ("green", 130.0), ("blue", 210.0),
              ("violet", 280.0), ("red", 360.0))
GREY_SATURATION = 0.25
UNKNOWN_BADGE = "gray"
#: Streamlit's own (text, background) colours of its named badges in the light theme (Streamlit 1.67,
#: ``static/js``): what a ``:yellow-badge[…]`` shows, so its contrast can be checked.
STREAMLIT_BADGES = {"red": ("#9e303b", "#fff1f2"), "orange": ("#9b4519", "#fff6ed"),
                    "yellow": ("#956b0f", "#fffae5"), "green": ("#0c5a44", "#f1fbf6"),
                    "blue": ("#244fb4", "#edf5ff"), "violet": ("#6f33b8", "#f8f2ff"),
                    "gray": ("#686255", "#f5f4f2")}


def risk_colours(rules: Rules) -> dict[str, str]:
    """Each risk level's colour (``#rrggbb``), and ``none`` for a school without reported water."""
    return {**{level.code: level.colour for level in rules.levels}, "none": NONE_COLOUR}


def risk_text_colours(rules: Rules) -> dict[str, str]:
    """Each risk level's colour as text on white (its ``text_colour``, else its ``colour``), and ``none``."""
    return {**{level.code: level.text for level in rules.levels}, "none": NONE_TEXT_COLOUR}


def badge_colour(hex_colour: str) -> str:
    """The Streamlit badge colour nearest ``#rrggbb`` by hue (``:red-badge[…]``); gray when greyish."""
    red, green, blue = (int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, saturation, _value = colorsys.rgb_to_hsv(red, green, blue)
    if saturation < GREY_SATURATION:
        return UNKNOWN_BADGE
    return min(BADGE_HUES, key=lambda named: abs(named[1] - hue * 360))[0]


def risk_badges(rules: Rules) -> dict[str, str]:
    """Each risk level's badge colour; look up with ``.get(level, UNKNOWN_BADGE)``."""
    return {code: badge_colour(colour) for code, colour in risk_colours(rules).items()}
