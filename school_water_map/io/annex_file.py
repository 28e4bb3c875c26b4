"""An annex file read into its verbatim rows: a UTF-8 CSV, an XLSX sheet, or the table pasted as text.

An annex arrives as a UTF-8 CSV (the repository's transcription), as an XLSX sheet, or as the table
pasted as text (tab-separated, as printed in the gazette). Reading is all-or-nothing: every problem of
every row (columns, 序号, names, distance, note) is reported at once, and nothing is returned while any
row is bad. The rows' distances and notes are read by :mod:`school_water_map.domain.annex`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from school_water_map import limits
from school_water_map.domain.annex import COLUMNS, AnnexRow, cell_problems
from school_water_map.errors import AnnexParseError, AnnexRowsError, DataFileError
from school_water_map.io.tables import csv_format_problem, rows_to_csv, xlsx_rows


def load_annex(path: Path) -> list[AnnexRow]:
    """Read an annex CSV with the columns 序号,学校名称,河湖名称,距离学校距离,备注."""
    try:
        text = limits.read_path(path, limits.TABLE_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path.name}：不是 UTF-8 编码的文本文件") from exc
    return read_annex_text(text, source=path.name)


def read_annex_text(text: str, *, source: str = "附件", first_line: int = 1) -> list[AnnexRow]:
    """Read an annex from CSV text or a pasted, tab-separated table (repeated header lines allowed).

    Every problem of every row is listed in one :class:`AnnexRowsError`: the layout (columns, 序号, names)
    and, when any row's layout is wrong, the distances and notes too (otherwise
    :func:`~school_water_map.domain.annex.parse_rows` lists those). ``first_line`` is the file line of the
    text's first line (for a sheet with a title).
    """
    limits.check_text(text, source)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [(first_line - 1 + reader.line_num, rec) for rec in _bounded(reader, source)
                   if any(c.strip() for c in rec)]
    except csv.Error as exc:
        raise DataFileError(f"{source}：{csv_format_problem(reader.line_num)}") from exc
    seen: set[int] = set()
    lines = [_layout([c.strip() for c in record], line=line, seen=seen) for line, record in records
             if record[0].strip() != COLUMNS[0]]  # a header line (the gazette repeats it on every page)
    if not lines:
        raise DataFileError(f"{source}：没有找到任何数据行（需要列：{'，'.join(COLUMNS)}）")
    if any(item.problems for item in lines):
        raise AnnexRowsError([problem for item in lines for problem in item.all_problems()])
    return [item.annex_row() for item in lines]


def read_annex_file(path: Path) -> list[AnnexRow]:
    """Read an annex from CSV, XLSX, or a text file holding the table as pasted from the gazette."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return load_annex(path)
    if suffix in (".xlsx", ".xlsm"):
        rows = xlsx_rows(limits.read_path(path, limits.TABLE_BYTES), path.name)
        start = next((i for i, row in enumerate(rows) if row and row[0] == COLUMNS[0]), None)
        if start is None:
            raise DataFileError(f"{path.name}：找不到表头（需要列：{'，'.join(COLUMNS)}）")
        return read_annex_text(rows_to_csv(rows[start:]), source=path.name, first_line=start + 1)
    try:
        text = limits.read_path(path, limits.TABLE_BYTES).decode("utf-8-sig")
        return read_annex_text(text, source=path.name)
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path.name}：不是 UTF-8 文本，也不是 CSV/XLSX 文件") from exc


def _bounded(reader: Iterator[list[str]], source: str) -> Iterator[list[str]]:
    """The reader's records, refused as soon as there are more lines than a table may have."""
    for number, record in enumerate(reader, start=1):
        limits.check_rows(number, source)
        yield record


@dataclass(frozen=True)
class _Line:
    """A data line of the file: its 序号 when usable, its cells, and what is wrong with its layout."""

    line: int
    row: int | None
    cells: list[str]  # the five columns; the whole line when it has too many
    problems: list[AnnexParseError]

    def all_problems(self) -> list[AnnexParseError]:
        """The layout's problems, then the distance's and the note's (when the columns can be told apart)."""
        if len(self.cells) > len(COLUMNS):
            return self.problems
        return [*self.problems, *cell_problems(self.row, self.cells[3], self.cells[4], line=self.line)]

    def annex_row(self) -> AnnexRow:
        assert self.row is not None and not self.problems  # only lines without problems become rows
        return AnnexRow(row=self.row, school=self.cells[1], water=self.cells[2], distance_text=self.cells[3],
                        note=self.cells[4])


def _layout(cells: list[str], *, line: int, seen: set[int]) -> _Line:
    while len(cells) > len(COLUMNS) and not cells[-1]:
        cells.pop()
    number = cells[0]
    if len(cells) > len(COLUMNS):
        return _Line(line, None, cells, [AnnexParseError(row=number or None, field="整行", text="，".join(cells),
                                                         reason=f"列数为 {len(cells)}，应为 5", line=line)])
    cells = cells + [""] * (len(COLUMNS) - len(cells))
    problems: list[AnnexParseError] = []
    index = int(number) if re.fullmatch(r"\d+", number) else None
    if index is None:
        problems.append(AnnexParseError(row=None, field=COLUMNS[0], text=number, reason="序号应为正整数", line=line))
    elif index in seen:
        problems.append(AnnexParseError(row=index, field=COLUMNS[0], text=number, reason="序号重复", line=line))
    else:
        seen.add(index)
    if not cells[1]:
        problems.append(AnnexParseError(row=index, field=COLUMNS[1], text="", reason="学校名称为空", line=line))
    if not cells[2] and cells[3]:
        problems.append(AnnexParseError(row=index, field=COLUMNS[2], text="", reason="有距离但河湖名称为空",
                                        line=line))
    return _Line(line, index, cells, problems)
