from __future__ import annotations

import csv

import pytest

from school_water_map.domain.annex import parse_rows
from school_water_map.errors import AnnexRowsError, DataFileError
from school_water_map.io.annex_file import load_annex, read_annex_text
from tests.conftest import REPO, SEED


def test_transcription_has_89_numbered_rows(settings):
    rows = load_annex(settings.annex_path)
    assert [r.row for r in rows] == list(range(1, 90))
    assert rows[43].school == "利通区黄沙窝学校" and rows[43].distance_text == "校门口 20 米"
    assert rows[62].water == "无" and rows[62].distance_text == ""


@pytest.mark.skipif(not SEED.exists(), reason="shared/seed not beside the repository")
def test_transcription_is_verbatim_against_the_gazette_text(settings):
    pasted = read_annex_text(SEED.read_text(encoding="utf-8").split("利通区学校周边水域排查情况公示表")[-1])
    assert pasted == load_annex(settings.annex_path)


def test_pasted_table_with_repeated_headers_reads_like_the_csv(settings):
    with (REPO / "geodata" / "litong_2021_annex.csv").open(encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    header, body = records[0], records[1:]
    lines = ["\t".join(header)] + ["\t".join(r) for r in body[:30]] + ["", "\t".join(header)]
    lines += ["\t".join(r) for r in body[30:]]
    assert read_annex_text("\n".join(lines)) == load_annex(settings.annex_path)


def test_bad_rows_are_all_reported_and_nothing_is_returned():
    text = ("序号,学校名称,河湖名称,距离学校距离,备注\n1,甲小学,秦渠,很近,\n2,乙小学,汉渠,200 米,\n"
            "2,丙小学,黄河,1 米,\nx,丁小学,,,\n")
    rows_error = None
    try:
        parse_rows(read_annex_text(text))
    except AnnexRowsError as exc:
        rows_error = exc
    assert rows_error is not None
    messages = [str(e) for e in rows_error.errors]
    assert any("序号重复" in m and "第 2 行" in m for m in messages)
    assert any("序号应为正整数" in m and "“x”" in m for m in messages)


def test_unparseable_distance_names_row_and_text():
    rows = read_annex_text("序号,学校名称,河湖名称,距离学校距离,备注\n7,甲小学,秦渠,校门口约二十步,\n")
    with pytest.raises(AnnexRowsError) as info:
        parse_rows(rows)
    assert "第 7 行" in str(info.value) and "校门口约二十步" in str(info.value)


def test_empty_file_is_a_clear_error():
    with pytest.raises(DataFileError, match="没有找到任何数据行"):
        read_annex_text("序号,学校名称,河湖名称,距离学校距离,备注\n")


def test_row_with_too_many_columns_is_refused():
    with pytest.raises(AnnexRowsError, match="列数为 6"):
        read_annex_text("序号,学校名称,河湖名称,距离学校距离,备注\n1,甲,乙,200 米,,多余\n")


def test_row_63_is_a_school_without_water(settings):
    (row63,) = [e for e in parse_rows(load_annex(settings.annex_path)) if e.row == 63]
    assert not row63.has_water


def test_note_range_fills_the_far_distance(settings):
    (row61,) = [e for e in parse_rows(load_annex(settings.annex_path)) if e.row == 61]
    assert (row61.distance_m, row61.distance_max_m) == (600, 2000)
