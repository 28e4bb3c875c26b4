"""The package's layers (README "Code layout"): the import contracts hold, a wrong import breaks them,
and the pure core loads none of the heavy or side-effecting libraries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(no_cache=True, no_logo=True))")
#: What the pure layers must not load: the database, migrations, images, password hashing, drawing, the app.
HEAVY = ("sqlalchemy", "alembic", "PIL", "argon2", "folium", "branca", "streamlit", "requests", "weasyprint")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", LINT], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _loaded(module: str) -> list[str]:
    script = (f"import sys, json, {module}\n"
              f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120,
                         check=True).stdout
    loaded: list[str] = json.loads(out)
    return loaded


def test_the_import_contracts_hold():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


def test_a_domain_module_importing_the_store_breaks_the_layers(tmp_path):
    """The same contracts on a copy of the package in which ``domain.sites`` imports the store."""
    shutil.copytree(REPO / "school_water_map", tmp_path / "school_water_map",
                    ignore=shutil.ignore_patterns("__pycache__", "fonts", "data", "migrations"))
    shutil.copytree(REPO / "app_pages", tmp_path / "app_pages", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    sites = tmp_path / "school_water_map" / "domain" / "sites.py"
    sites.write_text(sites.read_text(encoding="utf-8") + "\nfrom school_water_map.store import database  # wrong\n",
                     encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "school_water_map.domain is not allowed to import school_water_map.store" in result.stdout
    assert "school_water_map.domain.sites -> school_water_map.store.database" in result.stdout


@pytest.mark.parametrize("module", ["school_water_map.domain.register", "school_water_map.domain.sites",
                                    "school_water_map.domain.patrol", "school_water_map.domain.inspections",
                                    "school_water_map.geo.distance"])
def test_the_pure_core_loads_no_database_image_hash_map_or_app_library(module):
    assert _loaded(module) == []


def test_the_store_does_load_the_database_so_the_check_can_fail():
    assert "sqlalchemy" in _loaded("school_water_map.store.database")


def test_the_package_has_no_import_cycle_not_even_through_type_only_imports():
    import grimp  # installed with import-linter

    graph = grimp.build_graph("school_water_map", include_external_packages=False)
    cycles = sorted({tuple(sorted((module, imported))) for module in graph.modules
                     for imported in graph.find_modules_directly_imported_by(module)
                     if graph.chain_exists(importer=imported, imported=module)})
    assert cycles == []
