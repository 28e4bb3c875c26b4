"""Spreadsheet input: an uploaded XLSX read as plain text cells (so one CSV path checks every row)."""

from __future__ import annotations

import csv
import io

import pandas as pd

from school_water_map.errors import DataFileError


def csv_format_problem(line: int) -> str:
    """The Chinese message for text the ``csv`` module cannot split into cells."""
    return f"第 {line} 行附近的表格格式有误（单元格中有未加引号的换行或引号）"


def xlsx_rows(data: bytes, filename: str) -> list[list[str]]:
    """The first sheet's cells as strings (empty cells as ``""``), numbers as written."""
    try:
        table = pd.read_excel(io.BytesIO(data), dtype=str, header=None).fillna("")
    except (ValueError, OSError, KeyError) as exc:
        raise DataFileError(f"{filename}：无法读取 Excel 文件，请确认是 .xlsx 格式") from exc
    return [[str(cell).strip() for cell in row] for row in table.itertuples(index=False)]


def rows_to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def xlsx_to_csv_bytes(data: bytes, filename: str) -> bytes:
    """An XLSX upload as UTF-8 CSV bytes, header row first."""
    return rows_to_csv(xlsx_rows(data, filename)).encode("utf-8")
