"""Next year's annex against the active one: pairs added and removed, distances changed, renames, new names.

Pairs are compared by their resolved (school id, water id), so a spelling change does not look like a
removal plus an addition. A school the registry does not know, whose waters and distances largely
match those of a school that vanished, is reported as a rename of that school (and, when applied, the
new spelling becomes an alias of the old id, so recorded positions carry over). Water bodies likewise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from school_water_map.domain.annex import AnnexRow, Exposure, parse_rows
from school_water_map.domain.entities import Pair, Registry, Resolution, name_key, resolve

#: Share of a vanished school's (water, distance) rows a new name must repeat to count as a rename.
RENAME_OVERLAP = 0.5


@dataclass(frozen=True)
class PairChange:
    school: str
    water: str
    old_row: int | None = None
    new_row: int | None = None
    old_text: str | None = None
    new_text: str | None = None


@dataclass(frozen=True)
class Rename:
    entity_id: str
    old: str
    new: str


@dataclass
class AnnexDiff:
    added: list[PairChange] = field(default_factory=list)
    removed: list[PairChange] = field(default_factory=list)
    distance_changed: list[PairChange] = field(default_factory=list)
    schools_renamed: list[Rename] = field(default_factory=list)
    water_renamed: list[Rename] = field(default_factory=list)
    new_schools: list[str] = field(default_factory=list)
    new_water: list[str] = field(default_factory=list)

    @property
    def aliases(self) -> dict[str, str]:
        """The renames as spelling → existing id (what applying the annex records)."""
        return {r.new: r.entity_id for r in [*self.schools_renamed, *self.water_renamed]}

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())


def diff_annex(old: Resolution, new_rows: Sequence[AnnexRow], registry: Registry, *,
               district_adcode: str) -> AnnexDiff:
    """Compare a new annex (rows) with the active one (already resolved)."""
    exposures = parse_rows(new_rows)
    first = resolve(exposures, registry, district_adcode=district_adcode)
    school_renames = _school_renames(old, first)
    registry = registry.with_aliases({r.new: r.entity_id for r in school_renames})
    second = resolve(exposures, registry, district_adcode=district_adcode)
    water_renames = _water_renames(old, second)
    new = resolve(exposures, registry.with_aliases({r.new: r.entity_id for r in water_renames}),
                  district_adcode=district_adcode)
    out = AnnexDiff(schools_renamed=school_renames, water_renamed=water_renames)
    _compare_pairs(old, new, out)
    known_schools = {s.school_id for s in registry.schools} | set(old.schools)
    known_water = {w.water_id for w in registry.waters} | set(old.waters)
    out.new_schools = [s.name for s in new.schools.values() if s.school_id not in known_schools]
    out.new_water = [w.name for w in new.waters.values() if w.water_id not in known_water]
    return out


def _compare_pairs(old: Resolution, new: Resolution, out: AnnexDiff) -> None:
    old_pairs = _by_key(old.pairs)
    new_pairs = _by_key(new.pairs)
    for key in sorted(old_pairs.keys() | new_pairs.keys(), key=lambda k: (k[0], k[1] or "")):
        before, after = old_pairs.get(key, []), new_pairs.get(key, [])
        for a, b in zip(before, after, strict=False):
            if _distance(a.exposure) != _distance(b.exposure):
                out.distance_changed.append(_change(new, b, a, b))
        out.removed.extend(_change(old, p, p, None) for p in before[len(after):])
        out.added.extend(_change(new, p, None, p) for p in after[len(before):])


def _by_key(pairs: Sequence[Pair]) -> dict[tuple[str, str | None], list[Pair]]:
    grouped: dict[tuple[str, str | None], list[Pair]] = {}
    for pair in pairs:
        grouped.setdefault((pair.school_id, pair.water_id), []).append(pair)
    return grouped


def _distance(exposure: Exposure) -> tuple[object, ...]:
    reported = exposure.reported
    return (exposure.distance_m, exposure.distance_max_m, reported.directions, reported.at_gate)


def _change(where: Resolution, pair: Pair, old: Pair | None, new: Pair | None) -> PairChange:
    water = where.waters[pair.water_id].name if pair.water_id else pair.exposure.source.water
    return PairChange(school=where.schools[pair.school_id].name, water=water,
                      old_row=old.exposure.row if old else None, new_row=new.exposure.row if new else None,
                      old_text=old.exposure.source.distance_text if old else None,
                      new_text=new.exposure.source.distance_text if new else None)


def _school_renames(old: Resolution, new: Resolution) -> list[Rename]:
    names_old = {sid: s.name for sid, s in old.schools.items()}
    names_new = {sid: s.name for sid, s in new.schools.items()}
    return _renames(names_old, names_new, old.pairs, new.pairs, by="school")


def _water_renames(old: Resolution, new: Resolution) -> list[Rename]:
    names_old = {wid: w.name for wid, w in old.waters.items()}
    names_new = {wid: w.name for wid, w in new.waters.items()}
    return _renames(names_old, names_new, old.pairs, new.pairs, by="water")


def _renames(names_old: dict[str, str], names_new: dict[str, str], old_pairs: Sequence[Pair],
             new_pairs: Sequence[Pair], *, by: str) -> list[Rename]:
    """Entities that vanished and arrived with largely the same rows: one entity under a new name."""
    signature_old = {ident: _signature(old_pairs, ident, by=by) for ident in names_old if ident not in names_new}
    renames = []
    for ident in sorted(set(names_new) - set(names_old)):
        best = _best_match(_signature(new_pairs, ident, by=by), signature_old)
        if best is not None and name_key(names_old[best]) != name_key(names_new[ident]):
            renames.append(Rename(entity_id=best, old=names_old[best], new=names_new[ident]))
            signature_old.pop(best)
    return renames


def _signature(pairs: Sequence[Pair], ident: str, *, by: str) -> Counter[tuple[str, str]]:
    """What identifies an entity apart from its name: its rows' counterpart and distance text."""
    if by == "school":
        return Counter((name_key(p.exposure.source.water), name_key(p.exposure.source.distance_text))
                       for p in pairs if p.school_id == ident)
    return Counter((p.school_id, name_key(p.exposure.source.distance_text)) for p in pairs if p.water_id == ident)


