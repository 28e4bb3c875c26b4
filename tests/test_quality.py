"""Lint and type checks run with the tests (configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "ruff", "check", "."],
    [sys.executable, "-m", "mypy"],
])
def test_static_checks_pass(command):
    if shutil.which("ruff") is None and "ruff" in command:
        pytest.fail("ruff is not installed: pip install -r requirements.txt")
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
