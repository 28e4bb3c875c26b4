"""Bounded input: every file that comes in is refused early, in Chinese, naming the file and the limit.

The hostile files are built in memory (here and in tests/helpers.py): zip bombs (KMZ and XLSX), lying zip
headers, a DTD in an XLSX, tables and geometry files just over their limits, a sparse 200 MB CSV. Memory
is checked coarsely, in a subprocess (growth of the peak resident size), where the unbounded reading cost
gigabytes.
"""

from __future__ import annotations

import io
import json
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from school_water_map import limits
from school_water_map.cli.main import main
from school_water_map.errors import DataFileError, InputLimitError
from school_water_map.io.annex_file import read_annex_file, read_annex_text
from school_water_map.io.geometry_import import read_features
from school_water_map.io.position_csv import read_rows
from school_water_map.io.tables import xlsx_rows
from tests.helpers import (
    ANNEX_HEADER,
    KML,
    REPO,
    memory_growth_mb,
    replace_member,
    xlsx_bytes,
    zeros_member,
)


def _read_in_a_fresh_interpreter(build: str, reader: Callable[[bytes, str], object], name: str) -> tuple[str, int]:
    """``reader(data, name)`` in a fresh interpreter, ``data`` made there by ``build`` (an expression over
    tests/helpers.py's builders): (the error it raised, MB the peak resident size grew)."""
    [message], grown = memory_growth_mb(
        f"from tests.helpers import *\nfrom {reader.__module__} import {reader.__name__} as reader\n"
        f"data = {build}\ndef run():\n    reader(data, {name!r})\n")
    return message, grown


def test_a_kmz_zip_bomb_is_refused_from_its_headers_in_bounded_memory():
    message, grown = _read_in_a_fresh_interpreter("kmz_bomb()", read_features, "bomb.kmz")
    assert "bomb.kmz：KMZ 内的 doc.kml 解压后超过上限 20.0 MB（可能是压缩炸弹）" in message
    assert grown < 200


def test_a_kmz_with_a_lying_header_is_refused_while_streaming_in_bounded_memory():
    message, grown = _read_in_a_fresh_interpreter("lying_kmz()", read_features, "lie.kmz")
    assert "lie.kmz：KMZ 内的 doc.kml 已损坏，无法解压" in message
    assert grown < 200


def test_a_kmz_with_too_many_members_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", KML)
        for number in range(limits.ZIP_MEMBERS):
            archive.writestr(f"icons/{number}.png", b"")
    with pytest.raises(InputLimitError, match=r"many.kmz：KMZ 压缩包内有 1,001 个文件，超过上限 1,000 个"):
        read_features(buffer.getvalue(), "many.kmz")


def test_a_kmz_over_the_total_uncompressed_size_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", KML)
        for number in range(6):
            zeros_member(archive, f"files/{number}.png", 19)
    with pytest.raises(InputLimitError, match=r"KMZ 解压后共 114\.0 MB，超过上限 100\.0 MB"):
        read_features(buffer.getvalue(), "big.kmz")


def test_an_xlsx_zip_bomb_of_1_5_million_rows_is_refused_in_bounded_memory():
    message, grown = _read_in_a_fresh_interpreter("huge_sheet_xlsx()", xlsx_rows, "2022年附件.xlsx")
    assert message.startswith("2022年附件.xlsx：") and "上限" in message and "未读取" in message
    assert grown < 200


def test_an_xlsx_whose_member_inflates_past_the_limit_is_refused_in_bounded_memory():
    message, grown = _read_in_a_fresh_interpreter(
        "replace_member(xlsx_bytes([ANNEX_HEADER]), 'xl/styles.xml', zeros_mb=300)", xlsx_rows, "bomb.xlsx")
    assert "bomb.xlsx：Excel 文件 内的 xl/styles.xml 解压后超过上限 20.0 MB（可能是压缩炸弹）；未读取" in message
    assert grown < 200


def test_an_xlsx_with_a_dtd_is_a_chinese_error():
    plain = xlsx_bytes([ANNEX_HEADER, [1, "甲小学", "秦渠", "10米", ""]])
    sheet = zipfile.ZipFile(io.BytesIO(plain)).read("xl/worksheets/sheet1.xml")
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>' + sheet.replace(
        b"<v>1</v>", b"<v>&a;</v>", 1)
    assert b"&a;" in dtd
    with pytest.raises(InputLimitError, match=r"dtd.xlsx：Excel 文件 内的 xl/worksheets/sheet1.xml 含有文档类型声明"):
        xlsx_rows(replace_member(plain, "xl/worksheets/sheet1.xml", dtd), "dtd.xlsx")


