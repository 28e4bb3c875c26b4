"""The register's read from the store: one transaction with one consistent view, on both back-ends."""

from __future__ import annotations

import threading

from shapely.geometry import Point
from sqlalchemy import func, select

from school_water_map.domain.positions import new_record
from school_water_map.pipeline.register import build_register, read_inputs
from school_water_map.store.database import open_store
from school_water_map.store.db.models import PositionRow
from school_water_map.store.snapshot import read_snapshot


def _position(entity_id: str, lon: float):
    return new_record(entity_id, Point(lon, 37.9), precision="surveyed", source="测试", author="张三",
                      method="click")


def _count(session) -> int:
    return int(session.scalar(select(func.count()).select_from(PositionRow)))


def _counts_around_a_commit(store, transaction) -> tuple[int, int, int]:
    """Positions counted in one transaction before and after another thread commits one, then after."""
    store.positions.add([_position("640302-S01", 106.20)])
    with transaction() as session:
        before = _count(session)
        writer = threading.Thread(target=store.positions.add, args=([_position("640302-S02", 106.21)],))
        writer.start()
        writer.join(timeout=60)
        assert not writer.is_alive()  # the reader does not block the writer
        during = _count(session)
    with store.session() as session:
        return before, during, _count(session)


def test_a_read_transaction_does_not_see_what_another_session_commits_meanwhile(db_settings):
    store = open_store(db_settings)
    assert _counts_around_a_commit(store, store.reading) == (1, 1, 2)


def test_a_plain_session_would_see_it_so_the_check_above_can_fail(db_settings):
    store = open_store(db_settings)
    assert _counts_around_a_commit(store, store.session) == (1, 2, 2)


def test_the_snapshot_holds_the_store_part_of_the_register(db_settings):
    store = open_store(db_settings)
    store.positions.add([_position("640302-S01", 106.20), _position("640302-S01", 106.22)])
    snapshot = read_snapshot(store)
    assert snapshot.annex is None and snapshot.inspections == []
    assert [p.geometry.x for p in snapshot.positions] == [106.20, 106.22]  # every record, oldest first
    inputs = read_inputs(db_settings)
    assert len(inputs.annex_rows) == 89 and inputs.positions == snapshot.positions  # the curated annex
    school = build_register(db_settings).schools.loc["640302-S01"]
    assert school["geometry"].x == 106.22 and school["precision"] == "surveyed"
