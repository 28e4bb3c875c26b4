"""Step one of every notice: the context, a frozen dataclass holding every word and number it prints.

The builders read only the register, the notice configuration and (for a located school's map
extract) the context layers, all passed in; they compute nothing about risk themselves but copy the
register's levels and reasons. ``render`` turns a context into a PDF and computes nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from school_water_map.domain.checklist import CHECKLIST, CheckItem
from school_water_map.domain.entities import KIND_ZH, LEVEL_ZH, TOWNSHIP_UNKNOWN, TOWNSHIPS, site_id
from school_water_map.domain.owners import TOWNSHIP, VILLAGE, WATER
from school_water_map.domain.positions import PRECISION_ZH
from school_water_map.domain.register import Register
from school_water_map.domain.reported import AZIMUTH, COMPASS_ZH, format_metres
from school_water_map.domain.risk import Rules
from school_water_map.domain.sites import Site, find_site, site_url, sites
from school_water_map.errors import UnknownPlaceError
from school_water_map.geo.layers import ContextLayers
from school_water_map.notices.config import Contact, NoticeConfig
from school_water_map.notices.diagram import DiagramMark
from school_water_map.notices.mapextract import MapExtract, build_map_extract
from school_water_map.notices.responsible import Responsible, others, school_safety, site_contact
from school_water_map.settings import DEFAULT_RULES_PATH

ANNEX_SOURCE = ("利通区人民政府办公室《关于做好2021年暑期学生安全防范管理工作的通知》（吴利政办发〔2021〕45号）"
                "附件《利通区学校周边水域排查情况公示表》")
GEODATA_SOURCE = "区界、黄河：本项目 geodata 目录中的公开数据（来源与许可见其 README）。"
UNKNOWN_TOWNSHIP_TITLE = "乡镇待确认"
_UNKNOWN_KEYS = frozenset({TOWNSHIP_UNKNOWN, UNKNOWN_TOWNSHIP_TITLE, "unknown"})


@dataclass(frozen=True)
class Notes:
    """说明: the rules, sources, precision of positions and the date, printed at the end of a document."""

    levels: tuple[str, ...]
    bands: tuple[str, ...]
    other_rules: tuple[str, ...]
    rules_source: str
    sources: tuple[str, ...]
    precision: tuple[str, ...]
    assumptions: tuple[str, ...]
    generated: str              # 2026年6月1日
    generated_on: date


@dataclass(frozen=True)
class WaterLine:
    number: int
    row: int
    name: str                   # canonical name, with the annex's wording when it differs
    canonical: str              # the register's name
    annex_name: str             # the annex's wording when it differs (else "")
    kind: str
    where: str                  # direction and distance, in words
    annex_text: str             # the annex's distance cell, verbatim
    risk_level: str
    risk_label: str
    risk_colour: str
    reasons: tuple[str, ...]
    note: str
    responsible: tuple[Responsible, ...] = ()   # the site's own 属地乡镇 责任人, 村（社区）, 水体管理单位


@dataclass(frozen=True)
class SchoolLetter:
    """致家长告知书."""

    school_id: str
    school: str
    township_label: str
    township_known: bool
    waters: tuple[WaterLine, ...]
    marks: tuple[DiagramMark, ...]
    not_drawn: tuple[str, ...]
    map_extract: MapExtract | None
    located: bool
    township_contact: Contact
    district_contact: Contact
    school_phone: str
    notes: Notes
    school_safety: Responsible | None = None    # 学校安全负责人


@dataclass(frozen=True)
class SiteNotice:
    """危险水域警示告示."""

    site_id: str
    water: str                  # canonical name
    water_annex: str            # the annex's wording when it differs (else "")
    kind: str
    school: str
    where: str
    township_label: str
    township_known: bool
    contact: Contact                # 责任单位 / 责任人 / 监督电话
    risk_label: str
    risk_colour: str
    url: str | None
    notes: Notes
    others: tuple[Responsible, ...] = ()   # 村（社区）, 水体管理单位


@dataclass(frozen=True)
class SheetEntry:
    """One filled inspection on a sheet (the patrol work will supply these; none exist yet)."""

    when: str
    inspector: str
    answers: Mapping[str, str]   # checklist item code → option code
    problems: str = ""


@dataclass(frozen=True)
class SheetRow:
    number: int
    site_id: str
    water: str
    kind: str
    school: str
    where: str
    risk_label: str
    risk_colour: str
    entries: tuple[SheetEntry, ...] = ()
    responsible: tuple[Responsible, ...] = ()
    open_tasks: tuple[str, ...] = ()  # the site's 整改任务 not yet closed (labels)


@dataclass(frozen=True)
class TownshipSheet:
    """乡镇巡查表: blank, or filled for a date range once patrols exist."""

    township_label: str
    township_known: bool
    rows: tuple[SheetRow, ...]
    items: tuple[CheckItem, ...]
    schools_without_water: tuple[str, ...]
    contact: Contact
    period: str | None
    notes: Notes = field(repr=False)


def school_letter(register: Register, config: NoticeConfig, school_key: str, *, today: date,
                  layers: ContextLayers | None = None, annex_source: str = ANNEX_SOURCE) -> SchoolLetter:
    """The letter to parents of one school (by id, name or alias)."""
    school = register.resolution.school(school_key)
    info = register.schools.loc[school.school_id]
    recs = [r for r in _pair_records(register) if r["school_id"] == school.school_id and r["water_id"]]
    levels = {lv.code: lv.colour for lv in register.rules.levels}
    own_sites = {s.site_id: s for s in _sites(register) if s.school_id == school.school_id}
    pair_sites = [own_sites.get(site_id(str(r["school_id"]), str(r["water_id"]))) for r in recs]
    waters = tuple(_water_line(n, r, levels, _responsible(config, site))
                   for n, (r, site) in enumerate(zip(recs, pair_sites, strict=True), start=1))
    marks = tuple(_mark(line.number, r, line.risk_colour) for line, r in zip(waters, recs, strict=True))
    not_drawn = tuple(f"{line.number}. {line.name}（附件：“{line.annex_text}”）：距离待核查，图中未画出"
                      for line, mark in zip(waters, marks, strict=True) if mark.distance_m is None)
    extract = build_map_extract(register, school.school_id, layers,
                                numbers={w.row: w.number for w in waters},
                                colours={w.row: w.risk_colour for w in waters})
    township_contact = config.township(school.township) if school.township else config.district
    precision = (f"本校位置：{_precision_text(info)}",
                 *(f"{line.number}. {line.name}：{PRECISION_ZH.get(str(r['water_precision']), '未定位')}"
                   for line, r in zip(waters, recs, strict=True)))
    rows = "、".join(str(r["row"]) for r in sorted(recs, key=lambda r: int(r["row"]))) or _no_water_row(
        register, school.school_id)
    return SchoolLetter(
        school_id=school.school_id, school=school.name, township_label=school.township_label,
        township_known=school.township is not None, waters=waters, marks=marks, not_drawn=not_drawn,
        map_extract=extract, located=info["geometry"] is not None, township_contact=township_contact,
        district_contact=config.district, school_phone=config.school_phone(school.school_id, school.name),
        school_safety=school_safety(config, next(iter(own_sites.values()), None)),
        notes=_notes(register.rules, today=today, precision=precision,
                     sources=(f"学校与水域：{annex_source}，第 {rows} 行。", GEODATA_SOURCE),
                     assumptions=_letter_assumptions(has_diagram=bool(waters), has_map=extract is not None)),
    )


def site_notice(register: Register, config: NoticeConfig, site_key: str, *, today: date, base_url: str,
                annex_source: str = ANNEX_SOURCE) -> SiteNotice:
    """The warning notice for one site (by site id)."""
    site = find_site(_sites(register), site_key)
    rec = _by_row(register)[site.row]
    levels = {lv.code: lv.colour for lv in register.rules.levels}
    school_info = register.schools.loc[site.school_id]
    precision = (f"学校位置：{_precision_text(school_info)}",
                 f"水域位置：{PRECISION_ZH.get(str(rec['water_precision']), '未定位')}")
    return SiteNotice(
        site_id=site.site_id, water=site.water, water_annex=_annex_name(rec),
        kind=site.water_kind_label, school=site.school,
        where=_where(rec), township_label=site.township_label, township_known=site.township is not None,
        contact=site_contact(config, site), others=others(config, site),
        risk_label=site.risk_level_label, risk_colour=levels.get(site.risk_level, "#555555"),
        url=site_url(base_url, site.site_id),
        notes=_notes(register.rules, today=today, precision=precision,
                     sources=(f"点位：{annex_source}，第 {'、'.join(map(str, site.rows))} 行。",),
                     assumptions=("点位是附件所列“学校—水域”的一对；水域位置以附件上报的方向和距离为准，现场以实际为准。",)),
    )


def township_sheet(register: Register, config: NoticeConfig, township_key: str, *, today: date,
                   inspections: Mapping[str, Sequence[SheetEntry]] | None = None,
                   period: tuple[date, date] | None = None, annex_source: str = ANNEX_SOURCE) -> TownshipSheet:
    """The patrol sheet of one township (or of the schools whose township is 待确认).

    Blank by default. Extension point for patrols: pass ``inspections`` (site id → filled entries) and the
    ``period`` they cover, and the same sheet prints as a filled report.
    """
    township = resolve_township(township_key)
    levels = {lv.code: lv.colour for lv in register.rules.levels}
    own = [s for s in _sites(register) if s.township == township]
    by_row = _by_row(register)
    rows = tuple(_sheet_row(n, site, by_row[site.row], levels, (inspections or {}).get(site.site_id, ()),
                            _responsible(config, site)) for n, site in enumerate(own, start=1))
    no_water = tuple(str(r["school"]) for r in _pair_records(register)
                     if not r["water_id"] and r["township"] == township)
    label = township or UNKNOWN_TOWNSHIP_TITLE
    school_ids = sorted({s.school_id for s in own})
    located = sum(register.schools.at[i, "geometry"] is not None for i in school_ids)
    precision = (f"本表学校 {len(school_ids)} 所，已定位 {located} 所；点位位置以附件上报的方向和距离为准",)
    return TownshipSheet(
        township_label=label, township_known=township is not None, rows=rows, items=CHECKLIST,
        schools_without_water=no_water, contact=config.township(township) if township else config.district,
        period=f"{_date_zh(period[0])}至{_date_zh(period[1])}" if period else None,
        notes=_notes(register.rules, today=today, precision=precision,
                     sources=(f"点位：{annex_source}（每对“学校—水域”为一个点位）。",),
                     assumptions=_sheet_assumptions(township is None)),
    )


def resolve_township(key: str) -> str | None:
    """A township by name or short name (``板桥`` → 板桥乡); None for 待确认; raises UnknownPlaceError."""
    wanted = key.strip()
    if wanted in _UNKNOWN_KEYS:
        return None
    if wanted in TOWNSHIPS:
        return wanted
    matches = [t for t in TOWNSHIPS if wanted and t.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    raise UnknownPlaceError("乡镇", key)


def townships_for_sheets(register: Register) -> list[str]:
    """The township keys with at least one site, in TOWNSHIPS order, then 乡镇待确认 if any school needs it."""
    present = {s.township for s in _sites(register)}
    keys = [t for t in TOWNSHIPS if t in present]
    return [*keys, UNKNOWN_TOWNSHIP_TITLE] if None in present else keys


def _responsible(config: NoticeConfig, site: Site | None) -> tuple[Responsible, ...]:
    """A site's own named roles: 属地乡镇 (only where the site names its own), 村（社区）, 水体管理单位."""
    return others(config, site, (TOWNSHIP, VILLAGE, WATER)) if site is not None else ()


