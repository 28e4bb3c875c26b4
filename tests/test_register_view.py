from __future__ import annotations

import io

import openpyxl
import pytest

from school_water_map.outputs.register_view import (
    COLUMNS,
    PairFilter,
    effective_distance,
    filter_pairs,
    pair_table,
    to_csv_bytes,
    to_xlsx_bytes,
)
from school_water_map.outputs.spreadsheet import xlsx_bytes


def _rows(register, spec: PairFilter) -> list[int]:
    return list(filter_pairs(register.pairs, spec)["row"])


def test_no_filter_keeps_every_row_in_ranked_order(register):
    assert _rows(register, PairFilter()) == list(register.pairs["row"])
    assert _rows(register, PairFilter())[:3] == [15, 83, 44]


@pytest.mark.parametrize(("spec", "expected"), [
    (PairFilter(levels=["high"]), [15, 83, 44]),
    (PairFilter(levels=["survey"]), [16]),
    (PairFilter(distance="unknown"), [16]),
    (PairFilter(distance="le_50"), [15, 83, 44]),  # at the gate counts as 0 m
    (PairFilter(search="巴浪湖"), [15, 14]),
    (PairFilter(search="新宁河"), None),  # as written in the annex, not only the canonical name
    (PairFilter(townships=["马莲渠乡"], kinds=["branch_canal"]), [15, 16]),
])
def test_filters(register, spec, expected):
    rows = _rows(register, spec)
    if expected is None:
        assert rows and all("清水沟" in register.pairs.set_index("row").at[r, "water"] for r in rows)
    else:
        assert rows == expected


def test_distance_band_uses_the_nearest_known_distance(register):
    rows = _rows(register, PairFilter(distance="le_200"))
    distances = [effective_distance(p) for p in register.pairs.set_index("row").loc[rows].reset_index()
                 .to_dict("records")]
    assert rows and all(d is not None and d <= 200 for d in distances)
    assert effective_distance({"distance_m": 300.0, "computed_distance_m": 120.0, "at_gate": False}) == 120.0
    assert effective_distance({"distance_m": float("nan"), "computed_distance_m": None, "at_gate": False}) is None


def test_table_is_chinese_with_reasons_and_downloads_open(register):
    shown = filter_pairs(register.pairs, PairFilter(levels=["high"]))
    table = pair_table(shown)
    assert tuple(table.columns) == COLUMNS and list(table.index) == [15, 83, 44]
    first = table.loc[15]
    assert first["风险"] == "高" and first["上报距离"] == "校门口" and "距离：校门口" in first["原因"]
    assert first["学校位置"] == "未定位"
    csv = to_csv_bytes(table)
    assert csv.startswith(b"\xef\xbb\xbf") and "马莲渠中心巴浪湖小学" in csv.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(table))).active
    assert sheet.title == "隐患清单" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert [sheet.cell(row=r, column=1).value for r in (2, 3, 4)] == [15, 83, 44]
    assert (first["措施后风险"], first["措施后依据"]) == ("高", "尚无巡查记录")  # no patrol yet: as reported


def test_several_tables_make_one_workbook(register):
    table = pair_table(register.pairs)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"全部": table, "前三": table.head(3)})))
    assert book.sheetnames == ["全部", "前三"]
    assert book["前三"].max_row == 4 and book["前三"].freeze_panes == "A2"


def test_empty_selection_still_gives_a_table(register):
    table = pair_table(filter_pairs(register.pairs, PairFilter(search="没有这个名字")))
    assert table.empty and tuple(table.columns) == COLUMNS
    assert to_xlsx_bytes(table)
