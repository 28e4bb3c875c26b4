"""The register's tables as plain records, for JSON and CSV output (the CLI's documented formats)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from school_water_map.domain.register import Register
from school_water_map.outputs.spreadsheet import safe_cell

PAIR_FIELDS = ("row", "school_id", "school", "water_id", "water", "distance_text", "distance_m", "distance_max_m",
               "approximate", "directions", "at_gate", "seasonal", "note", "township", "water_kind",
               "risk_level", "risk_level_label", "risk_score", "reasons", "computed_distance_m",
               "distance_disagrees", "school_precision", "water_precision", "school_text", "water_text")
SCHOOL_FIELDS = ("school_id", "name", "aliases", "level", "level_label", "township", "township_basis",
                 "district_adcode", "precision", "lon", "lat", "source", "author", "recorded_at")
WATER_FIELDS = ("water_id", "name", "aliases", "kind", "kind_label", "kind_basis", "seasonal", "scope_school_id",
                "review", "district_adcode", "precision", "source", "author", "recorded_at")


def pair_records(register: Register) -> list[dict[str, Any]]:
    """One record per annex row, ranked by risk."""
    return _records(register.pairs, PAIR_FIELDS)


def school_records(register: Register) -> list[dict[str, Any]]:
    return _records(register.schools, SCHOOL_FIELDS)


def water_records(register: Register) -> list[dict[str, Any]]:
    return _records(register.waters, WATER_FIELDS)


def to_json(records: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=2) + "\n"


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    """CSV with lists joined by ``|`` and reasons by ``；`` (Chinese readers open it in Excel/WPS).

    Text a spreadsheet would run as a formula gets a leading ``'`` (``outputs.spreadsheet.safe_cell``).
    """
    buffer = io.StringIO()
    if not records:
        return ""
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: safe_cell(flat_value(value)) for key, value in record.items()})
    return buffer.getvalue()


def _records(frame: pd.DataFrame, fields: Sequence[str]) -> list[dict[str, Any]]:
    return [{name: _plain(row[name]) for name in fields} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def flat_value(value: Any) -> Any:
    """A list as text for a flat table: reasons joined by ``；`` with their points, other lists by ``|``."""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "；".join(f"{v['text']}（{v['points']:+g}）" for v in value)
        return "|".join(map(str, value))
    return "" if value is None else value
