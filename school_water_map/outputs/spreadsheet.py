"""Spreadsheet output that is safe to open: every CSV and XLSX the project writes goes through here.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF (or their full-width forms
``＝＋－＠``, which some Chinese-locale spreadsheets also read as a formula) would be run by Excel or WPS
as a formula: ``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``, a patrol's 采取的措施 ``=1+1``. Following
OWASP's CSV-injection guidance, such text gets a leading single quote (``'=1+1``), so it is shown
as the text it is. Only text is changed: int, float and bool cells stay numbers (a negative number
is still a number), and text that merely looks like a number (``"-5"``) is escaped like any other
text, since it came from a person, not from a computation.

``safe_cell`` is the one sanitiser; ``csv_bytes`` and ``xlsx_bytes`` are the one CSV and XLSX
writers. The XLSX writer also marks every text cell as a string (openpyxl would otherwise store any
text starting with ``=`` as a formula), freezes the header, turns filters on and sizes the columns.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs installed (types-openpyxl)
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]
from pandas.api.types import is_bool_dtype, is_numeric_dtype

#: First characters that make a spreadsheet read a cell as a formula (OWASP, plus LF and full-width forms).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
#: Prefixed to such text: Excel and WPS then show the cell as text.
ESCAPE = "'"
#: What a character XLSX cannot hold (control characters other than tab, CR, LF) is written as.
REPLACEMENT = "\ufffd"
_MAX_WIDTH = 60


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula; else unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return ESCAPE + value
    return value


def safe_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell (and header) passed through :func:`safe_cell`."""
    out = table.copy()
    for position, dtype in enumerate(table.dtypes):
        if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype)):  # numbers stay numbers
            out.isetitem(position, table.iloc[:, position].map(safe_cell).to_numpy())
    out.columns = pd.Index([safe_cell(c) for c in table.columns])
    return out


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as CSV, UTF-8 with a byte-order mark (so Excel and WPS read the Chinese), text made safe."""
    return str(safe_table(table).to_csv(index=False)).encode("utf-8-sig")


def xlsx_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook with a sheet per table (in order): header frozen, filters on, columns sized to their text."""
    book = Workbook()
    book.remove(book.active)  # a new workbook has a default sheet
    for title, table in tables.items():
        sheet = book.create_sheet(title=title)
        _write_row(sheet, 1, list(table.columns), bold=True)
        for number, values in enumerate(table.itertuples(index=False, name=None), start=2):
            _write_row(sheet, number, list(values))
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        _size_columns(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_row(sheet: Worksheet, number: int, values: list[Any], *, bold: bool = False) -> None:
    for column, raw in enumerate(values, start=1):
        value = _xlsx_value(raw)
        cell = sheet.cell(row=number, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text
        if bold:
            cell.font = Font(bold=True)


def _xlsx_value(value: Any) -> Any:
    """A cell value openpyxl stores as itself: numbers and booleans as such, missing as empty, else safe text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, datetime):
        return value if value.tzinfo is None else value.isoformat()  # XLSX has no time zones
    if isinstance(value, date):
        return value
    text = value if isinstance(value, str) else str(value)
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text))


def _size_columns(sheet: Worksheet) -> None:
    for cells in sheet.columns:
        width = max(_display_width("" if c.value is None else str(c.value)) for c in cells)
        sheet.column_dimensions[cells[0].column_letter].width = min(max(width + 2, 6), _MAX_WIDTH)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
