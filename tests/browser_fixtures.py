"""The browser tests' fixtures (a pytest plugin loaded by conftest): screenshots folder, Chromium, and an
app with one school placed. A test module may override ``browser`` or ``server`` with its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from school_water_map.settings import Settings
from tests.browser_support import StreamlitServer, chromium, screenshots_folder
from tests.placing import place


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """One app with 利通区第十一小学 placed (a school marker, derived water, popups linking to notices)."""
    root = tmp_path_factory.mktemp("app")
    place(Settings.from_env({"SWMAP_DATA_DIR": str(root / "data")}), "利通区第十一小学", 106.20, 37.98)
    running = StreamlitServer(root / "data", root / "streamlit.log").start()
    yield running
    running.stop()