def _water_line(number: int, rec: Mapping[str, Any], levels: Mapping[str, str],
                responsible: tuple[Responsible, ...] = ()) -> WaterLine:
    return WaterLine(
        number=number, row=int(rec["row"]), name=_water_name(rec), canonical=str(rec["water"]),
        annex_name=_annex_name(rec), kind=str(rec["water_kind_label"]),
        where=_where(rec), annex_text=str(rec["distance_text"]), risk_level=str(rec["risk_level"]),
        risk_label=str(rec["risk_level_label"]), risk_colour=levels.get(str(rec["risk_level"]), "#555555"),
        reasons=tuple(str(reason["text"]) for reason in rec["reasons"]), note=str(rec["note"] or ""),
        responsible=responsible,
    )


def _sheet_row(number: int, site: Site, rec: Mapping[str, Any], levels: Mapping[str, str],
               entries: Sequence[SheetEntry], responsible: tuple[Responsible, ...]) -> SheetRow:
    return SheetRow(number=number, site_id=site.site_id, water=_water_name(rec), kind=site.water_kind_label,
                    school=site.school, where=_where(rec), risk_label=site.risk_level_label,
                    risk_colour=levels.get(site.risk_level, "#555555"), entries=tuple(entries),
                    responsible=responsible, open_tasks=tuple(rec.get("open_tasks") or ()))


