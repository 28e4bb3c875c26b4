"""Schools and water bodies: the annex's names resolved to distinct entities with stable ids.

The curated registries in ``geodata/`` (``litong_schools.csv``, ``litong_water_bodies.csv``) hold
the decisions: canonical names, aliases, townships, kinds, and generic names scoped to one school.
A name the registry does not know becomes a new entity with an id derived from its name, marked
for review; nothing is merged on a guess.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from school_water_map.domain.annex import Exposure
from school_water_map.errors import DataFileError, UnknownPlaceError

#: The townships (乡镇/街道) of 利通区 responsible for patrols (属地管理).
TOWNSHIPS = ("金积镇", "高闸镇", "金银滩镇", "扁担沟镇", "古城镇", "上桥镇", "胜利街道", "金星镇",
             "东塔寺乡", "板桥乡", "马莲渠乡", "郭家桥乡", "孙家滩")
TOWNSHIP_UNKNOWN = "待确认"
_TOWNSHIP_PREFIXES = (("孙家滩", "孙家滩"), ("马莲渠", "马莲渠乡"), ("东塔", "东塔寺乡"), ("金银滩", "金银滩镇"),
                      ("郭家桥", "郭家桥乡"), ("高闸", "高闸镇"), ("扁担沟", "扁担沟镇"), ("板桥", "板桥乡"),
                      ("金积", "金积镇"), ("古城", "古城镇"), ("上桥", "上桥镇"), ("金星", "金星镇"))

#: School level by name ending, first match wins: (ending, code).
LEVELS = (("中心学校", "central"), ("小学", "primary"), ("中学", "middle"), ("学校", "nine_year"))
LEVEL_ZH = {"central": "中心学校", "primary": "小学", "middle": "中学", "nine_year": "九年制", "unknown": "未知"}

#: Water kinds, with their Chinese labels.
KIND_ZH = {"river": "河流", "main_canal": "干渠", "branch_canal": "支渠", "drainage_ditch": "排水沟",
           "lake": "湖泊", "park_water": "公园水体", "pond": "坑塘/鱼池", "reservoir": "水库/蓄水池"}
#: Kind of an unregistered water name by its wording, first match wins: (pattern, kind).
KIND_BY_NAME = ((r"公园|水系", "park_water"), (r"水库|蓄水池|蓄水湖", "reservoir"),
                (r"鱼池|鱼塘|水塘|池塘|水坑|坑$|池$", "pond"), (r"干渠|主渠|总干", "main_canal"),
                (r"排水沟|沟$", "drainage_ditch"), (r"渠$", "branch_canal"), (r"河$", "river"), (r"湖$", "lake"))
#: Names that describe a kind of water, not one water body: never shared between schools.
GENERIC_WATER_NAMES = frozenset({"水渠", "农用水渠", "灌溉渠", "渠", "水沟", "沟", "排水沟", "河", "湖", "水塘",
                                 "池塘", "鱼池", "鱼塘", "水坑", "坑", "水库", "蓄水池"})


@dataclass(frozen=True)
class School:
    school_id: str
    name: str
    aliases: tuple[str, ...]
    level: str
    township: str | None
    township_basis: str
    district_adcode: str
    note: str = ""

    @property
    def township_label(self) -> str:
        return self.township or TOWNSHIP_UNKNOWN


@dataclass(frozen=True)
class WaterBody:
    water_id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    kind_basis: str
    district_adcode: str
    scope_school_id: str | None = None
    review: str = ""


@dataclass(frozen=True)
class Pair:
    """An exposure with its school and water body resolved (water_id is None for row 63's 无)."""

    exposure: Exposure
    school_id: str
    water_id: str | None


@dataclass(frozen=True)
class Registry:
    schools: tuple[School, ...]
    waters: tuple[WaterBody, ...]

    def with_aliases(self, aliases: Mapping[str, str]) -> Registry:
        """A registry where each spelling in ``aliases`` also names the entity with that id."""
        def extra(ident: str) -> tuple[str, ...]:
            return tuple(name for name, target in aliases.items() if target == ident)

        return Registry(
            schools=tuple(replace(s, aliases=(*s.aliases, *extra(s.school_id))) for s in self.schools),
            waters=tuple(replace(w, aliases=(*w.aliases, *extra(w.water_id))) for w in self.waters))


@dataclass
class Resolution:
    """The annex resolved: distinct schools and water bodies, and one pair per annex row."""

    schools: dict[str, School] = field(default_factory=dict)
    waters: dict[str, WaterBody] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)

    def school(self, key: str) -> School:
        """A school by id, canonical name or alias."""
        found = self.schools.get(key) or _by_name(self.schools.values(), key)
        if found is None:
            raise UnknownPlaceError("学校", key)
        return found

    def water(self, key: str) -> WaterBody:
        """A water body by id (names can be ambiguous: generic names belong to one school each)."""
        if key in self.waters:
            return self.waters[key]
        matches = [w for w in self.waters.values() if name_key(key) in _keys(w.name, w.aliases)]
        if len(matches) == 1:
            return matches[0]
        raise UnknownPlaceError("水体", key)


