"""The curated files the register is built on: the school and water-body registries (``geodata/``) and
the risk rules file, read here and checked by the pure ``domain`` parsers."""

from __future__ import annotations

import csv
from pathlib import Path

from school_water_map.domain.entities import Registry, registry_from_records
from school_water_map.domain.risk import Rules, parse_rules
from school_water_map.errors import RulesError


def load_registry(schools_path: Path, water_path: Path, *, district_adcode: str) -> Registry:
    """Read the curated school and water-body registries."""
    return registry_from_records(_records(schools_path), _records(water_path), district_adcode=district_adcode)


def load_rules(path: Path) -> Rules:
    """Read and check a rules file; a malformed one raises :class:`RulesError` naming the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"风险规则文件无法读取：{path}（{exc}）") from exc
    except UnicodeDecodeError as exc:
        raise RulesError(f"风险规则文件格式错误：{path}（{exc}）") from exc
    return parse_rules(text, source=str(path))


def _records(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
