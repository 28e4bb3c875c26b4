"""Cold start: the first opens of a fresh store, all at once, migrate it exactly once and all succeed.

Threads of one process (the app's sessions after a restart), separate processes (the app and a
``swmap`` command), and the app itself with 10 browsers loading its first page together.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from playwright.sync_api import expect
from sqlalchemy import text

from school_water_map.settings import Settings
from school_water_map.store import database as store_module
from school_water_map.store.database import MIGRATIONS, Store, open_store
from tests.browser_support import StreamlitServer, chromium, open_page

THREADS = 16
PROCESSES = 6
BROWSERS = 10
WAIT_S = 120  # a bound, not a speed target: a deadlock fails the test instead of hanging it


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _versions(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_concurrent_first_opens_in_one_process_all_succeed_and_migrate_once(db_settings, monkeypatch):
    upgrades: list[str] = []
    real_upgrade = store_module._upgrade

    def counted(engine):
        real_upgrade(engine)
        upgrades.append(str(engine.url))

    monkeypatch.setattr(store_module, "_upgrade", counted)
    start = threading.Barrier(THREADS)
    opened: list[Store] = []
    failures: list[BaseException] = []

    def first_visit() -> None:
        start.wait()
        try:
            opened.append(open_store(db_settings))
        except Exception as exc:  # collected and asserted on below
            failures.append(exc)

    threads = [threading.Thread(target=first_visit, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not [t for t in threads if t.is_alive()], "first opens still waiting (deadlocked migrations)"
    assert failures == []
    assert len(opened) == THREADS and len({id(s) for s in opened}) == 1  # one store, shared
    assert len(upgrades) == 1
    assert _versions(opened[0]) == [_head()]


def _migrate_in_a_process(settings: Settings, start, results) -> None:  # a spawned process: no fixtures
    start.wait()
    try:
        results.put(("ok", _versions(open_store(settings))))
    except Exception as exc:  # reported to the test
        results.put(("failed", repr(exc)))


def test_separate_processes_migrating_the_same_fresh_store_all_succeed(db_settings):
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=_migrate_in_a_process, args=(db_settings, start, results))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=WAIT_S) for _ in processes]
    for process in processes:
        process.join(timeout=WAIT_S)
    assert outcomes == [("ok", [_head()])] * PROCESSES


def test_a_lock_file_beside_the_sqlite_database_serialises_migrations(settings):
    open_store(settings)
    assert (settings.data_dir / "swmap.db.lock").exists()


@pytest.mark.browser
def test_ten_first_visits_after_a_restart_all_get_the_app(tmp_path: Path):
    server = StreamlitServer(tmp_path / "data", tmp_path / "streamlit.log").start()  # fresh: no swmap.db yet
    try:
        assert not (tmp_path / "data" / "swmap.db").exists()
        with chromium() as browser:
            pages = [open_page(browser, (1024, 768))[0] for _ in range(BROWSERS)]
            for page in pages:  # every session starts before the first has migrated
                page.goto(server.url, wait_until="commit")
            for page in pages:
                expect(page.get_by_role("heading", name="学校周边危险水域地图", level=1)).to_be_visible()
                assert page.locator("[data-testid='stException']").count() == 0
                assert page.locator("[data-testid='stAlertContentError']").count() == 0
                assert "Traceback" not in page.locator("[data-testid='stMain']").inner_text()
    finally:
        server.stop()
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "KeyError" not in log
