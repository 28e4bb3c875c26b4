"""责任人 read from a CSV or XLSX file (the table ``outputs.owners_table`` writes): every row is checked
before anything is saved, and each bad one is named. 名称 is for the reader and is not read back; a row
left empty where someone is named clears that role."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from school_water_map import limits
from school_water_map.domain.owners import COLUMNS, ROLE_BY_ZH, ROLE_ZH, Owner, Subjects, check_owner, key
from school_water_map.errors import OwnersFileError, SwmapError
from school_water_map.io.tables import csv_format_problem, xlsx_rows

REQUIRED = ("类别", "编号", "单位", "责任人", "电话")


def read_owners(data: bytes, filename: str, subjects: Subjects) -> list[Owner]:
    """The file's rows as checked owners, or :class:`OwnersFileError` naming every bad row (nothing kept)."""
    rows = _rows(data, filename)
    header = [cell.strip() for cell in rows[0]] if rows else []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise OwnersFileError(filename, [f"缺少列：{'、'.join(missing)}（应有列：{'、'.join(COLUMNS)}）"])
    at = {name: header.index(name) for name in REQUIRED}
    owners: list[Owner] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        values = {name: _cell(cells, at[name]) for name in REQUIRED}
        if not any(values.values()):
            continue
        where = f"第 {line} 行"
        role = ROLE_BY_ZH.get(values["类别"], values["类别"])
        try:
            owner = check_owner(role, values["编号"], values["单位"], values["责任人"], values["电话"], subjects,
                                where=where)
        except SwmapError as exc:
            problems.append(str(exc))
            continue
        if key(owner.role, owner.subject_id) in seen:
            problems.append(f"{where}：{ROLE_ZH[owner.role]}“{owner.subject_id}”与第 "
                            f"{seen[key(owner.role, owner.subject_id)]} 行重复")
            continue
        seen[key(owner.role, owner.subject_id)] = line
        owners.append(owner)
    if problems:
        raise OwnersFileError(filename, problems)
    if not owners:
        raise OwnersFileError(filename, ["文件中没有数据行"])
    return owners


def _rows(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        return xlsx_rows(data, filename)
    limits.check_size(len(data), limits.TABLE_BYTES, filename)
    reader = csv.reader(io.StringIO(_decode(data, filename), newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            limits.check_rows(reader.line_num, filename)
            limits.check_columns(len(row), reader.line_num, filename)
            rows.append(row)
    except csv.Error as exc:
        raise OwnersFileError(filename, [csv_format_problem(reader.line_num)]) from exc
    return rows


def _decode(data: bytes, filename: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise OwnersFileError(filename, ["文件编码无法识别：请在 Excel/WPS 中另存为“CSV UTF-8”"])


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""
