"""Township assignments (设置 · 学校所属乡镇): a 管理员 assigns a school's township; each assignment adds
a row (append-only, history kept) and a school's current township is its newest row. The register reads
the current assignments in its snapshot, so a school's sites then belong to that township's patrols
(their scope and the write checks of ``store.inspections.submit``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from school_water_map.domain.townships import TownshipAssignment, check_assignment
from school_water_map.domain.users import ADMIN, ROLE_ZH, User
from school_water_map.errors import AuthError
from school_water_map.store import audit
from school_water_map.store.database import Store
from school_water_map.store.db.models import TownshipAssignmentRow


def assign(store: Store, school_id: str, township: str, *, actor: User, schools: Collection[str],
           note: str = "", client: str = "", now: datetime | None = None) -> TownshipAssignment:
    """Assign ``school_id`` (one of ``schools``, the register's) to ``township`` (one of ``TOWNSHIPS``);
    only an active 管理员 may. Gives the assignment written."""
    if not (actor.active and actor.role == ADMIN):
        raise AuthError(f"只有{ROLE_ZH[ADMIN]}可以指定学校所属乡镇")
    school, town = check_assignment(school_id, township, schools)
    who = (actor.display_name or actor.username)[:128]
    moment = now or datetime.now(UTC)
    with store.session() as session:
        session.add(TownshipAssignmentRow(school_id=school, township=town, assigned_by=who, assigned_at=moment,
                                          note=note.strip()))
        audit.record(session, "township_assigned", actor=actor.username, client=client, now=moment,
                     detail=f"{school} → {town}")
    return TownshipAssignment(school_id=school, township=town, assigned_by=who, assigned_at=moment,
                              note=note.strip())


def current(store: Store) -> dict[str, TownshipAssignment]:
    """Each assigned school's newest assignment, by school id."""
    with store.session() as session:
        return current_assignments(session)


def history(store: Store, *, school_id: str | None = None, limit: int = 500) -> list[TownshipAssignment]:
    """The newest assignments first (only ``school_id``'s when given)."""
    query = select(TownshipAssignmentRow).order_by(TownshipAssignmentRow.id.desc()).limit(limit)
    if school_id is not None:
        query = query.where(TownshipAssignmentRow.school_id == school_id)
    with store.session() as session:
        return [_assignment(row) for row in session.scalars(query)]


def current_assignments(session: Session) -> dict[str, TownshipAssignment]:
    """The current assignments, read in ``session``'s transaction (``store.snapshot``)."""
    newest = (select(TownshipAssignmentRow.school_id, func.max(TownshipAssignmentRow.id).label("id"))
              .group_by(TownshipAssignmentRow.school_id).subquery())
    query = select(TownshipAssignmentRow).join(newest, TownshipAssignmentRow.id == newest.c.id)
    return {row.school_id: _assignment(row) for row in session.scalars(query)}


def _assignment(row: TownshipAssignmentRow) -> TownshipAssignment:
    moment = row.assigned_at if row.assigned_at.tzinfo else row.assigned_at.replace(tzinfo=UTC)  # SQLite: naive UTC
    return TownshipAssignment(school_id=row.school_id, township=row.township, assigned_by=row.assigned_by,
                              assigned_at=moment, note=row.note)
