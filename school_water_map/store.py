"""The store: the only writer of user data. SQLite in the data directory by default (WAL mode), or
PostgreSQL when ``SWMAP_DATABASE_URL`` is set. Opening it runs the Alembic migrations.

Positions recorded before the database existed (``positions.json``) are moved in on first open, with
their history and record ids, and the file is renamed ``positions.json.imported``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from school_water_map.db.models import AnnexRowRecord, InspectionRow, PositionRow
from school_water_map.errors import DataFileError
from school_water_map.positions import PositionFile, PositionRecord, current_positions
from school_water_map.settings import Settings

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "db" / "migrations"


class Store:
    """An open database: a session factory plus the data directory for files (photos)."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.positions = DbPositionStore(self)

    def version(self) -> tuple[int, int, int]:
        """Changes whenever a position or an inspection is recorded or an annex applied (a cache key)."""
        with self.session() as session:
            positions = session.scalar(select(func.max(PositionRow.record_id))) or 0
            inspections = session.scalar(select(func.max(InspectionRow.id))) or 0
            annexes = session.scalar(select(func.max(AnnexRowRecord.id))) or 0
        return positions, inspections, annexes

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back (nothing written) on any error."""
        with self._sessions.begin() as session:
            yield session


def open_store(settings: Settings) -> Store:
    """The store for these settings: connected, migrated, old ``positions.json`` moved in (once per process)."""
    url = settings.database_url or f"sqlite:///{settings.data_dir / 'swmap.db'}"
    return _open(url, settings.data_dir, settings.positions_path)


@functools.lru_cache(maxsize=16)
def _open(url: str, data_dir: Path, positions_path: Path) -> Store:
    engine = make_engine(url)
    migrate(engine)
    store = Store(engine, data_dir)
    _import_position_file(store, positions_path)
    return store


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise DataFileError(f"无法打开数据库（{engine.url.render_as_string(hide_password=True)}）") from exc


class DbPositionStore:
    """Recorded positions in the database (a ``positions.PositionStore``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self) -> list[PositionRecord]:
        with self._store.session() as session:
            rows = session.scalars(select(PositionRow).order_by(PositionRow.record_id)).all()
            return [_record(row) for row in rows]

    def add(self, records: Sequence[PositionRecord]) -> list[PositionRecord]:
        """Append records in one transaction: all are stored, or none."""
        with self._store.session() as session:
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                session.execute(select(func.pg_advisory_xact_lock(7_302_640)))  # one writer at a time
            latest: dict[str, int] = {}
            stored = []
            for record in records:
                if record.entity_id not in latest:
                    previous = session.scalar(select(func.max(PositionRow.record_id))
                                              .where(PositionRow.entity_id == record.entity_id))
                    if previous is not None:
                        latest[record.entity_id] = previous
                fields = {k: v for k, v in asdict(record).items() if k != "record_id"}
                fields["supersedes"] = latest.get(record.entity_id)
                row = PositionRow(**fields)
                session.add(row)
                session.flush()
                latest[record.entity_id] = row.record_id
                stored.append(replace(record, record_id=row.record_id, supersedes=fields["supersedes"]))
            return stored

    def history(self, entity_id: str) -> list[PositionRecord]:
        with self._store.session() as session:
            rows = session.scalars(select(PositionRow).where(PositionRow.entity_id == entity_id)
                                   .order_by(PositionRow.record_id)).all()
            return [_record(row) for row in rows]

    def current(self) -> dict[str, PositionRecord]:
        return current_positions(self.load())


def _record(row: PositionRow) -> PositionRecord:
    return PositionRecord(entity_id=row.entity_id, wkt=row.wkt, precision=row.precision, source=row.source,
                          author=row.author, method=row.method, recorded_at=row.recorded_at,
                          input_crs=row.input_crs, input_text=row.input_text, accuracy_m=row.accuracy_m,
                          note=row.note, record_id=row.record_id, supersedes=row.supersedes, extra=dict(row.extra))


def _import_position_file(store: Store, path: Path) -> None:
    if not path.exists():
        return
    records = PositionFile(path).load()
    with store.session() as session:
        if session.scalar(select(func.count()).select_from(PositionRow)):
            log.warning("%s exists but the database already has positions: left in place", path)
            return
        for record in records:
            session.add(PositionRow(**asdict(record)))
        session.flush()
        if session.bind is not None and session.bind.dialect.name == "postgresql" and records:
            session.execute(text("SELECT setval(pg_get_serial_sequence('positions', 'record_id'), "
                                 "(SELECT max(record_id) FROM positions))"))
    path.rename(path.with_name(path.name + ".imported"))
    log.info("moved %d positions from %s into the database", len(records), path)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")  # patrol records must survive a power cut
    cursor.close()
