from __future__ import annotations

from pathlib import Path

import pytest

from school_water_map.register import Register, build_register
from school_water_map.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "summer-safety-notice-and-annex.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on the repository's geodata with an empty, private data directory."""
    return Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture(scope="session")
def register() -> Register:
    """The register with no recorded positions (read-only: do not record into its data dir)."""
    return build_register(Settings.from_env({"SWMAP_DATA_DIR": "/nonexistent/swmap-test-data"}))
