"""The data-quality report (``swmap check``): what is still missing to put every pair on the map.

``findings`` builds the structured report from a register (pure); ``render_text`` writes it in
Chinese for a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from school_water_map.domain.entities import KIND_ZH, TOWNSHIP_UNKNOWN
from school_water_map.domain.register import Register
from school_water_map.geo.distance import pairs_within, to_metric


@dataclass(frozen=True)
class Section:
    title: str
    items: list[str] = field(default_factory=list)
    hint: str = ""


@dataclass(frozen=True)
class Findings:
    headline: str
    sections: list[Section]
    summary: list[str]


def findings(register: Register) -> Findings:
    """Everything a person must still do or decide, grouped by kind of problem."""
    pairs = register.pairs
    water_pairs = pairs[pairs["water_id"].notna()]
    schools, waters = register.schools, register.waters
    unplaced_schools = schools[schools["precision"] == "unplaced"]
    own_geometry = waters["geometry"].notna()
    sections = [
        Section("未定位的学校", [
            f"{s.school_id} {s.name}（{s.township_label}；附件 {_count(pairs, 'school_id', s.school_id)} 行）"
            for s in unplaced_schools.itertuples()],
            "定位方法：在“定位与校核”页点选地图、输入坐标或用平板GPS；或 swmap locate 命令。"),
        Section("没有自身几何的水体（只能推算或未定位）", [
            f"{w.water_id} {w.name}（{KIND_ZH[w.kind]}，{w.precision_label}）"
            for w in waters[~own_geometry].itertuples()],
            "为渠、沟、河录入实测线位或面，才能计算学校到水体的实际距离。"),
        Section("存疑名称（需人工核实，未自动合并）", [
            f"{w.water_id} {w.name}：{w.review}" for w in waters.itertuples() if w.review]
            + [f"{s.school_id} {s.name}：{s.note}" for s in schools.itertuples() if "新增" in (s.note or "")]),
        Section("未报距离（需实地核查）", [
            f"第 {p.row} 行 {p.school} — {p.water}：“{p.distance_text or '空'!s}”"
            for p in water_pairs.itertuples() if p.risk_level == "survey"]),
        Section("计算距离与上报距离不符", [
            f"第 {p.row} 行 {p.school} — {p.water}：上报“{p.distance_text}”，计算 {p.computed_distance_m:.0f} 米"
            for p in water_pairs.itertuples() if p.distance_disagrees],
            f"容差：{register.rules.tolerance_m:.0f} 米或上报距离的 {register.rules.tolerance_ratio:.0%}，取较大者。"),
        Section(f"附件未列出、但在学校 {register.rules.zone_radius_m:.0f} 米内的水体", [
            f"{register.schools.at[s, 'name']} — {register.waters.at[w, 'name']}：{d:.0f} 米"
            for s, w, d in unlisted_nearby(register).itertuples(index=False)],
            "已定位的学校附近有已录入几何的水体，但附件未列出这一对：请核实是否应补入隐患清单。"),
        Section("备注所示类型与名录不一致", [
            f"第 {p.row} 行 {p.water}：备注提示“{KIND_ZH[p.note_kind_hint]}”，名录为“{p.water_kind_label}”"
            for p in water_pairs.itertuples()
            if isinstance(p.note_kind_hint, str) and p.note_kind_hint != p.water_kind]),
        Section("乡镇待确认的学校（巡查属地）", [
            f"{s.school_id} {s.name}" for s in schools.itertuples() if s.township_label == TOWNSHIP_UNKNOWN]),
    ]
    placeable = water_pairs[water_pairs["risk_level"] != "survey"]
    unplaced_water_pairs = water_pairs[water_pairs["water_precision"] == "unplaced"]
    summary = [
        f"附件 {len(pairs)} 行：{len(water_pairs)} 对学校—水体，{len(pairs) - len(water_pairs)} 所学校未报水域。",
        f"学校 {len(schools)} 所，已定位 {len(schools) - len(unplaced_schools)} 所；"
        f"水体 {len(waters)} 处，有自身几何 {int(own_geometry.sum())} 处。",
        f"地图上还不能画出的水体位置：{len(unplaced_water_pairs)} 对。",
        f"定位全部学校后，可按附件方向与距离推算 {len(placeable)} 对的水体位置；"
        f"其余 {len(water_pairs) - len(placeable)} 对未报距离，须实地核查。",
    ]
    headline = (f"{_district(register)}学校周边水域数据核查：附件 {len(pairs)} 行，"
                f"学校 {len(schools)} 所，水体 {len(waters)} 处")
    return Findings(headline=headline, sections=sections, summary=summary)


def unlisted_nearby(register: Register) -> pd.DataFrame:
    """Located water within the school zone of a located school, where the annex lists no such pair."""
    schools = register.schools[register.schools.geometry.notna()]
    waters = register.waters[register.waters.geometry.notna()]
    columns = ["school_id", "water_id", "distance_m"]
    if schools.empty or waters.empty:
        return pd.DataFrame(columns=columns)
    metric_schools = to_metric(schools)
    metric_waters = waters.to_crs(metric_schools.crs)
    close = pairs_within(metric_schools.geometry.values, metric_waters.geometry.values, register.rules.zone_radius_m)
    found = pd.DataFrame({"school_id": schools.index.to_numpy()[close["point"]],
                          "water_id": waters.index.to_numpy()[close["feature"]],
                          "distance_m": close["distance_m"].to_numpy()})
    listed = set(zip(register.pairs["school_id"], register.pairs["water_id"], strict=True))
    keep = [(s, w) not in listed for s, w in zip(found["school_id"], found["water_id"], strict=True)]
    return found.loc[keep, columns].sort_values(["school_id", "distance_m"]).reset_index(drop=True)


def render_text(report: Findings) -> str:
    """The report as plain Chinese text."""
    numerals = "一二三四五六七八九十"
    lines = [report.headline, ""]
    for number, section in zip(numerals, report.sections, strict=False):
        lines.append(f"{number}、{section.title}（{len(section.items)}）")
        lines.extend(f"  - {item}" for item in section.items)
        if not section.items:
            lines.append("  无")
        if section.hint and section.items:
            lines.append(f"  提示：{section.hint}")
        lines.append("")
    lines.append("小结")
    lines.extend(f"  {line}" for line in report.summary)
    return "\n".join(lines) + "\n"


def _count(pairs: pd.DataFrame, column: str, value: str) -> int:
    return int((pairs[column] == value).sum())


def _district(register: Register) -> str:
    adcodes = {s.district_adcode for s in register.resolution.schools.values()}
    return "利通区" if adcodes == {"640302"} else "、".join(sorted(adcodes))
