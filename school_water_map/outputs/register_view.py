"""The register as people read it: filters, a Chinese table, and CSV/XLSX downloads.

``filter_pairs`` narrows the ranked pairs (township, risk level, water kind, distance, a name search)
keeping their order; ``pair_table`` turns them into the table shown and downloaded, with Chinese
headers and the reasons spelled out; ``to_csv_bytes``/``to_xlsx_bytes`` write it for Excel and WPS
(through ``spreadsheet``, which keeps text from running as a formula).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from school_water_map.domain.positions import PRECISION_ZH
from school_water_map.domain.reported import COMPASS_ZH, format_metres
from school_water_map.outputs.spreadsheet import csv_bytes, xlsx_bytes

#: Distance choices: code → (label, upper bound in metres or None, only pairs with no known distance).
DISTANCE_CHOICES: dict[str, tuple[str, float | None, bool]] = {
    "all": ("全部距离", None, False),
    "le_50": ("50 米以内（含校门口）", 50.0, False),
    "le_200": ("200 米以内（学校安全区域）", 200.0, False),
    "le_1000": ("1000 米以内", 1000.0, False),
    "le_3000": ("3000 米以内", 3000.0, False),
    "unknown": ("未报距离", None, True),
}

#: Table columns: header → how it is read from a pair.
#: 风险 is the level from the annex's facts (上报风险); 措施后风险 takes the measures the latest patrol found
#: in place into account, and 措施后依据 says which inspection (or 尚无巡查记录).
COLUMNS = ("序号", "风险", "措施后风险", "得分", "学校", "水体", "水体类型", "上报距离", "方向", "计算距离（米）",
           "距离核对", "乡镇", "原因", "措施后依据", "未销号整改", "学校位置", "水体位置", "备注")


@dataclass(frozen=True)
class PairFilter:
    townships: Collection[str] | None = None  # township labels (待确认 included); None = all
    levels: Collection[str] | None = None  # risk level codes; None = all
    kinds: Collection[str] | None = None  # water kind codes; None = all
    distance: str = "all"  # a key of DISTANCE_CHOICES
    search: str = ""  # part of a school or water name, as written or canonical


def filter_pairs(pairs: pd.DataFrame, spec: PairFilter) -> pd.DataFrame:
    """The pairs that pass every filter, in their ranked order."""
    keep = pd.Series(True, index=pairs.index)
    if spec.townships is not None:
        keep &= pairs["township_label"].isin(list(spec.townships))
    if spec.levels is not None:
        keep &= pairs["risk_level"].isin(list(spec.levels))
    if spec.kinds is not None:
        keep &= pairs["water_kind"].isin(list(spec.kinds))
    _, limit, unknown_only = DISTANCE_CHOICES[spec.distance]
    if unknown_only or limit is not None:
        nearest = pd.Series([effective_distance(p) for p in pairs.to_dict("records")], index=pairs.index,
                            dtype="float64")
        keep &= (nearest.isna() & pairs["water_id"].notna()) if unknown_only else (nearest.notna() & (nearest <= limit))
    needle = spec.search.strip().casefold()
    if needle:
        names = pairs[["school", "school_text", "water", "water_text"]].fillna("").astype(str)
        keep &= names.apply(lambda col: col.str.casefold().str.contains(needle, regex=False)).any(axis=1)
    return pairs.loc[keep]


def effective_distance(pair: Mapping[Any, Any]) -> float | None:
    """The nearest known distance of a pair in metres: reported (0 at the gate) or computed; None if none."""
    candidates = [_number(pair.get("distance_m")), _number(pair.get("computed_distance_m"))]
    if pair.get("at_gate"):
        candidates.append(0.0)
    known = [d for d in candidates if d is not None]
    return min(known) if known else None


def pair_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs as a Chinese table (one row per annex row, same order), indexed by annex row."""
    records = [_table_row(pair) for pair in pairs.to_dict("records")]
    table = pd.DataFrame(records, columns=list(COLUMNS))
    table.index = pd.Index([int(r) for r in pairs["row"]], name="row") if len(pairs) else pd.Index([], name="row")
    return table


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    return "；".join(f"{r['text']}（{r['points']:+g}）" for r in reasons)


def directions_text(directions: list[str]) -> str:
    return "、".join(COMPASS_ZH[d] for d in directions)


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """The register table as CSV for Excel and WPS (see :func:`school_water_map.outputs.spreadsheet.csv_bytes`)."""
    return csv_bytes(table)


def to_xlsx_bytes(table: pd.DataFrame, *, sheet: str = "隐患清单") -> bytes:
    """The register table as an Excel workbook (see :func:`school_water_map.outputs.spreadsheet.xlsx_bytes`)."""
    return xlsx_bytes({sheet: table})


def _table_row(pair: Mapping[Any, Any]) -> dict[str, Any]:
    computed = _number(pair.get("computed_distance_m"))
    check = "不符，需核查" if pair.get("distance_disagrees") else ("一致" if computed is not None else "")
    return {
        "序号": int(pair["row"]), "风险": pair["risk_level_label"],
        "措施后风险": pair.get("residual_level_label") or pair["risk_level_label"],
        "得分": _plain_number(pair["risk_score"]),
        "学校": pair["school"], "水体": pair["water"] if pair.get("water_id") else "（无）",
        "水体类型": pair.get("water_kind_label") or "", "上报距离": pair.get("distance_text") or "",
        "方向": directions_text(pair.get("directions") or []),
        "计算距离（米）": format_metres(round(computed)) if computed is not None else "", "距离核对": check,
        "乡镇": pair["township_label"], "原因": reasons_text(pair.get("reasons") or []),
        "措施后依据": pair.get("residual_basis") or "",
        "未销号整改": "；".join(pair.get("open_tasks") or []),
        "学校位置": PRECISION_ZH.get(pair["school_precision"], pair["school_precision"]),
        "水体位置": PRECISION_ZH.get(pair["water_precision"], pair["water_precision"]) if pair.get("water_id") else "",
        "备注": pair.get("note") or "",
    }


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _plain_number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number
