"""The annex table: its verbatim rows, and each row parsed into an exposure (school, water, distance).

An annex arrives as a UTF-8 CSV (the repository's transcription), or as the table pasted as text
(tab-separated, as printed in the gazette). Reading is all-or-nothing: every bad row is reported,
and nothing is returned while any row is bad.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from school_water_map.errors import AnnexParseError, DataFileError
from school_water_map.reported import NoteFacts, ReportedDistance, parse_distance, parse_note
from school_water_map.tables import csv_format_problem

COLUMNS = ("序号", "学校名称", "河湖名称", "距离学校距离", "备注")
NO_WATER = "无"


@dataclass(frozen=True)
class AnnexRow:
    """One numbered row of the annex, exactly as printed."""

    row: int
    school: str
    water: str
    distance_text: str
    note: str


@dataclass(frozen=True)
class Exposure:
    """An annex row read into structured facts, each next to its original text."""

    source: AnnexRow
    reported: ReportedDistance
    note: NoteFacts

    @property
    def row(self) -> int:
        return self.source.row

    @property
    def has_water(self) -> bool:
        """False for a school the annex lists with no water (row 63's 无)."""
        return self.source.water.strip() not in ("", NO_WATER)

    @property
    def distance_m(self) -> float | None:
        """The reported distance; the note's nearest distance when the cell has none."""
        if self.reported.distance_m is not None:
            return self.reported.distance_m
        return self.note.range_min_m

    @property
    def distance_max_m(self) -> float | None:
        """The far end of a reported range (from the cell, or the note's 最远)."""
        return self.reported.distance_max_m if self.reported.distance_max_m is not None else self.note.range_max_m


class AnnexRowsError(DataFileError):
    """Several rows are bad; ``errors`` lists each one, ``str()`` joins their Chinese messages."""

    def __init__(self, errors: Sequence[AnnexParseError]) -> None:
        self.errors = list(errors)
        super().__init__("附件有 {} 处错误：\n{}".format(len(self.errors), "\n".join(map(str, self.errors))))


def load_annex(path: Path) -> list[AnnexRow]:
    """Read an annex CSV with the columns 序号,学校名称,河湖名称,距离学校距离,备注."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path.name}：不是 UTF-8 编码的文本文件") from exc
    return read_annex_text(text, source=path.name)


def read_annex_text(text: str, *, source: str = "附件") -> list[AnnexRow]:
    """Read an annex from CSV text or a pasted, tab-separated table (repeated header lines allowed)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [rec for rec in reader if any(c.strip() for c in rec)]
    except csv.Error as exc:
        raise DataFileError(f"{source}：{csv_format_problem(reader.line_num)}") from exc
    errors: list[AnnexParseError] = []
    rows: list[AnnexRow] = []
    seen: set[int] = set()
    for record in records:
        cells = [c.strip() for c in record]
        if cells[0] == COLUMNS[0]:
            continue  # a header line (the gazette repeats it on every page)
        row = _row(cells, errors=errors, seen=seen)
        if row is not None:
            rows.append(row)
    if not rows and not errors:
        raise DataFileError(f"{source}：没有找到任何数据行（需要列：{'，'.join(COLUMNS)}）")
    if errors:
        raise AnnexRowsError(errors)
    return rows


def parse_rows(rows: Iterable[AnnexRow]) -> list[Exposure]:
    """Parse every row's distance and note; report all bad rows at once."""
    exposures: list[Exposure] = []
    errors: list[AnnexParseError] = []
    for row in rows:
        try:
            exposures.append(parse_row(row))
        except AnnexParseError as exc:
            errors.append(exc)
    if errors:
        raise AnnexRowsError(errors)
    return exposures


def parse_row(row: AnnexRow) -> Exposure:
    """One row's distance text and note, read; raises :class:`AnnexParseError` naming the row."""
    reported = parse_distance(row.distance_text, row=row.row)
    note = parse_note(row.note, row=row.row)
    return Exposure(source=row, reported=reported, note=note)


def _row(cells: list[str], *, errors: list[AnnexParseError], seen: set[int]) -> AnnexRow | None:
    while len(cells) > 5 and not cells[-1]:
        cells.pop()
    number = cells[0]
    if len(cells) > 5:
        errors.append(AnnexParseError(row=number or None, field="整行", text="，".join(cells),
                                      reason=f"列数为 {len(cells)}，应为 5"))
        return None
    if not re.fullmatch(r"\d+", number):
        errors.append(AnnexParseError(row=None, field=COLUMNS[0], text=number, reason="序号应为正整数"))
        return None
    index = int(number)
    if index in seen:
        errors.append(AnnexParseError(row=index, field=COLUMNS[0], text=number, reason="序号重复"))
        return None
    seen.add(index)
    cells += [""] * (5 - len(cells))
    if not cells[2] and cells[3]:
        errors.append(AnnexParseError(row=index, field=COLUMNS[2], text="", reason="有距离但河湖名称为空"))
        return None
    if not cells[1]:
        errors.append(AnnexParseError(row=index, field=COLUMNS[1], text="", reason="学校名称为空"))
        return None
    return AnnexRow(row=index, school=cells[1], water=cells[2], distance_text=cells[3], note=cells[4])