def test_xlsx_rows_and_columns_are_limited_while_reading():
    rows: list[list[object]] = [ANNEX_HEADER] + [[n, "甲小学", "秦渠", "10米", ""] for n in range(1, limits.TABLE_ROWS)]
    assert len(xlsx_rows(xlsx_bytes(rows), "ok.xlsx")) == limits.TABLE_ROWS
    with pytest.raises(InputLimitError, match=r"long.xlsx：表格行数超过上限 10,000 行"):
        xlsx_rows(xlsx_bytes([*rows, [limits.TABLE_ROWS, "乙小学", "秦渠", "10米", ""]]), "long.xlsx")
    book = openpyxl.Workbook()
    book.active["A1"] = "序号"
    book.active["XFD2"] = "far right"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InputLimitError, match=r"wide.xlsx：第 2 行有 16384 列，超过上限 50 列"):
        xlsx_rows(buffer.getvalue(), "wide.xlsx")


def test_an_xlsx_reads_as_before():
    data = xlsx_bytes([[], ["编号或名称", "经度", "纬度"], ["640302-S37", 106.2345678, 37.9], [],
                  ["x", 10, 10.0, None, " y "]])
    assert xlsx_rows(data, "t.xlsx") == [["", "", "", "", ""], ["编号或名称", "经度", "纬度", "", ""],
                                         ["640302-S37", "106.2345678", "37.9", "", ""], ["", "", "", "", ""],
                                         ["x", "10", "10", "", "y"]]


def test_the_annex_cli_refuses_an_xlsx_over_the_row_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SWMAP_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "2022年附件.xlsx"
    rows = [[n, "甲小学", "秦渠", "10米", ""] for n in range(1, limits.TABLE_ROWS + 1)]
    path.write_bytes(xlsx_bytes([ANNEX_HEADER, *rows]))
    assert main(["annex", "check", str(path)]) == 2
    assert "错误：2022年附件.xlsx：表格行数超过上限 10,000 行；未读取" in capsys.readouterr().err


def test_a_200_mb_csv_is_refused_before_it_is_read(tmp_path, monkeypatch, capsys):
    path = tmp_path / "positions.csv"
    with path.open("wb") as handle:
        handle.truncate(200 * limits.MiB)  # sparse: reading it would cost the 200 MB
    monkeypatch.setenv("SWMAP_DATA_DIR", str(tmp_path / "data"))
    opened: list[str] = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self.name) or real_open(self, *a, **k))
    assert main(["import", str(path), "--author", "测试"]) == 2
    assert "错误：positions.csv：文件太大（200.0 MB），上限 10.0 MB；未读取" in capsys.readouterr().err
    assert "positions.csv" not in opened


def test_position_csv_bytes_and_rows_are_limited():
    header = "编号或名称,经度,纬度\n"
    with pytest.raises(InputLimitError, match=r"p.csv：文件太大（10.0 MB），上限 10.0 MB"):
        read_rows((header + " " * limits.TABLE_BYTES).encode(), author="a", source="s", filename="p.csv")
    rows = header + "640302-S37,106.2,37.9\n" * limits.TABLE_ROWS
    with pytest.raises(InputLimitError, match=r"p.csv：表格行数超过上限 10,000 行"):
        read_rows(rows.encode(), author="a", source="s", filename="p.csv")


def test_annex_text_and_files_are_limited(tmp_path):
    line = "1,甲小学,秦渠,10米,\n"
    with pytest.raises(InputLimitError, match=r"粘贴的表格：表格行数超过上限 10,000 行"):
        read_annex_text(",".join(ANNEX_HEADER) + "\n" + line * limits.TABLE_ROWS, source="粘贴的表格")
    with pytest.raises(InputLimitError, match=r"粘贴的表格：内容太长"):
        read_annex_text(" " * (limits.TABLE_BYTES + 1), source="粘贴的表格")
    path = tmp_path / "附件.txt"
    with path.open("wb") as handle:
        handle.truncate(limits.TABLE_BYTES + 1)
    with pytest.raises(InputLimitError, match=r"附件.txt：文件太大（10.0 MB），上限 10.0 MB"):
        read_annex_file(path)
    with pytest.raises(DataFileError, match=r"找不到文件：没有\.csv"):
        read_annex_file(tmp_path / "没有.csv")


def test_geometry_files_are_limited_in_bytes_and_features():
    with pytest.raises(InputLimitError, match=r"big.geojson：文件太大（20.0 MB），上限 20.0 MB"):
        read_features(b" " * (limits.GEOMETRY_BYTES + 1), "big.geojson")
    features = [{"type": "Feature", "properties": {"name": "秦渠"},
                 "geometry": {"type": "Point", "coordinates": [106.2, 37.9]}}] * (limits.GEOMETRY_FEATURES + 1)
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    with pytest.raises(InputLimitError, match=r"many.geojson：要素超过上限 20,000 个"):
        read_features(data, "many.geojson")
    ok = json.dumps({"type": "FeatureCollection", "features": features[:3]}).encode()
    assert len(read_features(ok, "ok.geojson")) == 3


def test_streamlit_accepts_uploads_up_to_the_largest_limit():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == limits.UPLOAD_MB == 20
