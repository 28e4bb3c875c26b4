from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import hypothesis
import pytest
import streamlit as st
from streamlit.testing.v1 import app_test as app_test_module

from school_water_map.domain.register import Register
from school_water_map.domain.users import User
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.database import Store, open_store
from tests.databases import fresh_database, postgres_server
from tests.helpers import PASSWORDS, REPO

pytest_plugins = ["tests.browser_fixtures"]

# In CI (CI=true) property-based tests run a fixed set of examples, so a submission's result is repeatable.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")

SEED = REPO.parent / "shared" / "seed" / "summer-safety-notice-and-annex.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on the repository's geodata with an empty, private data directory."""
    return Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server for this test session (see tests/databases.py)."""
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings with an empty store, once on SQLite (the default) and once on PostgreSQL."""
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})
    if request.param == "postgresql":
        url = fresh_database(request.getfixturevalue("postgres"), f"t_{uuid.uuid4().hex[:16]}")
        settings = replace(settings, database_url=url)
    return settings


@pytest.fixture(scope="session")
def register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    """The register with no recorded positions (read-only: do not record into its data dir)."""
    return build_register(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path_factory.mktemp("empty"))}))


@pytest.fixture
def app_settings(tmp_path, monkeypatch) -> Iterator[Settings]:
    """The app's settings: a private data directory, no 天地图 key, and no cached data from other tests."""
    monkeypatch.setenv("SWMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SWMAP_TIANDITU_KEY", raising=False)
    st.cache_data.clear()
    yield Settings.from_env()
    st.cache_data.clear()


@pytest.fixture
def store(db_settings: Settings) -> Store:
    """An empty store, on each back-end (see ``db_settings``)."""
    return open_store(db_settings)


@pytest.fixture
def patrol(store: Store) -> User:
    """A patrol of 板桥乡 in ``store``."""
    return add_user(store, "bq01", "secret-123", "patrol", township="板桥乡", display_name="李巡查")


@pytest.fixture
def accounts(app_settings: Settings) -> dict[str, User]:
    """The app's four accounts (passwords in ``tests.helpers.PASSWORDS``): an admin, patrols of 板桥乡 and
    金积镇, a viewer."""
    store = open_store(app_settings)
    return {
        "admin01": add_user(store, "admin01", PASSWORDS["admin01"], "admin", display_name="王局"),
        "bq01": add_user(store, "bq01", PASSWORDS["bq01"], "patrol", township="板桥乡", display_name="李巡查"),
        "look01": add_user(store, "look01", PASSWORDS["look01"], "viewer", display_name="赵查看"),
        "jj01": add_user(store, "jj01", PASSWORDS["jj01"], "patrol", township="金积镇"),
    }


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every media storage AppTest creates, so a test can read back the files the page handed out
    (``tests.app_support.media_file``)."""
    created: list = []

    class Recording(app_test_module.MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            created.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return created
