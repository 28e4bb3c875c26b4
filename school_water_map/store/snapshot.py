"""What the register is built from, read from the store in one transaction (one consistent view):
the applied annex, every recorded position, every inspection, the schools' assigned townships and the 整改任务."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from school_water_map.domain.inspections import Inspection
from school_water_map.domain.positions import PositionRecord
from school_water_map.domain.tasks import Task
from school_water_map.domain.townships import TownshipAssignment
from school_water_map.store.annexes import ActiveAnnex, annex_from_row
from school_water_map.store.database import Store, position_record
from school_water_map.store.db.models import AnnexRowRecord, InspectionRow, PositionRow
from school_water_map.store.inspections import inspection_from_row
from school_water_map.store.tasks import tasks_in
from school_water_map.store.townships import current_assignments


@dataclass(frozen=True)
class Snapshot:
    annex: ActiveAnnex | None            # the newest applied annex; None while the curated one is in force
    positions: list[PositionRecord]      # every record, oldest first
    inspections: list[Inspection]        # every inspection, oldest first
    townships: dict[str, TownshipAssignment]  # each assigned school's current assignment, by school id
    tasks: list[Task] = field(default_factory=list)  # every 整改任务 with its events, oldest first


def read_snapshot(store: Store) -> Snapshot:
    """The store's part of the register's input, as one consistent view (a position or an inspection
    committed meanwhile is in all of it or in none)."""
    with store.reading() as session:
        annex = session.scalar(select(AnnexRowRecord).order_by(AnnexRowRecord.id.desc()).limit(1))
        positions = session.scalars(select(PositionRow).order_by(PositionRow.record_id))
        inspections = session.scalars(select(InspectionRow).order_by(InspectionRow.id))
        return Snapshot(annex=None if annex is None else annex_from_row(annex),
                        positions=[position_record(row) for row in positions],
                        inspections=[inspection_from_row(row) for row in inspections],
                        townships=current_assignments(session), tasks=tasks_in(session))
