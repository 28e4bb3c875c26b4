"""The hazard register: the annex read, resolved, placed, measured and ranked.

Pure: ``register_from`` takes everything already read (``RegisterInputs``; the reading is
``pipeline.register.build_register``), and ``assemble`` turns resolved entities and recorded positions
into the three tables every output uses: ``pairs`` (one row per
annex row, ranked), ``schools`` and ``waters`` (GeoDataFrames in WGS-84; unplaced rows have no
geometry).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point

from school_water_map.domain.annex import AnnexRow, parse_rows
from school_water_map.domain.derive import Derivation, derive_water_geometry
from school_water_map.domain.entities import (
    KIND_ZH,
    LEVEL_ZH,
    Pair,
    Registry,
    Resolution,
    WaterBody,
    resolve,
    site_id,
)
from school_water_map.domain.inspections import Inspection, site_measures
from school_water_map.domain.positions import PRECISION_ZH, SMALL_SCALE_UNCERTAINTY_M, PositionRecord, current_positions
from school_water_map.domain.risk import Facts, Rules, SiteMeasures, assess
from school_water_map.domain.tasks import Task, open_by_site, verified_measures
from school_water_map.geo.distance import Tolerance, disagrees, pair_distances, to_metric

WGS84 = "EPSG:4326"
NO_WATER_LEVEL = ("none", "无上报水域", 99)


@dataclass(frozen=True)
class Register:
    resolution: Resolution
    rules: Rules
    positions: Mapping[str, PositionRecord]
    pairs: pd.DataFrame
    schools: gpd.GeoDataFrame
    waters: gpd.GeoDataFrame
    derived: gpd.GeoDataFrame


@dataclass(frozen=True)
class RegisterInputs:
    """Everything the register is built from, read before any step runs (``pipeline.register``)."""

    annex_rows: Sequence[AnnexRow]
    aliases: Mapping[str, str]        # annex spelling → existing entity id (from applied annexes)
    registry: Registry                # the curated schools and water bodies
    positions: Sequence[PositionRecord]   # every recorded position, oldest first
    inspections: Sequence[Inspection]     # every inspection, oldest first
    rules: Rules
    district_adcode: str
    townships: Mapping[str, str] = field(default_factory=dict)        # school id → township assigned
    township_bases: Mapping[str, str] = field(default_factory=dict)   # school id → its 乡镇依据
    #: Lines from ``geodata/`` for water bodies (黄河), used until a position is recorded for them.
    reference_positions: Sequence[PositionRecord] = ()
    tasks: Sequence[Task] = ()        # every 整改任务 (verified ones count in residual risk)


def register_from(inputs: RegisterInputs) -> Register:
    """Parse, resolve, place, measure and rank (pure: everything comes in ``inputs``)."""
    exposures = parse_rows(inputs.annex_rows)                               # distances, directions, notes
    registry = inputs.registry.with_aliases(inputs.aliases)
    resolution = resolve(exposures, registry, district_adcode=inputs.district_adcode)
    assign_townships(resolution, inputs.townships, inputs.township_bases)   # the admins' assignments
    positions = {**current_positions(inputs.reference_positions),           # 黄河 from geodata, unless
                 **current_positions(inputs.positions)}                     # … who placed what, where
    measures = site_measures(list(inputs.inspections),                      # what patrols found in place,
                             verified_measures(inputs.tasks))               # … and tasks verified since
    return assemble(resolution, positions, inputs.rules, measures,
                    {site: [t.label for t in held] for site, held in open_by_site(inputs.tasks).items()})


def assign_townships(resolution: Resolution, townships: Mapping[str, str], bases: Mapping[str, str]) -> None:
    """Give each resolved school its assigned township (an assignment for a school not in the annex is
    left aside: it applies again once the school is)."""
    for school_id, township in townships.items():
        school = resolution.schools.get(school_id)
        if school is not None:
            resolution.schools[school_id] = replace(school, township=township,
                                                    township_basis=bases.get(school_id, "管理员指定"))


def assemble(resolution: Resolution, positions: Mapping[str, PositionRecord], rules: Rules,
             site_measures: Mapping[str, SiteMeasures] | None = None,
             open_tasks: Mapping[str, list[str]] | None = None) -> Register:
    """Place, measure and rank (pure: no files). ``site_measures`` (by site id) gives residual risk;
    ``open_tasks`` (by site id) the labels of its 整改任务 not yet closed."""
    schools = _school_frame(resolution, positions)                    # located schools, or unplaced
    derived = _derived_frame(resolution.pairs, schools)               # water placed from the annex
    waters = _water_frame(resolution, positions, derived)             # recorded, derived or unplaced
    computed = _computed_distances(resolution.pairs, schools, waters)  # both ends located
    pairs = _pair_frame(resolution, schools, waters, derived, computed, rules, site_measures or {})
    pairs["open_tasks"] = [list((open_tasks or {}).get(site, [])) if site else [] for site in pairs["site_id"]]
    return Register(resolution=resolution, rules=rules, positions=positions, pairs=pairs,
                    schools=schools, waters=waters, derived=derived)


def _school_frame(resolution: Resolution, positions: Mapping[str, PositionRecord]) -> gpd.GeoDataFrame:
    records = []
    for school in resolution.schools.values():
        pos = positions.get(school.school_id)
        geom = pos.geometry if pos else None
        records.append({
            "school_id": school.school_id, "name": school.name, "aliases": list(school.aliases),
            "level": school.level, "level_label": LEVEL_ZH.get(school.level, school.level),
            "township": school.township, "township_label": school.township_label,
            "township_basis": school.township_basis, "district_adcode": school.district_adcode,
            **_position_fields(pos), "lon": shapely.get_x(geom) if geom is not None else None,
            "lat": shapely.get_y(geom) if geom is not None else None, "note": school.note, "geometry": geom,
        })
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    return frame.set_index("school_id", drop=False).sort_index()


def _derived_frame(pairs: list[Pair], schools: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    records = []
    for pair in pairs:
        school_geom = schools.at[pair.school_id, "geometry"]
        if pair.water_id is None or school_geom is None:
            continue
        exposure = pair.exposure
        derivation: Derivation = derive_water_geometry(
            Point(shapely.get_x(school_geom), shapely.get_y(school_geom)), exposure.reported,
            distance_m=exposure.distance_m, distance_max_m=exposure.distance_max_m)
        records.append({"row": exposure.row, "school_id": pair.school_id, "water_id": pair.water_id,
                        "shape": derivation.shape, "explanation": derivation.explanation,
                        "geometry": derivation.geometry})
    frame = gpd.GeoDataFrame(records, columns=["row", "school_id", "water_id", "shape", "explanation", "geometry"],
                             geometry="geometry", crs=WGS84)
    return frame.set_index("row", drop=False)


def _water_frame(resolution: Resolution, positions: Mapping[str, PositionRecord],
                 derived: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    seasonal = {p.water_id for p in resolution.pairs if p.exposure.note.seasonal}
    derived_ids = set(derived.loc[derived.geometry.notna(), "water_id"])
    records = []
    for water in resolution.waters.values():
        pos = positions.get(water.water_id)
        fields = _position_fields(pos)
        if pos is None and water.water_id in derived_ids:
            fields.update(precision="derived", precision_label=PRECISION_ZH["derived"],
                          source="由已定位学校按附件方向与距离推算")
        records.append({
            "water_id": water.water_id, "name": water.name, "aliases": list(water.aliases),
            "kind": water.kind, "kind_label": KIND_ZH[water.kind], "kind_basis": water.kind_basis,
            "seasonal": water.water_id in seasonal, "scope_school_id": water.scope_school_id,
            "review": water.review, "district_adcode": water.district_adcode, **fields,
            "geometry": pos.geometry if pos else None,
        })
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    return frame.set_index("water_id", drop=False).sort_index()


def _position_fields(pos: PositionRecord | None) -> dict[str, object]:
    if pos is None:
        return {"precision": "unplaced", "precision_label": PRECISION_ZH["unplaced"], "source": None,
                "author": None, "recorded_at": None, "method": None}
    return {"precision": pos.precision, "precision_label": PRECISION_ZH[pos.precision], "source": pos.source,
            "author": pos.author, "recorded_at": pos.recorded_at, "method": pos.method}


def _computed_distances(pairs: list[Pair], schools: gpd.GeoDataFrame, waters: gpd.GeoDataFrame) -> pd.Series:
    rows = [p for p in pairs if p.water_id is not None
            and schools.at[p.school_id, "geometry"] is not None and waters.at[p.water_id, "geometry"] is not None]
    if not rows:
        return pd.Series(dtype="float64")
    index = [p.exposure.row for p in rows]
    school_geoms = gpd.GeoSeries([schools.at[p.school_id, "geometry"] for p in rows], index=index, crs=WGS84)
    water_geoms = gpd.GeoSeries([waters.at[p.water_id, "geometry"] for p in rows], index=index, crs=WGS84)
    metric_schools = to_metric(school_geoms)
    return pair_distances(metric_schools, water_geoms.to_crs(metric_schools.crs))


def _pair_frame(resolution: Resolution, schools: gpd.GeoDataFrame, waters: gpd.GeoDataFrame,
                derived: gpd.GeoDataFrame, computed: pd.Series, rules: Rules,
                site_measures: Mapping[str, SiteMeasures]) -> pd.DataFrame:
    tolerance = Tolerance(metres=rules.tolerance_m, ratio=rules.tolerance_ratio)
    records = []
    for pair in resolution.pairs:
        exposure, school = pair.exposure, resolution.schools[pair.school_id]
        water = resolution.waters[pair.water_id] if pair.water_id else None
        reported_min = exposure.distance_m if exposure.distance_m is not None else (0.0 if exposure.reported.at_gate
                                                                                    else None)
        computed_m = float(computed[exposure.row]) if exposure.row in computed.index else None
        coarse = pair.water_id is not None and waters.at[pair.water_id, "precision"] == "small_scale"
        allowed = replace(tolerance, metres=tolerance.metres + SMALL_SCALE_UNCERTAINTY_M) if coarse else tolerance
        flag = (computed_m is not None and reported_min is not None
                and disagrees(computed_m, reported_min, exposure.distance_max_m, allowed))
        site = site_id(school.school_id, pair.water_id) if pair.water_id else None
        record: dict[str, object] = {
            "row": exposure.row, "site_id": site, "school_id": school.school_id, "school": school.name,
            "school_text": exposure.source.school, "water_id": pair.water_id,
            "water": water.name if water else exposure.source.water, "water_text": exposure.source.water,
            "water_kind": water.kind if water else None, "water_kind_label": KIND_ZH[water.kind] if water else None,
            "distance_text": exposure.source.distance_text, "distance_m": exposure.distance_m,
            "distance_max_m": exposure.distance_max_m, "approximate": exposure.reported.approximate,
            "directions": list(exposure.reported.directions), "at_gate": exposure.reported.at_gate,
            "seasonal": exposure.note.seasonal, "note": exposure.source.note, "note_kind_hint": exposure.note.kind_hint,
            "township": school.township, "township_label": school.township_label, "school_level": school.level,
            "computed_distance_m": computed_m, "distance_disagrees": flag,
            "school_precision": schools.at[school.school_id, "precision"],
            "water_precision": _water_precision(exposure.row, pair.water_id, waters, derived),
        }
        facts = (exposure.reported.at_gate, exposure.distance_m, computed_m, water, school.level,
                 exposure.note.seasonal)
        record.update(_risk_fields(*facts, rules))
        found = site_measures.get(site) if site else None
        residual = _risk_fields(*facts, rules, measures=found.measures) if found else {
            k: record[k] for k in ("risk_level", "risk_level_label", "risk_rank", "risk_score", "reasons")}
        record.update({f"residual_{k.removeprefix('risk_')}": v for k, v in residual.items()})
        record["residual_basis"] = found.basis if found else "尚无巡查记录"
        records.append(record)
    frame = pd.DataFrame(records)
    frame = frame.sort_values(["risk_rank", "risk_score", "row"], ascending=[True, False, True], kind="stable")
    return frame.reset_index(drop=True)


def _water_precision(row: int, water_id: str | None, waters: gpd.GeoDataFrame, derived: gpd.GeoDataFrame) -> str:
    if water_id is None:
        return "unplaced"
    own = waters.at[water_id, "geometry"]
    if own is not None:
        return str(waters.at[water_id, "precision"])
    if row in derived.index and derived.at[row, "geometry"] is not None:
        return "derived"
    return "unplaced"


def _risk_fields(at_gate: bool, reported_m: float | None, computed_m: float | None, water: WaterBody | None,
                 school_level: str, seasonal: bool, rules: Rules, *,
                 measures: Mapping[str, bool] | None = None) -> dict[str, object]:
    if water is None:
        code, label, rank = NO_WATER_LEVEL
        return {"risk_level": code, "risk_level_label": label, "risk_rank": rank, "risk_score": 0.0,
                "reasons": [{"code": "no_water", "points": 0.0, "text": "附件未列出该校周边水域"}]}
    candidates = [(d, src) for d, src in ((reported_m, "上报"), (computed_m, "实测")) if d is not None]
    distance, source = min(candidates) if candidates else (None, "上报")
    result = assess(Facts(distance_m=distance, at_gate=at_gate, kind=water.kind, seasonal=seasonal,
                          school_level=school_level, distance_source=source, measures=measures), rules)
    return {"risk_level": result.level, "risk_level_label": result.level_label, "risk_rank": result.rank,
            "risk_score": result.score,
            "reasons": [{"code": r.code, "points": r.points, "text": r.text} for r in result.reasons]}