def _mark(number: int, rec: Mapping[str, Any], colour: str) -> DiagramMark:
    distance = rec["distance_m"]
    if distance is None and rec["at_gate"]:
        distance = 0.0
    return DiagramMark(number=number, azimuths=tuple(AZIMUTH[d] for d in rec["directions"]),
                       distance_m=distance, distance_max_m=rec["distance_max_m"], colour=colour)


def _water_name(rec: Mapping[str, Any]) -> str:
    annex = _annex_name(rec)
    return f"{rec['water']}（附件写作“{annex}”）" if annex else str(rec["water"])


def _annex_name(rec: Mapping[str, Any]) -> str:
    text = str(rec["water_text"] or "")
    return text if text != str(rec["water"]) else ""


def _where(rec: Mapping[str, Any]) -> str:
    """Direction and distance in words: 北 400 米, 10 米（方向未报）, 校门口, 南（距离待核查）."""
    directions = "、".join(COMPASS_ZH[d] for d in rec["directions"])
    lo, hi = rec["distance_m"], rec["distance_max_m"]
    distance = ""
    if lo is not None:
        distance = f"{'约' if rec.get('approximate') else ''}{format_metres(lo)}"
        distance += f"～{format_metres(hi)} 米" if hi is not None and hi > lo else " 米"
    if rec["at_gate"]:
        return f"{directions}校门口 {distance}".strip() if distance else f"{directions}校门口"
    if directions and distance:
        return f"{directions} {distance}"
    if distance:
        return f"{distance}（方向未报）"
    return f"{directions}（距离待核查）" if directions else "距离待核查"


