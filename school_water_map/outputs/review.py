"""What a person still has to locate or check, as tables for the 定位与校核 page (pure: a register in).

``to_place`` lists schools and water bodies in the order worth placing them (unplaced schools with
the riskiest pairs first: placing a school also places its water bodies by derivation);
``review_tables`` gives the four lists of the page: unplaced schools, water bodies without their own
position, unconfirmed positions, and distance disagreements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from school_water_map.domain.patrol_place import SOURCE as PATROL_SOURCE
from school_water_map.domain.register import Register

KIND_SCHOOL = "school"
KIND_WATER = "water"


@dataclass(frozen=True)
class ToPlace:
    """A school or water body that can be located, with the label shown in the picker."""

    entity_id: str
    kind: str  # "school" or "water"
    name: str
    precision: str
    label: str


def to_place(register: Register) -> list[ToPlace]:
    """Every school and water body: schools first, unplaced and riskiest first, then water bodies."""
    best_rank = register.pairs.groupby("school_id")["risk_rank"].min()
    schools = register.schools.assign(_placed=register.schools["precision"] != "unplaced",
                                      _rank=best_rank.reindex(register.schools.index).fillna(99))
    schools = schools.reset_index(drop=True).sort_values(["_placed", "_rank", "school_id"], kind="stable")
    out = [ToPlace(s.school_id, KIND_SCHOOL, s.name, s.precision,
                     f"学校｜{s.name}（{s.township_label}，{s.precision_label}）") for s in schools.itertuples()]
    waters = register.waters.assign(_own=register.waters["geometry"].notna())
    waters = waters.reset_index(drop=True).sort_values(["_own", "water_id"], kind="stable")
    out += [ToPlace(w.water_id, KIND_WATER, w.name, w.precision,
                      f"水体｜{w.name}（{w.kind_label}，{w.precision_label}）") for w in waters.itertuples()]
    return out


def placed_counts(register: Register) -> str:
    """``已定位 12/40 所学校，3/51 处水体``: schools with a position, water bodies with one of their own."""
    schools, waters = register.schools, register.waters
    placed = int((schools["precision"] != "unplaced").sum())
    own = int(waters["geometry"].notna().sum())
    return f"已定位 {placed}/{len(schools)} 所学校，{own}/{len(waters)} 处水体"


def next_to_place(register: Register, after: str) -> str | None:
    """The place to locate after ``after``: the riskiest unplaced school, then the first water body without a
    position of its own (None when everything is placed)."""
    for candidate in to_place(register):
        own = (register.schools if candidate.kind == KIND_SCHOOL else register.waters).at[candidate.entity_id,
                                                                                            "geometry"]
        if candidate.entity_id != after and own is None:
            return candidate.entity_id
    return None


def review_tables(register: Register) -> dict[str, pd.DataFrame]:
    """The five review lists, titled in Chinese, each a small table with Chinese headers. 巡查定位 lists the
    positions patrols recorded at their sites (``domain.patrol_place``) for the bureau to check."""
    pairs, schools, waters = register.pairs, register.schools, register.waters
    rows_per_school = pairs.groupby("school_id")["row"].apply(lambda rows: "、".join(map(str, sorted(rows))))
    unplaced = schools[schools["precision"] == "unplaced"]
    schools_at = pairs.dropna(subset=["water_id"]).groupby("water_id")["school"].apply(
        lambda names: "、".join(dict.fromkeys(names)))
    no_own = waters[waters["geometry"].isna()]
    unconfirmed = _positions(schools, waters, lambda frame: frame["precision"] == "geocoded")
    by_patrol = _positions(schools, waters, lambda frame: frame["source"].fillna("").str.startswith(PATROL_SOURCE))
    disagree = pairs[pairs["distance_disagrees"]]
    return {
        "未定位的学校": pd.DataFrame({
            "编号": unplaced["school_id"], "学校": unplaced["name"], "乡镇": unplaced["township_label"],
            "附件行": rows_per_school.reindex(unplaced.index).fillna("")}),
        "没有自身位置的水体": pd.DataFrame({
            "编号": no_own["water_id"], "水体": no_own["name"], "类型": no_own["kind_label"],
            "现状": no_own["precision_label"], "涉及学校": schools_at.reindex(no_own.index).fillna("")}),
        "未确认的位置": pd.DataFrame({
            "编号": unconfirmed["id"], "类别": unconfirmed["kind"], "名称": unconfirmed["name"],
            "来源": unconfirmed["source"], "录入人": unconfirmed["author"], "时间": unconfirmed["recorded_at"]}),
        "巡查定位": pd.DataFrame({
            "编号": by_patrol["id"], "类别": by_patrol["kind"], "名称": by_patrol["name"],
            "来源": by_patrol["source"], "录入人": by_patrol["author"], "时间": by_patrol["recorded_at"]}),
        "距离不符": pd.DataFrame({
            "序号": disagree["row"], "学校": disagree["school"], "水体": disagree["water"],
            "上报距离": disagree["distance_text"],
            "计算距离（米）": disagree["computed_distance_m"].map(lambda d: f"{float(d):.0f}")}),
    }


def _positions(schools: pd.DataFrame, waters: pd.DataFrame,
               chosen: Callable[[pd.DataFrame], pd.Series]) -> pd.DataFrame:
    """The schools and water bodies ``chosen`` picks, as one table (id, name, source, author, when, kind)."""
    columns = ["name", "source", "author", "recorded_at"]
    return pd.concat([
        schools.loc[chosen(schools), ["school_id", *columns]].rename(columns={"school_id": "id"}).assign(kind="学校"),
        waters.loc[chosen(waters), ["water_id", *columns]].rename(columns={"water_id": "id"}).assign(kind="水体"),
    ])
