"""Who answers for a site, as notices print it: the 属地乡镇 contact of the site (its 责任人 over the
township's contact, field by field, so a site names its own person and keeps the township's unit), and
the other roles named for it (村（社区）, 学校安全负责人, 水体管理单位), each a line of unit, person, phone."""

from __future__ import annotations

from dataclasses import dataclass

from school_water_map.domain.owners import ROLE_ZH, SCHOOL, TOWNSHIP, VILLAGE, WATER, Owner, SiteOwners, site_owners
from school_water_map.domain.sites import Site
from school_water_map.notices.config import PLACEHOLDER, Contact, NoticeConfig


@dataclass(frozen=True)
class Responsible:
    """One named role: 村（社区） · 金银滩村委会 · 王五 · 13912345678 (empty parts print as "—")."""

    role: str
    unit: str
    person: str
    phone: str


def owners_of(config: NoticeConfig, site: Site) -> SiteOwners:
    return site_owners(site, config.owners)


def site_contact(config: NoticeConfig, site: Site) -> Contact:
    """The site's 责任单位 / 责任人 / 监督电话: its 属地乡镇 责任人 where given, else the township's contact
    (the district's for a 乡镇待确认 school), else the placeholder."""
    base = config.township(site.township) if site.township else config.district
    own = owners_of(config, site).township
    if own is None:
        return base
    return Contact(unit=own.unit or base.unit, person=own.person or base.person, phone=own.phone or base.phone)


def others(config: NoticeConfig, site: Site, roles: tuple[str, ...] = (VILLAGE, WATER)) -> tuple[Responsible, ...]:
    """The site's named roles among ``roles``, in that order."""
    named = owners_of(config, site)
    held = {TOWNSHIP: named.township, VILLAGE: named.village, SCHOOL: named.school, WATER: named.water}
    return tuple(_line(role, _merged(config, site) if role == TOWNSHIP else owner)
                 for role in roles if (owner := held[role]) is not None)


def school_safety(config: NoticeConfig, site: Site | None) -> Responsible | None:
    """The school's 学校安全负责人 (kept per school, so any of its sites finds it)."""
    owner = owners_of(config, site).school if site is not None else None
    return _line(SCHOOL, owner) if owner is not None else None


def _merged(config: NoticeConfig, site: Site) -> Owner:
    """The site's 属地乡镇 line with the township's contact filling what the site's own 责任人 leaves empty."""
    contact = site_contact(config, site)
    unit, person, phone = (("" if v == PLACEHOLDER else v) for v in (contact.unit, contact.person, contact.phone))
    return Owner(TOWNSHIP, site.site_id, unit=unit, person=person, phone=phone)


def _line(role: str, owner: Owner) -> Responsible:
    return Responsible(role=ROLE_ZH[role], unit=owner.unit or "—", person=owner.person or "—",
                       phone=owner.phone or "—")