def _notes(rules: Rules, *, today: date, precision: Sequence[str], sources: Sequence[str],
           assumptions: Sequence[str]) -> Notes:
    levels = tuple(f"{lv.label}：得分 ≥ {lv.min_score:g}" if lv.min_score is not None
                   else f"{lv.label}：{rules.unknown_label}" for lv in rules.levels)
    bands = tuple(f"{b.label} +{b.points:g}" for b in rules.bands)
    by_points = sorted(rules.kind_points.items(), key=lambda kv: -kv[1])
    kinds = "、".join(f"{KIND_ZH.get(k, k)} +{v:g}" for k, v in by_points)
    other = (f"{rules.zone_label} +{rules.zone_points:g}", f"水体类型：{kinds}",
             f"{rules.seasonal_label.split('：')[0]} +{rules.seasonal_points:g}",
             "学生年龄：" + "、".join(f"{LEVEL_ZH.get(k, k)} +{v:g}" for k, v in rules.age_points.items()))
    source = Path(rules.source)
    rules_source = ("默认规则 risk_rules.toml" if source.resolve() == DEFAULT_RULES_PATH.resolve()
                    else f"自定义规则文件 {source.name}")
    return Notes(levels=levels, bands=bands, other_rules=other, rules_source=rules_source, sources=tuple(sources),
                 precision=tuple(precision), assumptions=tuple(assumptions), generated=_date_zh(today),
                 generated_on=today)


def _letter_assumptions(*, has_diagram: bool, has_map: bool) -> tuple[str, ...]:
    out = ["距离和方向为附件上报值（学校到水域的大致距离），不是测量值；实际情况以现场为准。"]
    if has_diagram:
        out.append("方位示意图不是地图：半径按距离的平方根缩放（近处放大、远处压缩），以便 10 米和 3 公里都能看清；"
                   "圆圈为 200 米、1 公里、3 公里；未报方向的水域画为该距离处的虚线圆；"
                   "3 公里以外的水域画在边缘并加箭头。")
    if has_map:
        out.append("位置图按比例绘制（以学校为中心）；虚线标记为按附件方向和距离推算的位置，并非实测。")
    return tuple(out)


def _sheet_assumptions(unknown: bool) -> tuple[str, ...]:
    out = ["每个点位为附件所列“学校—水域”的一对，按风险从高到低排列；同一条渠在不同学校附近为不同点位。",
           "勾选方框即可；发现问题请在“问题及处理”栏写明并及时上报。"]
    if unknown:
        out.insert(0, "以下学校的属地乡镇尚未确认：请区教育局确认后分派到乡镇，确认前由区教育局组织巡查。")
    return tuple(out)


def _precision_text(info: pd.Series) -> str:
    label = PRECISION_ZH.get(str(info["precision"]), "未定位")
    source = info.get("source")
    return f"{label}（来源：{source}）" if isinstance(source, str) and source else label


def _no_water_row(register: Register, school_id: str) -> str:
    rows = [str(r["row"]) for r in _pair_records(register) if r["school_id"] == school_id]
    return "、".join(rows) or "—"


def _by_row(register: Register) -> dict[int, dict[str, Any]]:
    return {int(r["row"]): r for r in _pair_records(register)}


def _sites(register: Register) -> list[Site]:
    return _derived(register)[0]


def _pair_records(register: Register) -> list[dict[str, Any]]:
    return _derived(register)[1]


_last: tuple[weakref.ref[pd.DataFrame], list[Site], list[dict[str, Any]]] | None = None


def _derived(register: Register) -> tuple[list[Site], list[dict[str, Any]]]:
    """The register's sites and pair records (read, never changed), kept for the last register seen: a
    batch builds one context per school or site from the same register."""
    global _last
    last = _last
    if last is None or last[0]() is not register.pairs:
        last = _last = (weakref.ref(register.pairs), sites(register), _records(register.pairs))
    return last[1], last[2]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with pandas' missing values (NaN, NA) turned into None."""
    return [{str(k): (None if not isinstance(v, (list, tuple, dict)) and pd.isna(v) else v) for k, v in rec.items()}
            for rec in frame.to_dict("records")]


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"

