"""Inspections in the store: submitted append-only (a correction is a new record pointing to the old
one), scoped to the patrol's township, with a re-encoded photo and GPS proof of presence; and the
drafts that keep half-filled work across a dropped connection or a reload.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps, UnidentifiedImageError
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, select

from school_water_map.accounts import User, require_site_write
from school_water_map.db.models import DraftRow, InspectionRow
from school_water_map.errors import PositionError
from school_water_map.patrol import PatrolRules, SiteMeasures, measures, presence, validate_answers
from school_water_map.store import Store

if TYPE_CHECKING:
    from school_water_map.sites import Site

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
MAX_PHOTO_BYTES = 15 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
PHOTO_QUALITY = 82


class InspectionError(ValueError):
    """An inspection that cannot be recorded as given (Chinese message); nothing was written."""


@dataclass(frozen=True)
class DevicePosition:
    lon: float
    lat: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class InspectionInput:
    answers: dict[str, str]
    problems: str = ""
    action_taken: str = ""
    note: str = ""


@dataclass(frozen=True)
class Inspection:
    id: int
    site_id: str
    township: str
    user_id: int
    inspector: str
    created_at: datetime
    answers: dict[str, str] = field(default_factory=dict)
    problems: str = ""
    action_taken: str = ""
    note: str = ""
    photo: str | None = None
    gps_lon: float | None = None
    gps_lat: float | None = None
    gps_accuracy_m: float | None = None
    distance_to_site_m: float | None = None
    presence: str = "no_gps"
    corrects_id: int | None = None

    @property
    def day(self) -> date:
        """The local (China Standard Time) date: what "inspected today" means to a patrol."""
        return self.created_at.astimezone(LOCAL_TIME).date()


def submit(store: Store, user: User, site: Site, form: InspectionInput, *, target: BaseGeometry | None,
           rules: PatrolRules, photo: bytes | None = None, device: DevicePosition | None = None,
           corrects: int | None = None, now: datetime | None = None) -> Inspection:
    """Check everything, then write the inspection (and its photo) in one transaction, or nothing."""
    require_site_write(user, site.township, "站点巡查")
    problems = validate_answers(form.answers)
    if problems:
        raise InspectionError("；".join(problems))
    point = _device_point(device)
    state, distance = presence(point, target, rules)
    jpeg = process_photo(photo) if photo else None
    photo_path = _save_photo(store.data_dir, jpeg) if jpeg else None
    try:
        with store.session() as session:
            if corrects is not None:
                original = session.get(InspectionRow, corrects)
                if original is None or original.site_id != site.site_id:
                    raise InspectionError(f"要更正的巡查记录 #{corrects} 不存在或不属于此站点")
            row = InspectionRow(
                site_id=site.site_id, township=site.township or "", user_id=user.id,
                inspector=user.display_name or user.username, created_at=now or datetime.now(UTC),
                answers=dict(form.answers), problems=form.problems.strip(), action_taken=form.action_taken.strip(),
                note=form.note.strip(), photo=photo_path, gps_lon=point.x if point else None,
                gps_lat=point.y if point else None, gps_accuracy_m=device.accuracy_m if device else None,
                distance_to_site_m=distance, presence=state, corrects_id=corrects)
            session.add(row)
            session.execute(delete(DraftRow).where(DraftRow.user_id == user.id, DraftRow.site_id == site.site_id))
            session.flush()
            return _inspection(row)
    except BaseException:
        if photo_path:
            (store.data_dir / photo_path).unlink(missing_ok=True)
        raise


def list_inspections(store: Store, *, townships: set[str] | None = None,
                     site_ids: set[str] | None = None) -> list[Inspection]:
    """Inspections, oldest first, optionally for some townships or sites."""
    query = select(InspectionRow).order_by(InspectionRow.id)
    if townships is not None:
        query = query.where(InspectionRow.township.in_(townships))
    if site_ids is not None:
        query = query.where(InspectionRow.site_id.in_(site_ids))
    with store.session() as session:
        return [_inspection(row) for row in session.scalars(query)]


def latest_by_site(inspections: list[Inspection]) -> dict[str, Inspection]:
    """The current inspection of each site: the newest one that no later record corrects."""
    corrected = {i.corrects_id for i in inspections if i.corrects_id is not None}
    latest: dict[str, Inspection] = {}
    for item in inspections:
        if item.id not in corrected:
            latest[item.site_id] = item
    return latest


def site_measures(inspections: list[Inspection]) -> dict[str, SiteMeasures]:
    """Per site, the measures its current inspection found (the input of residual risk)."""
    return {site: SiteMeasures(measures(item.answers), f"巡查 #{item.id}（{item.day.isoformat()}，{item.inspector}）")
            for site, item in latest_by_site(inspections).items()}


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
    """Re-encode an uploaded photo as JPEG, at most 1600 px on its long side, without its metadata."""
    if len(data) > MAX_PHOTO_BYTES:
        raise InspectionError(f"照片太大（{len(data) / 1_048_576:.1f} MB），上限 {MAX_PHOTO_BYTES // 1_048_576} MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InspectionError("上传的文件不是可识别的图片（请拍照或选择 JPG/PNG 照片）") from exc
    upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=PHOTO_QUALITY, optimize=True)
    return out.getvalue()


def _save_photo(data_dir: Path, jpeg: bytes) -> str:
    digest = hashlib.sha256(jpeg).hexdigest()
    relative = Path("photos") / datetime.now(UTC).strftime("%Y/%m") / f"{digest}.jpg"
    path = data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(jpeg)
    tmp.replace(path)
    return str(relative)


def _device_point(device: DevicePosition | None) -> Point | None:
    if device is None:
        return None
    if not (-180 <= device.lon <= 180 and -90 <= device.lat <= 90):
        raise PositionError("设备定位坐标无效")
    return Point(device.lon, device.lat)


def _inspection(row: InspectionRow) -> Inspection:
    return Inspection(id=row.id, site_id=row.site_id, township=row.township, user_id=row.user_id,
                      inspector=row.inspector, created_at=_aware(row.created_at), answers=dict(row.answers),
                      problems=row.problems, action_taken=row.action_taken, note=row.note, photo=row.photo,
                      gps_lon=row.gps_lon, gps_lat=row.gps_lat, gps_accuracy_m=row.gps_accuracy_m,
                      distance_to_site_m=row.distance_to_site_m, presence=row.presence, corrects_id=row.corrects_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
