"""Positions from a file: read and check every row or feature (``io``), check each place (``domain.locate``),
then store all positions in one write, or none.
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from school_water_map.domain.entities import Resolution
from school_water_map.domain.locate import entity_id, prepare
from school_water_map.domain.patrol_place import rejection
from school_water_map.domain.positions import PositionRecord, PositionStore
from school_water_map.domain.users import ADMIN, ROLE_ZH, User
from school_water_map.errors import AuthError, GeometryImportError, PositionCsvError, PositionError, UnknownPlaceError
from school_water_map.io.geometry_import import geometry_requests, read_features
from school_water_map.io.position_csv import check_rows


def import_positions(data: bytes, resolution: Resolution, area: BaseGeometry, store: PositionStore, *,
                     author: str, source: str, precision: str = "surveyed",
                     user: User | None = None, filename: str = "文件") -> list[PositionRecord]:
    """Check every row (columns, coordinates, place, area, and the ``user``'s township when given),
    then store all rows in one write, or none. A file over the size or row limit is refused unread."""
    rows, problems = check_rows(data, author=author, source=source, precision=precision, filename=filename)
    records: list[PositionRecord] = []
    seen: dict[str, int] = {}
    for row in rows:
        try:
            ident = entity_id(resolution, row.request.entity)
            if ident in seen:
                raise PositionError(f"与第 {seen[ident]} 行是同一处（{ident}），一个文件中每处只能有一行")
            seen[ident] = row.line
            records.extend(prepare([row.request], resolution, area, user=user))
        except (PositionError, UnknownPlaceError, AuthError) as exc:
            problems.append((row.line, f"第 {row.line} 行：{exc}"))
    if problems:
        raise PositionCsvError([text for _, text in sorted(problems)])
    return store.add(records)


def reject_patrol_position(store: PositionStore, entity: str, *, reason: str, author: str,
                           user: User | None = None) -> PositionRecord:
    """The bureau rejects the position a patrol recorded for ``entity`` (``domain.patrol_place.rejection``):
    only an 管理员 (or anyone in open mode, ``user`` None). Gives the stored record."""
    if user is not None and user.role != ADMIN:
        raise AuthError(f"只有{ROLE_ZH[ADMIN]}可以否决巡查定位")
    (stored,) = store.add([rejection(store.history(entity), author=author, reason=reason)])
    return stored


def import_geometries(data: bytes, filename: str, resolution: Resolution, area: BaseGeometry,
                      store: PositionStore, *, author: str, crs: str = "WGS84",
                      precision: str = "surveyed") -> list[PositionRecord]:
    """Read, check every feature, then store all positions in one write (or none)."""
    features = read_features(data, filename)
    requests, problems = geometry_requests(features, resolution, crs=crs, author=author,
                                           source=f"文件导入：{filename}", precision=precision)
    records = []
    for request in requests:
        try:
            records.extend(prepare([request], resolution, area))
        except PositionError as exc:
            problems.append(str(exc))
    if problems:
        raise GeometryImportError(filename, problems)
    return store.add(records)
