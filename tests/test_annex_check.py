"""A bad annex is reported whole, in one pass: every row and every field, through the reader, ``swmap annex
check`` (text and JSON), ``annex apply`` (nothing applied) and the 数据交换 page."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from school_water_map.domain.annex import AnnexRow, parse_rows
from school_water_map.errors import AnnexRowsError
from school_water_map.io.annex_file import read_annex_file, read_annex_text
from school_water_map.settings import Settings
from school_water_map.store.annexes import annex_history
from tests.app_support import exchange_page, paste_annex
from tests.conftest import REPO
from tests.helpers import swmap

#: (序号 or None, the file line when the 序号 is unusable, column) of every problem in the file below.
EXPECTED = [(5, None, "学校名称"), (10, None, "距离学校距离"), (20, None, "距离学校距离"), (20, None, "备注"),
            (None, 31, "序号"), (40, None, "序号"), (40, None, "学校名称"), (50, None, "河湖名称")]


def _bad_annex_rows() -> list[list[str]]:
    """The 2021 annex (header + 89 rows, file line = 序号 + 1) with problems in six rows and five columns."""
    with (REPO / "geodata" / "litong_2021_annex.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    body = {int(r[0]): r for r in rows[1:]}
    body[5][1] = ""  # no school name
    body[10][3] = "很近"  # an unparseable distance
    body[20][3], body[20][4] = "1000米或2000米", "最近一百米最远"  # two bad cells in one row
    body[30][0] = "三十"  # a 序号 that is not a number: named by its line
    body[41][0], body[41][1] = "40", ""  # a repeated 序号 that also lacks its school
    body[50][2] = ""  # a distance with no water
    return rows


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _found(errors) -> list[tuple[int | None, int | None, str]]:
    return [(e.row if isinstance(e.row, int) else None, None if isinstance(e.row, int) else e.line, e.field)
            for e in errors]


def test_the_reader_lists_every_problem_of_every_row_at_once():
    with pytest.raises(AnnexRowsError) as info:
        read_annex_text(_csv(_bad_annex_rows()))
    assert _found(info.value.errors) == EXPECTED
    message = str(info.value)
    assert message.startswith(f"附件有 {len(EXPECTED)} 处错误")
    for text in ("第 5 行“学校名称”", "第 10 行“距离学校距离”无法识别：“很近”", "“1000米或2000米”",
                 "“最近一百米最远”", "文件第 31 行“序号”无法识别：“三十”", "第 40 行“序号”无法识别：“40”（序号重复）",
                 "第 50 行“河湖名称”"):
        assert text in message


def test_a_row_with_a_bad_distance_and_a_bad_note_lists_both():
    with pytest.raises(AnnexRowsError) as info:
        parse_rows([AnnexRow(7, "甲小学", "秦渠", "很近", "最近一百米最远"), AnnexRow(8, "乙小学", "汉渠", "三步", "")])
    assert _found(info.value.errors) == [(7, None, "距离学校距离"), (7, None, "备注"), (8, None, "距离学校距离")]


def test_an_xlsx_annex_names_the_sheet_row_of_a_bad_line(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["利通区学校周边水域排查情况公示表"])
    book.active.append([])
    for row in _bad_annex_rows():
        book.active.append(row)
    book.save(tmp_path / "附件.xlsx")
    with pytest.raises(AnnexRowsError) as info:
        read_annex_file(tmp_path / "附件.xlsx")
    assert _found(info.value.errors) == [(r, None if line is None else line + 2, f) for r, line, f in EXPECTED]


@pytest.mark.parametrize("action", ["check", "apply"])
def test_swmap_annex_lists_every_problem_in_text(tmp_path, action):
    path = tmp_path / "bad.csv"
    path.write_text(_csv(_bad_annex_rows()), encoding="utf-8")
    data = tmp_path / "d"
    result = swmap("annex", action, str(path), "--author", "乙", data_dir=data, check=False)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "无法识别" in line]
    assert len(lines) == len(EXPECTED) and "第 5 行“学校名称”" in lines[0] and "很近" in lines[1]
    assert "文件第 31 行“序号”无法识别：“三十”" in result.stderr
    assert annex_history(Settings.from_env({"SWMAP_DATA_DIR": str(data)})) == []  # nothing applied


def test_swmap_annex_check_lists_every_problem_in_json(tmp_path):
    path = tmp_path / "bad.txt"  # the table pasted as text, tab-separated
    path.write_text(_csv(_bad_annex_rows(), "\t"), encoding="utf-8")
    result = swmap("annex", "check", str(path), "--format", "json", data_dir=tmp_path / "d", check=False)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(e["row"], e["line"] if e["row"] is None else None, e["field"]) for e in report["errors"]] == EXPECTED
    assert report["errors"][1] == {"row": 10, "line": 11, "field": "距离学校距离", "text": "很近",
                                   "reason": "距离数值或单位无法识别",
                                   "message": "第 10 行“距离学校距离”无法识别：“很近”（距离数值或单位无法识别）"}
    good = swmap("annex", "check", str(REPO / "geodata" / "litong_2021_annex.csv"), "--format", "json",
                 data_dir=tmp_path / "d")
    assert json.loads(good.stdout) == {"ok": True, "rows": 89, "errors": []}


def test_the_exchange_page_lists_every_problem_at_once(app_settings):
    at = paste_annex(exchange_page(), _csv(_bad_annex_rows(), "\t"))
    assert f"新附件有 {len(EXPECTED)} 处无法识别" in at.error[0].value
    table = at.dataframe[0].value
    assert list(table["行"]) == ["5", "10", "20", "20", "文件第 31 行", "40", "40", "50"]
    assert list(table["列"]) == [field for _, _, field in EXPECTED]
    assert "annex_apply" not in [b.key for b in at.button]
    assert annex_history(app_settings) == []