def _best_match(signature: Counter[tuple[str, str]], candidates: dict[str, Counter[tuple[str, str]]]) -> str | None:
    scored = []
    for ident, other in candidates.items():
        overlap = sum((signature & other).values())
        size = max(sum(signature.values()), sum(other.values()))
        if size and overlap / size >= RENAME_OVERLAP:
            scored.append((overlap / size, ident))
    return max(scored)[1] if scored else None


def diff_as_dict(diff: AnnexDiff) -> dict[str, object]:
    """The diff as JSON-ready data, with counts first."""
    body: dict[str, list[Any]] = {
        "added": [vars(c) for c in diff.added],
        "removed": [vars(c) for c in diff.removed],
        "distance_changed": [vars(c) for c in diff.distance_changed],
        "schools_renamed": [vars(r) for r in diff.schools_renamed],
        "water_renamed": [vars(r) for r in diff.water_renamed],
        "new_schools": list(diff.new_schools),
        "new_water": list(diff.new_water),
    }
    return {"summary": {key: len(value) for key, value in body.items()}, **body}


def render_diff_text(diff: AnnexDiff) -> str:
    """The diff in Chinese, for a person deciding whether to apply the new annex."""
    if diff.empty:
        return "新附件与当前附件内容一致，没有变化。\n"
    lines: list[str] = []
    sections: list[tuple[str, list[str]]] = [
        ("新增的学校—水体", [f"第 {c.new_row} 行 {c.school} — {c.water}：{c.new_text or '（未报距离）'}"
                          for c in diff.added]),
        ("删除的学校—水体", [f"原第 {c.old_row} 行 {c.school} — {c.water}：{c.old_text or '（未报距离）'}"
                          for c in diff.removed]),
        ("距离有变化", [f"{c.school} — {c.water}：“{c.old_text}” → “{c.new_text}”（原第 {c.old_row} 行，"
                       f"新第 {c.new_row} 行）" for c in diff.distance_changed]),
        ("学校更名", [f"{r.old} → {r.new}（编号 {r.entity_id} 不变）" for r in diff.schools_renamed]),
        ("水体更名", [f"{r.old} → {r.new}（编号 {r.entity_id} 不变）" for r in diff.water_renamed]),
        ("新学校（名录中没有）", list(diff.new_schools)),
        ("新水体（名录中没有）", list(diff.new_water)),
    ]
    for title, items in sections:
        if items:
            lines.append(f"{title}（{len(items)}）")
            lines.extend(f"  - {item}" for item in items)
            lines.append("")
    return "\n".join(lines)
