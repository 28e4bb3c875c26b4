from __future__ import annotations

from pathlib import Path

from school_water_map.settings import DEFAULT_RULES_PATH, REPO_GEODATA_DIR, Settings


def test_defaults_keep_user_data_out_of_geodata():
    settings = Settings.from_env({})
    assert settings.geodata_dir == REPO_GEODATA_DIR and settings.rules_path == DEFAULT_RULES_PATH
    assert "school-water-map" in str(settings.data_dir)
    assert REPO_GEODATA_DIR not in settings.positions_path.parents


def test_environment_overrides(tmp_path):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "d"), "SWMAP_RISK_RULES": "/x/r.toml",
                                  "SWMAP_GEODATA_DIR": str(tmp_path / "g")})
    assert settings.positions_path == tmp_path / "d" / "positions.json"
    assert settings.rules_path == Path("/x/r.toml")
    assert settings.annex_path == tmp_path / "g" / "litong_2021_annex.csv"
