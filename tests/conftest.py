from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import hypothesis
import pytest
import streamlit as st

from school_water_map.domain.register import Register, build_register
from school_water_map.settings import Settings
from tests.databases import fresh_database, postgres_server

pytest_plugins = ["tests.browser_fixtures"]

# In CI (CI=true) property-based tests run a fixed set of examples, so a submission's result is repeatable.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
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
