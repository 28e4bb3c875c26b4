"""The active annex: the curated 2021 transcription, or a newer annex a person applied.

An applied annex lives in the data directory (``annex/active.json``) with the renames accepted at
the time (a new spelling → the existing entity id, so ids and recorded positions carry over). It is
written in one atomic replace; the one it replaces is kept under ``annex/history/``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from school_water_map.annex import COLUMNS, AnnexRow, load_annex, read_annex_text
from school_water_map.atomic import locked, write_json
from school_water_map.errors import DataFileError
from school_water_map.settings import Settings
from school_water_map.tables import rows_to_csv, xlsx_rows

_SCHEMA = 1


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
        rows = xlsx_rows(path.read_bytes(), path.name)
        start = next((i for i, row in enumerate(rows) if row and row[0] == COLUMNS[0]), None)
        if start is None:
            raise DataFileError(f"{path.name}：找不到表头（需要列：{'，'.join(COLUMNS)}）")
        return read_annex_text(rows_to_csv(rows[start:]), source=path.name)
    try:
        return read_annex_text(path.read_text(encoding="utf-8-sig"), source=path.name)
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path.name}：不是 UTF-8 文本，也不是 CSV/XLSX 文件") from exc


def active_annex(settings: Settings) -> ActiveAnnex:
    """The applied annex if there is one, else the curated transcription in ``geodata/``."""
    path = active_annex_path(settings)
    if not path.exists():
        return ActiveAnnex(rows=load_annex(settings.annex_path), source=settings.annex_file)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        rows = [AnnexRow(**row) for row in payload["rows"]]
        return ActiveAnnex(rows=rows, aliases=dict(payload["aliases"]), source=payload["source"],
                           applied_by=payload["applied_by"], applied_at=payload["applied_at"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DataFileError(f"已应用的附件文件已损坏：{path}（{exc}）") from exc


def save_active(settings: Settings, rows: list[AnnexRow], aliases: Mapping[str, str], *, source: str,
                applied_by: str) -> ActiveAnnex:
    """Make ``rows`` the active annex in one atomic write, keeping the previous one in history."""
    path = active_annex_path(settings)
    annex = ActiveAnnex(rows=list(rows), aliases=dict(aliases), source=source, applied_by=applied_by,
                        applied_at=datetime.now(UTC).isoformat(timespec="seconds"))
    with locked(path):
        if path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            write_json(path.parent / "history" / f"{stamp}.json", json.loads(path.read_text(encoding="utf-8")))
        write_json(path, {"schema": _SCHEMA, **asdict(annex)})
    return annex


def active_annex_path(settings: Settings) -> Path:
    """Where an applied annex is kept (absent while the curated 2021 transcription is in force)."""
    return settings.data_dir / "annex" / "active.json"

