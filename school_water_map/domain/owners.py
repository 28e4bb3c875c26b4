"""责任人: who answers for a site (pure). Four roles, each a unit, a person and a phone:

- 属地乡镇 and 村（社区） belong to a site (one school–water pair);
- 学校安全负责人 belongs to a school and so to each of its sites;
- 水体管理单位 (for a canal, the water authority or canal office) belongs to a water body, entered once
  however many sites share it (秦渠).

The store keeps every change (``store.owners``); this module holds the values, their checks, and a
site's owners as notices print them. Phones are a mobile number or a landline with its area code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from school_water_map.domain.app_settings import phone
from school_water_map.domain.sites import Site
from school_water_map.errors import SettingsError

TOWNSHIP, VILLAGE, SCHOOL, WATER = "township", "village", "school", "water"
ROLES = (TOWNSHIP, VILLAGE, SCHOOL, WATER)
ROLE_ZH = {TOWNSHIP: "属地乡镇", VILLAGE: "村（社区）", SCHOOL: "学校安全负责人", WATER: "水体管理单位"}
ROLE_BY_ZH = {zh: role for role, zh in ROLE_ZH.items()}
#: What a role's subject id names: a site, a school or a water body.
SUBJECT_ZH = {TOWNSHIP: "点位", VILLAGE: "点位", SCHOOL: "学校", WATER: "水体"}
PARTS = {"unit": "单位", "person": "责任人", "phone": "电话"}
#: The columns of the 责任人 table (download and upload).
COLUMNS = ("类别", "编号", "名称", "单位", "责任人", "电话")
MAX_TEXT = 100


@dataclass(frozen=True)
class Owner:
    """One role's holder for one subject; all three empty = cleared."""

    role: str
    subject_id: str
    unit: str = ""
    person: str = ""
    phone: str = ""
    changed_by: str = ""
    changed_at: datetime | None = None
    note: str = ""

    @property
    def empty(self) -> bool:
        return not (self.unit or self.person or self.phone)

    def same_values(self, other: Owner | None) -> bool:
        held = other or Owner(self.role, self.subject_id)
        return (self.unit, self.person, self.phone) == (held.unit, held.person, held.phone)


@dataclass(frozen=True)
class Subjects:
    """The ids each role may name: the register's sites, schools and water bodies."""

    sites: Collection[str]
    schools: Collection[str]
    waters: Collection[str]

    def of(self, role: str) -> Collection[str]:
        return self.sites if role in (TOWNSHIP, VILLAGE) else self.schools if role == SCHOOL else self.waters


def check_owner(role: str, subject_id: str, unit: str, person: str, phone_text: str, subjects: Subjects,
                *, where: str = "") -> Owner:
    """The values stripped and checked, or a Chinese :class:`SettingsError` naming ``where`` (e.g. 第 3 行)
    and the bad field and value."""
    prefix = f"{where}：" if where else ""
    if role not in ROLES:
        raise SettingsError(f"{prefix}类别“{role}”无效：应为{'、'.join(ROLE_ZH.values())}之一")
    ident = subject_id.strip()
    if ident not in subjects.of(role):
        raise SettingsError(f"{prefix}{SUBJECT_ZH[role]}编号“{ident}”不存在（类别：{ROLE_ZH[role]}）")
    values = {"unit": unit.strip(), "person": person.strip(), "phone": phone_text.strip()}
    for part, text in values.items():
        if "\x00" in text or len(text) > MAX_TEXT or any(c in text for c in "\r\n"):
            raise SettingsError(f"{prefix}{ROLE_ZH[role]}·{PARTS[part]}“{text[:40]}”无效："
                                f"最多 {MAX_TEXT} 个字符，且不能换行")
    if values["phone"]:
        values["phone"] = phone(values["phone"], f"{prefix}{ROLE_ZH[role]}·电话")
    return Owner(role=role, subject_id=ident, unit=values["unit"], person=values["person"], phone=values["phone"])


@dataclass(frozen=True)
class SiteOwners:
    """A site's four roles (None where nobody is named)."""

    township: Owner | None = None
    village: Owner | None = None
    school: Owner | None = None
    water: Owner | None = None


def key(role: str, subject_id: str) -> tuple[str, str]:
    return role, subject_id


def site_owners(site: Site, book: Mapping[tuple[str, str], Owner]) -> SiteOwners:
    """The owners of ``site`` from ``book`` (current owners by role and subject id; cleared ones left out)."""

    def held(role: str, subject: str) -> Owner | None:
        owner = book.get(key(role, subject))
        return None if owner is None or owner.empty else owner

    return SiteOwners(township=held(TOWNSHIP, site.site_id), village=held(VILLAGE, site.site_id),
                      school=held(SCHOOL, site.school_id), water=held(WATER, site.water_id))


def subject_of(role: str, site: Site) -> str:
    """The id ``role`` is kept under for ``site``: the site, its school or its water body."""
    return site.site_id if role in (TOWNSHIP, VILLAGE) else site.school_id if role == SCHOOL else site.water_id


def responsible(owners: SiteOwners) -> tuple[str, str]:
    """Who a 整改任务 at the site names by default (unit, person): its 属地乡镇, else its 村（社区）, else the
    water's 管理单位, else the school's 安全负责人; empty when nobody is named."""
    holder = owners.township or owners.village or owners.water or owners.school
    return (holder.unit, holder.person) if holder else ("", "")
