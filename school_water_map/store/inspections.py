"""Inspections in the store: submitted append-only (a correction is a new record pointing to the old
one), scoped to the patrol's township, with a re-encoded photo and GPS proof of presence; and the
drafts that keep half-filled work across a dropped connection or a reload.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from school_water_map.domain.inspections import DevicePosition, Inspection, InspectionInput
from school_water_map.domain.patrol import PatrolRules, presence, validate_answers
from school_water_map.domain.sites import Site
from school_water_map.domain.users import User, require_site_write
from school_water_map.errors import InspectionError, PhotoError, PositionError
from school_water_map.store import photos
from school_water_map.store.database import Store
from school_water_map.store.db.models import DraftRow, InspectionRow
from school_water_map.store.tasks import TaskPolicy, raise_found

log = logging.getLogger(__name__)


def submit(store: Store, user: User, site: Site, form: InspectionInput, *, target: BaseGeometry | None,
           rules: PatrolRules, photo: bytes | None = None, device: DevicePosition | None = None,
           corrects: int | None = None, now: datetime | None = None, tasks: TaskPolicy | None = None) -> Inspection:
    """Check everything, then write the inspection (and its photo) in one transaction, or nothing. With a
    ``tasks`` policy, the problems it finds raise 整改任务 (or attach to the open ones) in that transaction."""
    require_site_write(user, site.township, "站点巡查")
    problems = validate_answers(form.answers)
    if problems:
        raise InspectionError("；".join(problems))
    point = _device_point(device)
    state, distance = presence(point, target, rules)
    fields = {"answers": dict(form.answers), "problems": form.problems.strip(),
              "action_taken": form.action_taken.strip(), "note": form.note.strip(),
              "gps_lon": point.x if point else None, "gps_lat": point.y if point else None,
              "gps_accuracy_m": device.accuracy_m if device else None, "distance_to_site_m": distance,
              "presence": state}
    jpeg = process_photo(photo) if photo else None
    if jpeg is None:
        return _record(store, user, site, fields, photo=None, corrects=corrects, now=now, tasks=tasks)
    try:
        with photos.writing(store.data_dir):
            saved = photos.save(store.data_dir, jpeg, now=now)
            try:
                return _record(store, user, site, fields, photo=saved.path, corrects=corrects, now=now,
                               tasks=tasks)
            except BaseException as exc:
                failure = exc
    except PhotoError as exc:
        raise InspectionError(str(exc)) from exc
    # refused: the photo goes only if this submission alone wrote it and no committed inspection uses it
    photos.discard(store.data_dir, saved, referenced=partial(_photo_referenced, store))
    raise failure


def list_inspections(store: Store, *, townships: set[str] | None = None,
                     site_ids: set[str] | None = None) -> list[Inspection]:
    """Inspections, oldest first, optionally for some townships or sites."""
    query = select(InspectionRow).order_by(InspectionRow.id)
    if townships is not None:
        query = query.where(InspectionRow.township.in_(townships))
    if site_ids is not None:
        query = query.where(InspectionRow.site_id.in_(site_ids))
    with store.session() as session:
        return [inspection_from_row(row) for row in session.scalars(query)]


def save_draft(store: Store, user: User, site: Site, payload: dict[str, object]) -> None:
    """Keep the half-filled form server-side (one draft per user and site)."""
    require_site_write(user, site.township, "站点巡查")
    with store.session() as session:
        row = session.scalar(select(DraftRow).where(DraftRow.user_id == user.id, DraftRow.site_id == site.site_id))
        if row is None:
            session.add(DraftRow(user_id=user.id, site_id=site.site_id, payload=payload, updated_at=datetime.now(UTC)))
        else:
            row.payload = payload
            row.updated_at = datetime.now(UTC)


def load_draft(store: Store, user: User, site_id: str) -> dict[str, object] | None:
    with store.session() as session:
        row = session.scalar(select(DraftRow).where(DraftRow.user_id == user.id, DraftRow.site_id == site_id))
        return dict(row.payload) if row else None


def process_photo(data: bytes) -> bytes:
    """Re-encode an uploaded photo as JPEG, at most 1600 px on its long side, without its metadata
    (JPEG, PNG or HEIC only; size and pixels checked before decoding)."""
    try:
        return photos.reencode(data)
    except PhotoError as exc:
        raise InspectionError(str(exc)) from exc


def _record(store: Store, user: User, site: Site, fields: dict[str, Any], *, photo: str | None,
            corrects: int | None, now: datetime | None, tasks: TaskPolicy | None) -> Inspection:
    """Write the inspection in one transaction (committed when this returns), or nothing."""
    with store.session() as session:
        if corrects is not None:
            original = session.get(InspectionRow, corrects)
            if original is None or original.site_id != site.site_id:
                raise InspectionError(f"要更正的巡查记录 #{corrects} 不存在或不属于此站点")
        moment = now or datetime.now(UTC)
        row = InspectionRow(site_id=site.site_id, township=site.township or "", user_id=user.id,
                            inspector=user.display_name or user.username, created_at=moment,
                            photo=photo, corrects_id=corrects, **fields)
        session.add(row)
        session.execute(delete(DraftRow).where(DraftRow.user_id == user.id, DraftRow.site_id == site.site_id))
        session.flush()
        if tasks is not None:
            raise_found(session, user, site, inspection_id=row.id, answers=fields["answers"], policy=tasks, now=moment)
        return inspection_from_row(row)


def _photo_referenced(store: Store, path: str) -> bool:
    """Whether a committed inspection keeps this photo (True when the store cannot say: keep it)."""
    try:
        with store.session() as session:
            return session.scalar(select(InspectionRow.id).where(InspectionRow.photo == path).limit(1)) is not None
    except SQLAlchemyError:
        log.warning("cannot check whether photo %s is referenced; keeping it", path, exc_info=True)
        return True


def _device_point(device: DevicePosition | None) -> Point | None:
    if device is None:
        return None
    if not (-180 <= device.lon <= 180 and -90 <= device.lat <= 90):
        raise PositionError("设备定位坐标无效")
    return Point(device.lon, device.lat)


def inspection_from_row(row: InspectionRow) -> Inspection:
    return Inspection(id=row.id, site_id=row.site_id, township=row.township, user_id=row.user_id,
                      inspector=row.inspector, created_at=_aware(row.created_at), answers=dict(row.answers),
                      problems=row.problems, action_taken=row.action_taken, note=row.note, photo=row.photo,
                      gps_lon=row.gps_lon, gps_lat=row.gps_lat, gps_accuracy_m=row.gps_accuracy_m,
                      distance_to_site_m=row.distance_to_site_m, presence=row.presence, corrects_id=row.corrects_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
