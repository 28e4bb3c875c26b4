"""The curated files the register is built on: the school and water-body registries (``geodata/``) and
the risk rules file, read here and checked by the pure ``domain`` parsers."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from school_water_map.domain.entities import Registry, registry_from_records
from school_water_map.domain.positions import SMALL_SCALE_UNCERTAINTY_M, PositionRecord
from school_water_map.domain.risk import Rules, parse_rules
from school_water_map.errors import RulesError
from school_water_map.geo.layers import RIVER_FILE, read_wgs84


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


#: Water bodies whose line ``geodata/`` already draws, by canonical name: the file and the rows to take.
REFERENCE_LINES = {"黄河": (RIVER_FILE, "wdb_level", 1)}
REFERENCE_SOURCE = ("geodata/{file}（GSHHG / World Data Bank II 河流，约 1:100万–1:300万）：小比例尺地图线，"
                    "距离误差约 1 公里")


def load_reference_positions(geodata_dir: Path, registry: Registry) -> list[PositionRecord]:
    """The lines ``geodata/`` has for the registry's water bodies (``REFERENCE_LINES``: 黄河), as positions of
    precision ``small_scale``, never recorded: a position a person records replaces them."""
    out = []
    for water in registry.waters:
        if water.name not in REFERENCE_LINES:
            continue
        file, column, value = REFERENCE_LINES[water.name]
        line = _reference_line(geodata_dir / file, column, value)
        out.append(PositionRecord(entity_id=water.water_id, wkt=line, precision="small_scale",
                                  source=REFERENCE_SOURCE.format(file=file), author="geodata", method="file",
                                  accuracy_m=SMALL_SCALE_UNCERTAINTY_M))
    return out


@cache
def _reference_line(path: Path, column: str, value: int) -> str:
    """The WKT of the file's rows where ``column == value``, merged (read once per process)."""
    frame = read_wgs84(path)
    return str(frame.loc[frame[column] == value].union_all().wkt)
