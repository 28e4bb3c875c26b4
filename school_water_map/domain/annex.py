"""The annex table: its verbatim rows, and each row parsed into an exposure (school, water, distance).

Pure: rows in, exposures out. Reading an annex file (CSV, XLSX, pasted text) into rows is
:mod:`school_water_map.io.annex_file`. Every bad cell of every row is reported at once, and nothing is
returned while any row is bad.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from school_water_map.domain.reported import NoteFacts, ReportedDistance, parse_distance, parse_note
from school_water_map.errors import AnnexParseError, AnnexRowsError

COLUMNS = ("序号", "学校名称", "河湖名称", "距离学校距离", "备注")
NO_WATER = "无"
_T = TypeVar("_T")


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


def parse_rows(rows: Iterable[AnnexRow]) -> list[Exposure]:
    """Parse every row's distance and note; report every bad cell of every row at once."""
    exposures: list[Exposure] = []
    errors: list[AnnexParseError] = []
    for row in rows:
        exposure, problems = _parse(row)
        errors.extend(problems)
        if exposure is not None:
            exposures.append(exposure)
    if errors:
        raise AnnexRowsError(errors)
    return exposures


def parse_row(row: AnnexRow) -> Exposure:
    """One row's distance text and note, read; raises :class:`AnnexParseError` naming the row."""
    exposure, problems = _parse(row)
    if exposure is None:
        raise problems[0]
    return exposure


def _parse(row: AnnexRow) -> tuple[Exposure | None, list[AnnexParseError]]:
    problems: list[AnnexParseError] = []
    reported = _attempt(lambda: parse_distance(row.distance_text, row=row.row), problems)
    note = _attempt(lambda: parse_note(row.note, row=row.row), problems)
    if reported is None or note is None:
        return None, problems
    return Exposure(source=row, reported=reported, note=note), problems


def cell_problems(row: int | None, distance_text: str, note: str, *, line: int) -> list[AnnexParseError]:
    """The problems of a row's distance and note cells, each naming the file ``line``."""
    problems: list[AnnexParseError] = []
    _attempt(lambda: parse_distance(distance_text, row=row), problems, line=line)
    _attempt(lambda: parse_note(note, row=row), problems, line=line)
    return problems


def _attempt(parse: Callable[[], _T], problems: list[AnnexParseError], *, line: int | None = None) -> _T | None:
    """``parse()``, or None with its error (given the file line) added to ``problems``."""
    try:
        return parse()
    except AnnexParseError as exc:
        problems.append(AnnexParseError(row=exc.row, field=exc.field, text=exc.text, reason=exc.reason,
                                        line=line) if line is not None else exc)
        return None
