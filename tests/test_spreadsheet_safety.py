"""Spreadsheet-safe exports: text that a spreadsheet would run as a formula is written as text, numbers stay numbers.

Hostile strings go in through the ways a person's text reaches a spreadsheet (an applied annex's names and
notes, a position's source and author, a patrol's problems and action) and come out of every CSV/XLSX the
project writes: ``swmap export``, ``swmap pairs --format csv``, the 隐患清单 and 巡查概况 downloads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import Point

from school_water_map.domain.annex import AnnexRow
from school_water_map.domain.inspections import InspectionInput
from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.patrol import patrol_rules
from school_water_map.domain.sites import find_site, site_geometry, sites
from school_water_map.geo.layers import load_context
from school_water_map.io.annex_file import load_annex
from school_water_map.outputs.spreadsheet import FORMULA_TRIGGERS, csv_bytes, safe_cell, xlsx_bytes
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.annexes import save_active
from school_water_map.store.database import open_store
from school_water_map.store.inspections import submit
from tests.app_support import login, media_file, new_app, run_page
from tests.helpers import APP_ANSWERS, ROW_83, swmap

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9/x","点我")'
CMD = "=cmd|' /C calc'!A0"
HOSTILE = [HYPERLINK, CMD, "=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1", "\n=1+1", "＝1+1", "＋1",
           "－1", "＠SUM(1)"]
#: Rows an applied annex adds: hostile school, water and note text (the distances parse).
HOSTILE_ROWS = [AnnexRow(90, HYPERLINK, "@秦渠", "200米", "=1+1"), AnnexRow(91, CMD, "-秦渠", "约50米", "\t+2"),
                AnnexRow(92, "+第一小学", "＝湖", "300米", "－1")]


#: How the hostile text of the annex rows and the position comes out: escaped, otherwise as written.
ESCAPED = {"'" + t for t in (HYPERLINK, CMD, "=1+1", "\t+2", "－1", "@秦渠", "-秦渠", "+第一小学", "＝湖", "@张三")}


@pytest.fixture
def hostile_settings(db_settings, monkeypatch) -> Iterator[Settings]:
    """A store (SQLite, PostgreSQL) with an annex carrying hostile text and a position with a hostile source
    and author; the environment points at it, for ``swmap`` and the app."""
    monkeypatch.setenv("SWMAP_DATA_DIR", str(db_settings.data_dir))
    if db_settings.database_url:
        monkeypatch.setenv("SWMAP_DATABASE_URL", db_settings.database_url)
    settings = Settings.from_env()
    st.cache_data.clear()
    save_active(settings, [*load_annex(settings.annex_path), *HOSTILE_ROWS], {}, source="测试", applied_by="测试")
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    request = LocateRequest("板桥波浪渠小学", Point(106.30, 37.90), "WGS84", CMD, "@张三", "typed")
    record([request], register.resolution, area, open_store(settings).positions)
    yield settings
    st.cache_data.clear()


def _assert_text_cells_safe(values: list[object]) -> None:
    texts = [v for v in values if isinstance(v, str)]
    assert not [t for t in texts if t[:1] in FORMULA_TRIGGERS]  # no text cell starts a formula


def _assert_workbook_safe(book: openpyxl.Workbook) -> list[object]:
    """Every cell of every sheet: no formula cell, no text starting with a trigger; returns all values."""
    values: list[object] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    _assert_text_cells_safe(values)
    return values


def _column(sheet, header: str) -> list[object]:
    names = [c.value for c in sheet[1]]
    index = names.index(header) + 1
    return [sheet.cell(row=r, column=index).value for r in range(2, sheet.max_row + 1)]


# The sanitiser ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["秦渠", "校门口约二十米", "", "'=already escaped", "POINT (106.3 37.9)", "#12",
                                   "1-2", -5, -5.5, 0, 12.0, True, None])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) is value


def test_the_writers_escape_text_and_keep_numbers_numeric():
    table = pd.DataFrame({"文本": [HYPERLINK, "-5", "秦渠", None], "整数": [-5, 0, 7, 1],
                          "小数": [-2.5, 0.0, 1.25, float("nan")], "混合": [-3, "=1+1", 4.5, "\x01控制符"]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"表": table}))).active
    _assert_workbook_safe(sheet.parent)
    assert _column(sheet, "文本") == ["'" + HYPERLINK, "'-5", "秦渠", None]
    assert _column(sheet, "整数") == [-5, 0, 7, 1] and _column(sheet, "小数") == [-2.5, 0, 1.25, None]
    assert _column(sheet, "混合") == [-3, "'=1+1", 4.5, "\ufffd控制符"]  # a control character XLSX cannot hold
    assert all(c.data_type == "n" for c in sheet["B"][1:])  # numbers, a negative one included
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows[1:] == [["'" + HYPERLINK, "-5", "-2.5", "-3"], ["'-5", "0", "0.0", "'=1+1"],
                        ["秦渠", "7", "1.25", "4.5"], ["", "1", "", "\x01控制符"]]


# swmap export and swmap pairs ----------------------------------------------------------------------------------------

def test_swmap_export_xlsx_writes_hostile_text_as_text(hostile_settings, tmp_path):
    out = tmp_path / "register.xlsx"
    swmap("export", "--format", "xlsx", "-o", str(out), data_dir=hostile_settings.data_dir)
    book = openpyxl.load_workbook(out)
    values = _assert_workbook_safe(book)
    assert set(ESCAPED) <= set(values)
    pairs = book["隐患清单"]
    notes = dict(zip(_column(pairs, "row"), _column(pairs, "note"), strict=True))
    assert (notes[90], notes[91], notes[92]) == ("'=1+1", "'\t+2", "'－1")
    assert all(isinstance(r, int) for r in _column(pairs, "row"))  # numbers stay numbers
    assert {type(d) for d in _column(pairs, "distance_m")} <= {int, float, type(None)}
    schools = book["学校"]
    placed = dict(zip(_column(schools, "school_id"), zip(_column(schools, "source"), _column(schools, "author"),
                                                          _column(schools, "lon"), strict=True), strict=True))
    assert placed["640302-S37"] == ("'" + CMD, "'@张三", pytest.approx(106.30))


def test_swmap_export_and_pairs_csv_escape_hostile_text(hostile_settings, tmp_path):
    out = tmp_path / "register.csv"
    swmap("export", "--format", "csv", "-o", str(out), data_dir=hostile_settings.data_dir)
    for text in (out.read_text(encoding="utf-8-sig"),
                 swmap("pairs", "--format", "csv", data_dir=hostile_settings.data_dir).stdout):
        rows = list(csv.DictReader(io.StringIO(text)))
        _assert_text_cells_safe([v for r in rows for v in r.values()])
        by_row = {r["row"]: r for r in rows}
        assert (by_row["90"]["school"], by_row["90"]["water"], by_row["90"]["note"]) == ("'" + HYPERLINK, "'@秦渠",
                                                                                      "'=1+1")
        assert (by_row["91"]["school"], by_row["91"]["note"], by_row["92"]["water"]) == ("'" + CMD, "'\t+2", "'＝湖")
        assert by_row["90"]["distance_m"] == "200" and by_row["90"]["risk_score"].isdigit()


# The app's downloads ------------------------------------------------------------------------------------------------

def _download(at, media, label: str) -> bytes:
    (button,) = [b for b in at.get("download_button") if b.proto.label == label]
    return bytes(media_file(media, button.proto.url).content)


def test_register_page_downloads_are_formula_safe(hostile_settings, media):
    at = run_page(new_app(), "app_pages/register.py")
    book = openpyxl.load_workbook(io.BytesIO(_download(at, media, "下载 Excel（XLSX）")))
    values = _assert_workbook_safe(book)
    assert ESCAPED - {"'@张三"} <= set(values)  # the table has no position author
    assert all(isinstance(r, int) for r in _column(book.active, "序号"))
    assert all(isinstance(r, int | float) for r in _column(book.active, "得分"))
    rows = list(csv.DictReader(io.StringIO(_download(at, media, "下载 CSV").decode("utf-8-sig"))))
    _assert_text_cells_safe([v for r in rows for v in r.values()])
    assert {r["序号"]: r["学校"] for r in rows}["90"] == "'" + HYPERLINK


def test_coverage_downloads_are_formula_safe(app_settings, accounts, media):
    store = open_store(app_settings)
    register = build_register(app_settings)
    site = find_site(sites(register), ROW_83)
    form = InspectionInput({**APP_ANSWERS, "rescue_kit": "ok"}, problems=HYPERLINK, action_taken="=1+1")
    submit(store, accounts["bq01"], site, form, target=site_geometry(register, site), rules=patrol_rules(app_settings))
    at = login("admin01")
    run_page(at, "app_pages/coverage.py")
    book = openpyxl.load_workbook(io.BytesIO(_download(at, media, "下载 Excel（XLSX，5 张表）")))
    _assert_workbook_safe(book)
    problems = book["未解决的问题"]
    assert (_column(problems, "问题"), _column(problems, "处理")) == (["'" + HYPERLINK], ["'=1+1"])
    assert all(isinstance(n, int) for n in _column(book["各乡镇"], "站点数"))
    text = _download(at, media, "下载“未解决的问题” CSV").decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["处理"] == "'=1+1"
