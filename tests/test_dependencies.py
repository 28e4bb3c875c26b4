"""The dependency lock: every package named in the floors is pinned with hashes in requirements.txt."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
FLOORS = ("requirements-runtime.txt", "requirements-test.txt")


def _floors() -> list[Requirement]:
    found = []
    for name in FLOORS:
        for line in (REPO / name).read_text(encoding="utf-8").splitlines():
            text = line.split("#", 1)[0].strip()
            if text:
                found.append(Requirement(text))
    return found


def _locked() -> dict[str, tuple[str, int]]:
    """name → (pinned version, number of hashes) from requirements.txt."""
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    locked = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9._\-\[\]]+)==([^\s;\\]+)", block)
        if match:
            name = canonicalize_name(match.group(1).split("[")[0])
            locked[name] = (match.group(2), block.count("--hash=sha256:"))
    return locked


def test_every_floor_is_locked_with_hashes_at_a_version_it_allows():
    locked = _locked()
    for requirement in _floors():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements.txt: run bash tools/lock_requirements.sh"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
        assert hashes >= 1, f"{name} has no hash"


def test_the_lock_pins_everything_and_installs_nothing_editable():
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    requirement_lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert requirement_lines and all("==" in line for line in requirement_lines)
    assert "-e " not in text  # hash-checking mode cannot install an editable project
