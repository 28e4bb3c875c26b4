"""Risk colours have one source (``risk_rules.toml``): the map's hex colours, the text colours and the app's
badges agree, and every level reads at WCAG AA (4.5:1) wherever it colours text or carries it."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import streamlit

from app_pages.parts import ui
from school_water_map.domain.colour import AA_TEXT, BLACK, WHITE, contrast_ratio, relative_luminance, text_on
from school_water_map.domain.risk import Rules, parse_rules
from school_water_map.errors import RulesError
from school_water_map.notices.render import is_light
from school_water_map.outputs.colours import (
    NONE_COLOUR,
    NONE_TEXT_COLOUR,
    STREAMLIT_BADGES,
    badge_colour,
    risk_badges,
    risk_colours,
    risk_text_colours,
)
from school_water_map.settings import DEFAULT_RULES_PATH


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


# -- one colour per level, readable (WCAG AA) ------------------------------------------------------------------------

def _rules() -> Rules:
    return parse_rules(DEFAULT_RULES_PATH.read_text(encoding="utf-8"), source="risk_rules.toml")


def test_the_wcag_formula_on_known_values():
    assert relative_luminance(WHITE) == pytest.approx(1.0) and relative_luminance(BLACK) == pytest.approx(0.0)
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0) and contrast_ratio(WHITE, BLACK) == pytest.approx(21.0)
    assert contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)  # the classic "just fails AA" grey
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # …and the one that passes
    assert text_on("#f1c40f") == BLACK and text_on("#c0392b") == WHITE


def test_every_level_reads_at_aa_as_text_on_white_as_a_badge_and_as_a_streamlit_badge():
    rules, failures = _rules(), []
    badges, texts = risk_badges(rules), risk_text_colours(rules)
    for level in rules.levels:
        as_text = contrast_ratio(texts[level.code], WHITE)
        on_badge = contrast_ratio(text_on(level.colour), level.colour)
        named_text, named_back = STREAMLIT_BADGES[badges[level.code]]
        in_app = contrast_ratio(named_text, named_back)
        print(f"{level.label}: colour {level.colour} text {texts[level.code]} on white {as_text:.2f}:1; "
              f"badge {text_on(level.colour)} on {level.colour} {on_badge:.2f}:1; "
              f":{badges[level.code]}-badge {in_app:.2f}:1")
        failures += [f"{level.label} {kind} {ratio:.2f}" for kind, ratio in
                     (("text", as_text), ("badge", on_badge), ("streamlit badge", in_app)) if ratio < AA_TEXT]
    assert not failures and contrast_ratio(texts["none"], WHITE) >= AA_TEXT
    assert texts["medium"] != rules.level("medium").colour  # yellow cannot be text: its darker variant is


def _lab(colour: str) -> tuple[float, float, float]:
    linear = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in linear)
    xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def test_the_levels_differ_clearly_on_the_map_and_in_the_app():
    rules = _rules()
    colours = [lv.colour for lv in rules.levels] + [NONE_COLOUR]
    closest = min(math.dist(_lab(a), _lab(b)) for a, b in itertools.combinations(colours, 2))
    print(f"closest pair of map colours: ΔE76 = {closest:.1f}")
    assert closest > 30  # far beyond "just noticeable" (≈ 2.3)
    badges = risk_badges(rules)
    assert len({badges[lv.code] for lv in rules.levels}) == len(rules.levels)  # a Streamlit badge colour each


def test_streamlit_badge_colours_are_those_of_the_installed_streamlit():
    bundle = "".join(p.read_text(encoding="utf-8", errors="ignore")
                     for p in (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("utils.*.js"))
    for name, (text, back) in STREAMLIT_BADGES.items():
        assert f"{name}TextColor:`{text}`".lower() in bundle.lower(), name
        assert f"{name}BackgroundColor:`{back}`".lower() in bundle.lower(), name


def test_a_level_colour_too_light_for_text_is_refused_in_chinese():
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace('text_colour = "#7d6608"\n', "")
    with pytest.raises(RulesError, match=re.escape("等级“中”的文字颜色 #f1c40f 在白底上的对比度只有 1.66:1")):
        parse_rules(text, source="rules.toml")
    with pytest.raises(RulesError, match="不是 #rrggbb"):
        parse_rules(text.replace('"#c0392b"', '"red"'), source="rules.toml")


ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = {".py", ".css", ".html", ".toml", ".js", ".json"}
SOURCES = [*(ROOT / "school_water_map").rglob("*"), *(ROOT / "app_pages").rglob("*.py"), ROOT / "app.py",
           *(ROOT / ".streamlit").glob("*.toml"), *(p for p in (ROOT / "static").rglob("*") if "vendor" not in p.parts)]


def test_the_rules_file_is_the_one_source_of_the_level_colours():
    rules = _rules()
    hexes = {c.lower() for lv in rules.levels for c in (lv.colour, lv.text)}
    found = [f"{path.relative_to(ROOT)}: {h}" for path in SOURCES
             if path.is_file() and path != DEFAULT_RULES_PATH and path.suffix in SUFFIXES
             for h in hexes if h in path.read_text(encoding="utf-8").lower()]
    assert not found
    # and nowhere is a level's colour read for text except through ``text`` (the AA variant)
    ui = (ROOT / "app_pages" / "parts" / "ui.py").read_text(encoding="utf-8")
    assert "risk_text_colours" in ui and "risk_colours" not in ui


def test_the_register_table_and_the_notices_write_each_level_readably():
    rules = _rules()
    table = pd.DataFrame({"风险": [lv.label for lv in rules.levels] + ["无上报水域"]})
    fake = SimpleNamespace(rules=rules, pairs=pd.DataFrame({"risk_level": [lv.code for lv in rules.levels],
                                                            "risk_level_label": [lv.label for lv in rules.levels]}))
    html = ui.risk_styled(table, fake).to_html()  # type: ignore[arg-type]
    for colour in [*(level.text for level in rules.levels), NONE_TEXT_COLOUR]:
        assert f"color: {colour}" in html
    css = (ROOT / "school_water_map" / "notices" / "templates" / "notices.css").read_text(encoding="utf-8")
    assert re.search(r"\.level \{[^}]*color: #fff;", css) and ".level.light { color: #000; }" in css
    for level in rules.levels:  # a notice's level badge: black on a light colour, white on a dark one
        assert is_light(level.colour) == (text_on(level.colour) == BLACK)


def test_the_numbered_badges_of_a_notice_diagram_are_readable_on_every_level():
    from school_water_map.notices.diagram import DiagramMark, direction_svg

    rules = _rules()
    marks = [DiagramMark(n, (90.0 * n,), 300.0, None, lv.colour) for n, lv in enumerate(rules.levels, start=1)]
    svg = direction_svg(marks)
    for number, level in enumerate(rules.levels, start=1):
        fill = re.search(rf'fill="(#[0-9a-f]{{6}})">{number}</text>', svg)
        assert fill is not None and fill.group(1) == text_on(level.colour), level.label
        assert contrast_ratio(fill.group(1), level.colour) >= AA_TEXT
