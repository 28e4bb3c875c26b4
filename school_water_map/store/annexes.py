"""Applied annexes: a newer annex than the curated 2021 transcription, as a person applied it.

An applied annex lives in the store (``annexes`` table) with the renames accepted at the time (a new
spelling → the existing entity id, so ids and recorded positions carry over). It is written in one
transaction; the newest is in force and the older ones are its history. Which annex is in force (the
applied one, else the curated file) is :func:`school_water_map.pipeline.annexes.active_annex`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from school_water_map.domain.annex import AnnexRow
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


def applied_annex(settings: Settings) -> ActiveAnnex | None:
    """The newest applied annex; None when none was applied (the curated transcription is in force)."""
    with open_store(settings).session() as session:
        row = session.scalar(select(AnnexRowRecord).order_by(AnnexRowRecord.id.desc()).limit(1))
        return None if row is None else annex_from_row(row)


def save_active(settings: Settings, rows: list[AnnexRow], aliases: Mapping[str, str], *, source: str,
                applied_by: str) -> ActiveAnnex:
    """Make ``rows`` the active annex in one transaction; the ones before it stay as its history."""
    with open_store(settings).session() as session:
        row = AnnexRowRecord(rows=[asdict(r) for r in rows], aliases=dict(aliases), source=source,
                             applied_by=applied_by, applied_at=datetime.now(UTC).isoformat(timespec="seconds"))
        session.add(row)
        session.flush()
        return annex_from_row(row)


def annex_history(settings: Settings) -> list[ActiveAnnex]:
    """Every applied annex, oldest first (the last one is in force)."""
    with open_store(settings).session() as session:
        return [annex_from_row(row) for row in session.scalars(select(AnnexRowRecord).order_by(AnnexRowRecord.id))]


def annex_from_row(row: AnnexRowRecord) -> ActiveAnnex:
    return ActiveAnnex(rows=[AnnexRow(**item) for item in row.rows], aliases=dict(row.aliases), source=row.source,
                       applied_by=row.applied_by, applied_at=row.applied_at)
