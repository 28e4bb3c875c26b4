"""The store: the only writer of user data. SQLite in the data directory by default (WAL mode), or
PostgreSQL when ``SWMAP_DATABASE_URL`` is set. Opening it runs the Alembic migrations, exactly once:
under a process-wide lock (Alembic's ``context`` is a module global: two threads migrating at once break
each other) and a cross-process one (a file lock beside ``swmap.db``; ``pg_advisory_lock`` on PostgreSQL).
A database that cannot be opened is reported in Chinese with its cause (``failures.describe``).

Positions recorded before the database existed (``positions.json``) are moved in on first open, with
their history and record ids, and the file is renamed ``positions.json.imported``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from school_water_map.domain.positions import PositionRecord, current_positions
from school_water_map.errors import DataFileError, StoredTextError
from school_water_map.failures import describe
from school_water_map.settings import Settings, database_url
from school_water_map.store.db.models import (
    AnnexRowRecord,
    InspectionRow,
    OwnerRow,
    PositionRow,
    TaskEventRow,
    TownshipAssignmentRow,
)
from school_water_map.store.position_file import PositionFile

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "db" / "migrations"
MIGRATION_LOCK_KEY = 7_302_699  # pg_advisory_lock while migrating (taken: 7_302_640 positions, 7_302_641 logins)
MIGRATION_LOCK_TIMEOUT_S = 300  # waiting longer for another process's migration is a failure
#: Chinese names of the stored text fields, for the NUL refusal (others are named by their column).
FIELD_ZH = {"source": "来源", "author": "录入人", "note": "备注", "input_text": "输入内容", "username": "用户名",
            "display_name": "姓名", "township": "乡镇", "inspector": "巡查人", "problems": "发现的问题",
            "action_taken": "采取的措施", "name": "名称", "address": "地址", "query": "查询内容",
            "decided_by": "确认人", "applied_by": "应用人", "entity_id": "编号", "site_id": "地点编号",
            "key": "设置项", "value": "设置值", "photo": "照片"}
_LOCK = threading.RLock()  # one open or migration at a time in this process
OPEN_STORES = 16  # stores kept open per process (tests open many)
#: The store's data version: the newest row id of each kind of user data (``Store.version``).
DataVersion = tuple[int, ...]
_STORES: OrderedDict[tuple[str, Path, Path], Store] = OrderedDict()


class Store:
    """An open database: a session factory plus the data directory for files (photos)."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _refuse_nul)
        self.positions = DbPositionStore(self)

    def version(self) -> DataVersion:
        """Changes whenever a position or an inspection is recorded, an annex applied, a school's township
        assigned, a 责任人 changed or a 整改任务 changed (a cache key)."""
        with self.session() as session:
            positions = session.scalar(select(func.max(PositionRow.record_id))) or 0
            inspections = session.scalar(select(func.max(InspectionRow.id))) or 0
            annexes = session.scalar(select(func.max(AnnexRowRecord.id))) or 0
            townships = session.scalar(select(func.max(TownshipAssignmentRow.id))) or 0
            owners = session.scalar(select(func.max(OwnerRow.id))) or 0
            tasks = session.scalar(select(func.max(TaskEventRow.id))) or 0
        return positions, inspections, annexes, townships, owners, tasks

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back (nothing written) on any error."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read transaction with one consistent view: every query in it sees the same committed data,
        whatever other sessions commit meanwhile (PostgreSQL: REPEATABLE READ; SQLite: an explicit BEGIN,
        which pysqlite would not send before a SELECT)."""
        with self._sessions.begin() as session:
            connection = session.connection()
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            elif connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN")
            yield session


def open_store(settings: Settings) -> Store:
    """The store for these settings: connected, migrated, old ``positions.json`` moved in (once per process).

    Concurrent first calls wait for the one that opens it; a failure is not kept (the next call tries
    again) and raises ``DataFileError`` naming the database and the cause in Chinese."""
    url = database_url(settings.database_url) or f"sqlite:///{settings.data_dir / 'swmap.db'}"
    key = (url, settings.data_dir, settings.positions_path)
    with _LOCK:
        store = _STORES.get(key) or _open(*key)
        _STORES[key] = store
        _STORES.move_to_end(key)
        while len(_STORES) > OPEN_STORES:  # like the lru_cache before: a dropped store's pool closes with it
            _STORES.popitem(last=False)
    return store


def _open(url: str, data_dir: Path, positions_path: Path) -> Store:
    engine: Engine | None = None
    try:
        engine = make_engine(url)
        with migration_lock(engine):
            _upgrade(engine)
            store = Store(engine, data_dir)
            _import_position_file(store, positions_path)
    except (OSError, SQLAlchemyError) as exc:
        if engine is not None:
            engine.dispose()
        raise DataFileError(f"无法打开数据库（{_where(url)}）：{describe(exc)}") from exc
    return store


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (under ``migration_lock``)."""
    with migration_lock(engine):
        _upgrade(engine)


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the lock that makes migrations run one at a time: in this process (a thread lock) and across
    processes (a file lock beside the SQLite file, or a PostgreSQL advisory lock on its own connection)."""
    with _LOCK:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            database = Path(str(engine.url.database))
            with FileLock(database.with_name(database.name + ".lock"), timeout=MIGRATION_LOCK_TIMEOUT_S):
                yield
        elif engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execute(select(func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
                connection.commit()
                try:
                    yield
                finally:
                    with contextlib.suppress(SQLAlchemyError):  # a broken connection drops the lock anyway
                        connection.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
                        connection.commit()
        else:
            yield


def _upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _where(url: str) -> str:
    """The database for a person: the SQLite file's name or PostgreSQL's host, port and database (never a
    server path or a password)."""
    if url.startswith("sqlite"):
        return f"数据目录中的 {Path(url.removeprefix('sqlite:///')).name}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "PostgreSQL"
    return f"PostgreSQL {parsed.host or '本机'}:{parsed.port or 5432}/{parsed.database or ''}"


def _refuse_nul(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush: refuse text holding a NUL character on every back-end (PostgreSQL cannot store it),
    naming the field and the record, so nothing is written."""
    for row in [*session.new, *session.dirty]:
        for column in inspect(row).mapper.column_attrs:
            value = getattr(row, column.key, None)
            if isinstance(value, str) and "\x00" in value:
                label = FIELD_ZH.get(column.key, column.key)
                owner = next((str(getattr(row, k)) for k in ("entity_id", "site_id", "username")
                              if isinstance(getattr(row, k, None), str) and k != column.key), "")
                where = f"（{owner}）" if owner else ""
                raise StoredTextError(f"“{label}”{where}中含有空字符（U+0000），无法保存：请删除该字符后重试")


class DbPositionStore:
    """Recorded positions in the database (a ``positions.PositionStore``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self) -> list[PositionRecord]:
        with self._store.session() as session:
            rows = session.scalars(select(PositionRow).order_by(PositionRow.record_id)).all()
            return [position_record(row) for row in rows]

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
            return [position_record(row) for row in rows]

    def current(self) -> dict[str, PositionRecord]:
        return current_positions(self.load())


def position_record(row: PositionRow) -> PositionRecord:
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
