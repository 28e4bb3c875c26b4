"""Reading positions from a CSV file: every row checked into a locate request (storing them all or none:
``school_water_map.pipeline.placing``).

Columns (header row, Chinese; order free): ``编号或名称`` (a school or water body, by id or name),
``经度``, ``纬度`` (decimal or 度分秒), and optionally ``坐标系`` (WGS-84 / GCJ-02 / BD-09, default
WGS-84), ``来源``, ``精度`` (实测 / 地名库 / 地理编码) and ``备注``. Files saved by Excel or WPS as UTF-8
or GBK both read. Errors name the spreadsheet row (the header is row 1), all at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from shapely.geometry import Point

from school_water_map import limits
from school_water_map.domain.locate import LocateRequest
from school_water_map.domain.positions import PRECISION_ZH, RECORDABLE
from school_water_map.errors import PositionCsvError, PositionError
from school_water_map.geo.coordinates import parse_angle
from school_water_map.io.tables import csv_format_problem

#: Accepted header names of each column (the first is the documented one).
COLUMNS = {
    "entity": ("编号或名称", "编号", "名称", "学校或水体", "id", "name"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "crs": ("坐标系", "crs"),
    "source": ("来源", "source"),
    "precision": ("精度", "precision"),
    "note": ("备注", "note"),
}
REQUIRED = ("entity", "lon", "lat")
TEMPLATE = "编号或名称,经度,纬度,坐标系,来源,备注\n"
_PRECISION_BY_TEXT = {**{code: code for code in RECORDABLE}, **{PRECISION_ZH[c]: c for c in RECORDABLE},
                      "地理编码": "geocoded", "未确认": "geocoded"}


@dataclass(frozen=True)
class CsvRow:
    line: int  # the spreadsheet row (header = 1)
    request: LocateRequest


def read_rows(data: bytes, *, author: str, source: str, precision: str = "surveyed",
              filename: str = "文件") -> list[CsvRow]:
    """Parse the file into locate requests (coordinates and columns checked; places not yet)."""
    rows, problems = check_rows(data, author=author, source=source, precision=precision, filename=filename)
    if problems:
        raise PositionCsvError([text for _, text in problems])
    return rows


def check_rows(data: bytes, *, author: str, source: str, precision: str,
               filename: str) -> tuple[list[CsvRow], list[tuple[int, str]]]:
    """The file's good rows as requests, and each bad row's problem as (row, text); a file that cannot
    be read as a whole (size, encoding, columns, no data) raises :class:`PositionCsvError`."""
    limits.check_size(len(data), limits.TABLE_BYTES, filename)
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    try:
        columns = _columns(reader.fieldnames or [])
        records = []
        for record in reader:
            limits.check_rows(reader.line_num, filename)
            records.append(record)
    except csv.Error as exc:
        raise PositionCsvError([csv_format_problem(reader.line_num)]) from exc
    rows: list[CsvRow] = []
    problems: list[tuple[int, str]] = []
    for line, raw in enumerate(records, start=2):
        cells = {key: (raw.get(name) or "").strip() for key, name in columns.items()}
        if not any(cells.values()):
            continue
        try:
            rows.append(CsvRow(line, _request(cells, author=author, source=source, precision=precision)))
        except PositionError as exc:
            problems.append((line, f"第 {line} 行：{exc}"))
    if not rows and not problems:
        raise PositionCsvError(["文件中没有数据行"])
    return rows, problems


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PositionCsvError(["文件编码无法识别：请在 Excel/WPS 中另存为“CSV UTF-8”"])


def _columns(header: Sequence[str]) -> dict[str, str]:
    normalised = {name.strip().lower(): name for name in header if name}
    found = {key: next((normalised[n.lower()] for n in names if n.lower() in normalised), None)
             for key, names in COLUMNS.items()}
    missing = [COLUMNS[key][0] for key in REQUIRED if found[key] is None]
    if missing:
        raise PositionCsvError([f"缺少列：{'、'.join(missing)}（第 1 行应为表头，如：{TEMPLATE.strip()}）"])
    return {key: name for key, name in found.items() if name is not None}


def _request(cells: dict[str, str], *, author: str, source: str, precision: str) -> LocateRequest:
    """The row's request; a bad row names every bad cell at once (place, longitude, latitude, precision)."""
    problems = [] if cells.get("entity") else ["未填写编号或名称"]
    lon = _angle(cells.get("lon", ""), "lon", problems)
    lat = _angle(cells.get("lat", ""), "lat", problems)
    text = cells.get("precision", "")
    if text and text not in _PRECISION_BY_TEXT:
        problems.append(f"精度“{text}”无法识别：请填写 实测、地名库 或 地理编码")
    if problems or lon is None or lat is None:
        raise PositionError("；".join(problems))
    return LocateRequest(entity=cells["entity"], geometry=Point(lon, lat), crs=cells.get("crs") or "WGS84",
                         source=cells.get("source") or source, author=author, method="csv",
                         precision=_PRECISION_BY_TEXT[text] if text else precision, note=cells.get("note", ""))


def _angle(text: str, axis: str, problems: list[str]) -> float | None:
    try:
        return parse_angle(text, axis=axis)
    except PositionError as exc:
        problems.append(str(exc))
        return None
