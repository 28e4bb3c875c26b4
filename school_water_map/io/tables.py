"""Spreadsheet input: an uploaded XLSX read as plain text cells (so one CSV path checks every row)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from typing import Any

import openpyxl  # type: ignore[import-untyped]  # no stubs installed (types-openpyxl)
from openpyxl.cell.cell import TYPE_ERROR  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from school_water_map import limits
from school_water_map.errors import DataFileError


def csv_format_problem(line: int) -> str:
    """The Chinese message for text the ``csv`` module cannot split into cells."""
    return f"第 {line} 行附近的表格格式有误（单元格中有未加引号的换行或引号）"


def xlsx_rows(data: bytes, filename: str) -> list[list[str]]:
    """The first sheet's cells as strings (empty cells as ``""``), numbers as written.

    Bounded: the file's bytes, the archive's members (count, uncompressed sizes, streamed) and a DTD
    are checked before the workbook is opened, and rows and columns while the sheet is read.
    """
    limits.check_size(len(data), limits.TABLE_BYTES, filename)
    with limits.open_zip(data, filename, kind="Excel 文件") as archive:
        limits.scan_zip(archive, filename, kind="Excel 文件", forbid_doctype=True)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # a declared size can lie: find the real extent while reading
            rows = _sheet_rows(sheet.iter_rows(), filename)
        finally:
            book.close()
    except (ValueError, OSError, KeyError, IndexError, TypeError, SyntaxError, zipfile.BadZipFile,
            InvalidFileException) as exc:
        if isinstance(exc, DataFileError):
            raise
        raise DataFileError(f"{filename}：无法读取 Excel 文件，请确认是 .xlsx 格式") from exc
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def rows_to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def xlsx_to_csv_bytes(data: bytes, filename: str) -> bytes:
    """An XLSX upload as UTF-8 CSV bytes, header row first."""
    return rows_to_csv(xlsx_rows(data, filename)).encode("utf-8")


def _sheet_rows(cells: Iterable[tuple[Any, ...]], filename: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for number, row in enumerate(cells, start=1):
        limits.check_rows(number, filename)
        values = [_text(cell) for cell in row]
        while values and not values[-1]:
            values.pop()
        limits.check_columns(len(values), number, filename)
        rows.append(values)  # blank rows too, so that row numbers stay those of the sheet
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _text(cell: Any) -> str:
    """A cell as written: ``10`` not ``10.0``; errors (``#N/A``) and empty cells as ``""``."""
    value = getattr(cell, "value", None)
    if value is None or getattr(cell, "data_type", None) == TYPE_ERROR:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