def registry_from_records(schools: Iterable[Mapping[str, str]], waters: Iterable[Mapping[str, str]], *,
                          district_adcode: str) -> Registry:
    """The curated school and water-body registries from their rows (``io.curated`` reads the files)."""
    return Registry(schools=tuple(_school_record(rec, district_adcode) for rec in schools),
                    waters=tuple(_water_record(rec, district_adcode) for rec in waters))


def resolve(exposures: Sequence[Exposure], registry: Registry, *, district_adcode: str) -> Resolution:
    """Resolve every annex row to a school and a water body (or none, for 无)."""
    out = Resolution()
    for exposure in exposures:
        school = _resolve_school(exposure.source.school, registry, out, district_adcode)
        water = (_resolve_water(exposure.source.water, school, registry, out, district_adcode)
                 if exposure.has_water else None)
        out.pairs.append(Pair(exposure=exposure, school_id=school.school_id,
                              water_id=water.water_id if water else None))
    return out


def site_id(school_id: str, water_id: str) -> str:
    """A pair's site id: ``640302-S37`` + ``640302-W47`` → ``640302-S37-W47`` (URL-safe, stable)."""
    prefix = school_id.split("-", 1)[0]
    suffix = water_id[len(prefix) + 1:] if water_id.startswith(prefix + "-") else water_id
    return f"{school_id}-{suffix}"


def name_key(name: str) -> str:
    """The comparison key of a name: NFKC, no spaces or quotes, ASCII brackets."""
    folded = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\s“”\"'‘’「」]", "", folded)


def school_level(name: str) -> str:
    return next((code for ending, code in LEVELS if name.endswith(ending)), "unknown")


def township_from_name(name: str) -> str | None:
    bare = name.removeprefix("吴忠市").removeprefix("利通区")
    return next((town for prefix, town in _TOWNSHIP_PREFIXES if bare.startswith(prefix)), None)


def kind_from_name(name: str) -> str | None:
    return next((kind for pattern, kind in KIND_BY_NAME if re.search(pattern, name)), None)


def _resolve_school(name: str, registry: Registry, out: Resolution, adcode: str) -> School:
    school = _by_name(registry.schools, name) or _by_name(out.schools.values(), name)
    if school is None:
        town = township_from_name(name)
        school = School(school_id=_derived_id(adcode, "S", name_key(name)), name=name, aliases=(),
                        level=school_level(name), township=town,
                        township_basis="校名前缀" if town else TOWNSHIP_UNKNOWN, district_adcode=adcode,
                        note="名录中没有此校名，为新增学校，请核实")
    out.schools.setdefault(school.school_id, school)
    return school


def _resolve_water(name: str, school: School, registry: Registry, out: Resolution, adcode: str) -> WaterBody:
    known = [*registry.waters, *out.waters.values()]
    key = name_key(name)
    scoped = [w for w in known if w.scope_school_id == school.school_id and key in _keys(w.name, w.aliases)]
    shared = [w for w in known if w.scope_school_id is None and key in _keys(w.name, w.aliases)]
    water = next(iter(scoped or shared), None)
    if water is None:
        generic = key in GENERIC_WATER_NAMES
        scope = school.school_id if generic else None
        kind = kind_from_name(key)
        water = WaterBody(
            water_id=_derived_id(adcode, "W", f"{key}@{scope}" if scope else key), name=name, aliases=(),
            kind=kind or "branch_canal", kind_basis="名称推断" if kind else "名称无法判断类型，暂按支渠，待核实",
            district_adcode=adcode, scope_school_id=scope, review="名录中没有此水体，为新增水体，请核实")
    out.waters.setdefault(water.water_id, water)
    return water


def _by_name(schools: Iterable[School], name: str) -> School | None:
    key = name_key(name)
    return next((s for s in schools if key in _keys(s.name, s.aliases)), None)


def _keys(name: str, aliases: tuple[str, ...]) -> set[str]:
    return {name_key(n) for n in (name, *aliases)}


def _derived_id(adcode: str, letter: str, key: str) -> str:
    return f"{adcode}-{letter}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"


def _split(aliases: str) -> tuple[str, ...]:
    return tuple(a for a in aliases.split("|") if a)


def _school_record(rec: Mapping[str, str], adcode: str) -> School:
    try:
        return School(school_id=rec["school_id"], name=rec["name"], aliases=_split(rec["aliases"]),
                      level=rec.get("level") or school_level(rec["name"]), township=rec["township"] or None,
                      township_basis=rec["township_basis"], district_adcode=adcode, note=rec.get("note", ""))
    except KeyError as exc:
        raise DataFileError(f"学校名录缺少列：{exc.args[0]}") from exc


def _water_record(rec: Mapping[str, str], adcode: str) -> WaterBody:
    try:
        if rec["kind"] not in KIND_ZH:
            raise DataFileError(f"水体名录 {rec['water_id']}：未知的水体类型“{rec['kind']}”")
        return WaterBody(water_id=rec["water_id"], name=rec["name"], aliases=_split(rec["aliases"]),
                         kind=rec["kind"], kind_basis=rec["kind_basis"], district_adcode=adcode,
                         scope_school_id=rec["scope_school_id"] or None, review=rec["review"])
    except KeyError as exc:
        raise DataFileError(f"水体名录缺少列：{exc.args[0]}") from exc
