"""责任人 in the store: every change is a new row (append-only, history kept); a role's current holder for
a subject is its newest row. Changes are written all or nothing: one bad value and none is saved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from school_water_map.domain.owners import ROLE_ZH, Owner, key
from school_water_map.domain.users import ADMIN, User
from school_water_map.domain.users import ROLE_ZH as USER_ROLE_ZH
from school_water_map.errors import AuthError
from school_water_map.store import audit
from school_water_map.store.database import Store
from school_water_map.store.db.models import OwnerRow


def set_owners(store: Store, owners: Sequence[Owner], *, actor: User, note: str = "", client: str = "",
               now: datetime | None = None) -> list[Owner]:
    """Write the ``owners`` (checked by ``domain.owners.check_owner``) that differ from the current ones,
    in one transaction; only an active 管理员 may. Gives the changes written (none when nothing differs)."""
    if not (actor.active and actor.role == ADMIN):
        raise AuthError(f"只有{USER_ROLE_ZH[ADMIN]}可以修改责任人")
    who = (actor.display_name or actor.username)[:128]
    moment = now or datetime.now(UTC)
    written: list[Owner] = []
    with store.session() as session:
        held = current_owners(session)
        for owner in owners:
            if owner.same_values(held.get(key(owner.role, owner.subject_id))):
                continue
            session.add(OwnerRow(role=owner.role, subject_id=owner.subject_id, unit=owner.unit, person=owner.person,
                                 phone=owner.phone, changed_by=who, changed_at=moment, note=note.strip()))
            held[key(owner.role, owner.subject_id)] = owner
            written.append(Owner(owner.role, owner.subject_id, owner.unit, owner.person, owner.phone, who, moment,
                                 note.strip()))
        if written:
            audit.record(session, "owners_changed", actor=actor.username, client=client, now=moment,
                         detail="；".join(f"{ROLE_ZH[o.role]} {o.subject_id}" for o in written)[:2000])
    return written


def current(store: Store) -> dict[tuple[str, str], Owner]:
    """Every role's current holder, by (role, subject id); a cleared one has empty values."""
    with store.session() as session:
        return current_owners(session)


def history(store: Store, *, limit: int = 500) -> list[Owner]:
    """The newest changes first."""
    with store.session() as session:
        return [_owner(row) for row in session.scalars(select(OwnerRow).order_by(OwnerRow.id.desc()).limit(limit))]


def current_owners(session: Session) -> dict[tuple[str, str], Owner]:
    newest = (select(func.max(OwnerRow.id).label("id")).group_by(OwnerRow.role, OwnerRow.subject_id).subquery())
    query = select(OwnerRow).join(newest, OwnerRow.id == newest.c.id)
    return {key(row.role, row.subject_id): _owner(row) for row in session.scalars(query)}


def _owner(row: OwnerRow) -> Owner:
    moment = row.changed_at if row.changed_at.tzinfo else row.changed_at.replace(tzinfo=UTC)  # SQLite: naive UTC
    return Owner(role=row.role, subject_id=row.subject_id, unit=row.unit, person=row.person, phone=row.phone,
                 changed_by=row.changed_by, changed_at=moment, note=row.note)
