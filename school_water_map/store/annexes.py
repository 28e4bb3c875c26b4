"""The active annex: the curated 2021 transcription, or a newer annex a person applied.

An applied annex lives in the store (``annexes`` table) with the renames accepted at the time (a new
spelling → the existing entity id, so ids and recorded positions carry over). It is written in one
transaction; the newest is in force and the older ones are its history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from school_water_map import limits
from school_water_map.domain.annex import COLUMNS, AnnexRow, load_annex, read_annex_text
from school_water_map.errors import DataFileError
from school_water_map.io.tables import rows_to_csv, xlsx_rows
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.db.models import AnnexRowRecord


@dataclass(frozen=True)
class ActiveAnnex:
    rows: list[AnnexRow]
    aliases: dict[str, str] = field(default_factory=dict)  # spelling → existing entity id
    source: str = ""
    applied_by: str = ""
    applied_at: str = ""


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


def active_annex(settings: Settings) -> ActiveAnnex:
    """The newest applied annex if there is one, else the curated transcription in ``geodata/``."""
    with open_store(settings).session() as session:
        row = session.scalar(select(AnnexRowRecord).order_by(AnnexRowRecord.id.desc()).limit(1))
        if row is None:
            return ActiveAnnex(rows=load_annex(settings.annex_path), source=settings.annex_file)
        return _annex(row)


def save_active(settings: Settings, rows: list[AnnexRow], aliases: Mapping[str, str], *, source: str,
                applied_by: str) -> ActiveAnnex:
    """Make ``rows`` the active annex in one transaction; the ones before it stay as its history."""
    with open_store(settings).session() as session:
        row = AnnexRowRecord(rows=[asdict(r) for r in rows], aliases=dict(aliases), source=source,
                             applied_by=applied_by, applied_at=datetime.now(UTC).isoformat(timespec="seconds"))
        session.add(row)
        session.flush()
        return _annex(row)


def annex_history(settings: Settings) -> list[ActiveAnnex]:
    """Every applied annex, oldest first (the last one is in force)."""
    with open_store(settings).session() as session:
        return [_annex(row) for row in session.scalars(select(AnnexRowRecord).order_by(AnnexRowRecord.id))]


def _annex(row: AnnexRowRecord) -> ActiveAnnex:
    return ActiveAnnex(rows=[AnnexRow(**item) for item in row.rows], aliases=dict(row.aliases), source=row.source,
                       applied_by=row.applied_by, applied_at=row.applied_at)
