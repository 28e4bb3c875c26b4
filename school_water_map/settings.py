"""One typed settings object, built explicitly from the environment (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from platformdirs import user_data_dir

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_GEODATA_DIR = PACKAGE_DIR.parent / "geodata"
DEFAULT_RULES_PATH = PACKAGE_DIR / "data" / "risk_rules.toml"


@dataclass(frozen=True)
class Settings:
    """Where things live and which district's annex is loaded.

    ``data_dir`` holds user data (recorded positions, later the database); ``geodata_dir`` holds the
    curated, read-only files shipped in the repository.
    """

    data_dir: Path
    geodata_dir: Path = REPO_GEODATA_DIR
    rules_path: Path = DEFAULT_RULES_PATH
    district_adcode: str = "640302"
    district_name: str = "利通区"
    annex_file: str = "litong_2021_annex.csv"
    schools_file: str = "litong_schools.csv"
    water_file: str = "litong_water_bodies.csv"

    @property
    def annex_path(self) -> Path:
        return self.geodata_dir / self.annex_file

    @property
    def schools_path(self) -> Path:
        return self.geodata_dir / self.schools_file

    @property
    def water_path(self) -> Path:
        return self.geodata_dir / self.water_file

    @property
    def positions_path(self) -> Path:
        return self.data_dir / "positions.json"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults, overridden by ``SWMAP_DATA_DIR``, ``SWMAP_GEODATA_DIR`` and ``SWMAP_RISK_RULES``."""
        env = os.environ if environ is None else environ
        settings = cls(data_dir=Path(env.get("SWMAP_DATA_DIR") or user_data_dir("school-water-map")))
        if env.get("SWMAP_GEODATA_DIR"):
            settings = replace(settings, geodata_dir=Path(env["SWMAP_GEODATA_DIR"]))
        if env.get("SWMAP_RISK_RULES"):
            settings = replace(settings, rules_path=Path(env["SWMAP_RISK_RULES"]))
        return settings
