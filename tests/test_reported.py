from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from school_water_map.domain.reported import COMPASS_ZH, parse_distance, parse_note
from school_water_map.errors import AnnexParseError

# (text, distance_m, distance_max_m, directions, at_gate, approximate): every form of the 2021 annex first.
CASES = [
    ("学校北 400 米", 400, None, ("N",), False, False),
    ("向东 2000 米", 2000, None, ("E",), False, False),
    ("南 2500 米", 2500, None, ("S",), False, False),
    ("西 300 米", 300, None, ("W",), False, False),
    ("200 米", 200, None, (), False, False),
    ("距离学校 1500 米", 1500, None, (), False, False),
    ("校门口", None, None, (), True, False),
    ("校门口 20 米", 20, None, (), True, False),
    ("学校向南", None, None, ("S",), False, False),
    ("学校向南 800 米", 800, None, ("S",), False, False),
    ("南北 200 米", 200, None, ("N", "S"), False, False),
    ("10 米", 10, None, (), False, False),
    ("", None, None, (), False, False),
    # forms a later year may bring
    ("约50米", 50, None, (), False, True),
    ("0.5公里", 500, None, (), False, False),
    ("1.2km", 1200, None, (), False, False),
    ("1.2 KM", 1200, None, (), False, False),
    ("１２０米", 120, None, (), False, False),
    ("西南 300 米", 300, None, ("SW",), False, False),
    ("东北方向约两千米左右", 2000, None, ("NE",), False, True),
    ("三百米", 300, None, (), False, False),
    ("一千五百米", 1500, None, (), False, False),
    ("东西 1 公里", 1000, None, ("E", "W"), False, False),
    ("600-2000米", 600, 2000, (), False, False),
    ("600米～2公里", 600, 2000, (), False, False),
    ("学校东侧 300 米", 300, None, ("E",), False, False),
]


@pytest.mark.parametrize(("text", "metres", "far", "directions", "gate", "approx"), CASES)
def test_forms_parse(text, metres, far, directions, gate, approx):
    parsed = parse_distance(text, row=1)
    assert (parsed.distance_m, parsed.distance_max_m, parsed.directions, parsed.at_gate, parsed.approximate) == (
        metres, far, directions, gate, approx)
    assert parsed.text == text


@pytest.mark.parametrize("text", [
    "很近", "1000米或2000米", "东南西北 100 米", "100", "几百米", "约米", "2000-600米", "北东 100 米",
    "300 里", "60000 米", "一万万米", "学校", "南 -5 米", "无",
])
def test_ambiguous_or_malformed_forms_are_rejected_naming_row_and_text(text):
    with pytest.raises(AnnexParseError) as info:
        parse_distance(text, row=42)
    assert info.value.row == 42 and info.value.text == text
    assert "第 42 行" in str(info.value) and text in str(info.value)


def test_note_facts():
    assert parse_note("季节性有水").seasonal
    assert parse_note("灌溉支渠").kind_hint == "branch_canal"
    assert parse_note("灌溉主渠").kind_hint == "main_canal"
    assert parse_note("排水沟").kind_hint == "drainage_ditch"
    note = parse_note("清宁河四周水域最近 600 米, 最远 2000 米")
    assert (note.range_min_m, note.range_max_m) == (600, 2000)
    assert parse_note("已设警示牌").kind_hint is None  # free text is kept, not rejected
    with pytest.raises(AnnexParseError, match="备注"):
        parse_note("最近很近", row=3)
    with pytest.raises(AnnexParseError, match="最近距离大于最远距离"):
        parse_note("最近 2000 米，最远 600 米", row=3)


ALPHABET = list("0123456789０１２.-~约米公里千kmKM东南西北向学校距离门口面侧三百两十点零 无")


@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=16) | st.text(max_size=12))
@settings(max_examples=1500, deadline=None)
def test_parse_distance_returns_or_raises_only_annex_parse_error(text):
    try:
        parsed = parse_distance(text, row=5)
    except AnnexParseError as exc:
        assert exc.row == 5 and exc.text == text
    else:
        assert parsed.text == text
        assert parsed.distance_m is None or 0 <= parsed.distance_m <= 50_000
        assert parsed.distance_max_m is None or parsed.distance_max_m >= (parsed.distance_m or 0)


@given(st.text(max_size=30))
@settings(max_examples=800, deadline=None)
def test_parse_note_returns_or_raises_only_annex_parse_error(text):
    try:
        parse_note(text, row=9)
    except AnnexParseError as exc:
        assert exc.row == 9


@given(
    direction=st.sampled_from(["", *COMPASS_ZH.values(), "南北", "东西"]),
    metres=st.integers(min_value=1, max_value=20_000),
    unit=st.sampled_from(["米", " 米", "m", "公里", "km"]),
    prefix=st.sampled_from(["", "学校", "距离学校", "向", "学校向"]),
    approx=st.booleans(),
    fullwidth=st.booleans(),
)
@settings(max_examples=500, deadline=None)
def test_generated_valid_forms_round_trip(direction, metres, unit, prefix, approx, fullwidth):
    value = f"{metres / 1000:g}" if unit in ("公里", "km") else str(metres)
    if fullwidth:
        value = value.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    text = f"{prefix}{direction} {'约' if approx else ''}{value}{unit}"
    parsed = parse_distance(text, row=1)
    assert parsed.distance_m == pytest.approx(metres)
    assert parsed.approximate == approx
    expected = {"南北": ("N", "S"), "东西": ("E", "W"), "": ()}.get(direction)
    if expected is None:
        expected = tuple(k for k, v in COMPASS_ZH.items() if v == direction)
    assert parsed.directions == expected
