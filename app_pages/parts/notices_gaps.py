"""What a printed notice still lacks, said before it is printed: contacts that would print
（请在设置中填写）, and no app address for the sign's QR code.

Contacts and the app's address are set on the 设置 page (stored over ``notices.toml`` and under the
environment variables); the warning links there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import streamlit as st

from app_pages.parts import access, state
from app_pages.parts.md_text import md
from school_water_map.domain.owners import SCHOOL
from school_water_map.domain.register import Register
from school_water_map.domain.sites import Site, sites
from school_water_map.errors import DataFileError
from school_water_map.notices.config import PLACEHOLDER, Contact, NoticeConfig
from school_water_map.notices.context import resolve_township
from school_water_map.notices.responsible import site_contact
from school_water_map.pipeline.app_settings import notice_config
from school_water_map.settings import Settings

FIELDS = {"unit": "单位", "person": "联系人", "phone": "电话"}
#: The contact fields each document prints (see the templates: a sheet names no person).
PRINTED = {"letter": ("unit", "person", "phone"), "site": ("unit", "person", "phone"), "township": ("unit", "phone")}
WHERE = "联系人和应用网址在“设置”页填写（管理员），填写后重新生成即可。"


@dataclass(frozen=True)
class Scope:
    """The documents about to be printed: their townships (None = 乡镇待确认) and, for letters, schools."""
    kind: str
    townships: tuple[str | None, ...]
    schools: tuple[str, ...] = ()
    sites: tuple[Site, ...] = ()  # signs: each site's own 责任人 may fill its contact


def scope_of(register: Register, kind: str, township: str | None, *, whole: bool = False,
             key: str | None = None) -> Scope:
    """One document (``key``: a school id, site id or township key) or a batch (``township``; ``whole`` = all)."""
    if kind == "letter":
        ids = [key] if key else [i for i in register.schools.index
                                 if whole or register.resolution.school(i).township == township]
        return Scope(kind, tuple(register.resolution.school(i).township for i in ids), tuple(ids))
    if kind == "site":
        chosen = [s for s in sites(register) if (s.site_id == key if key else whole or s.township == township)]
        return Scope(kind, tuple(s.township for s in chosen), sites=tuple(chosen))
    if key is not None:
        return Scope(kind, (resolve_township(key),))
    return Scope(kind, tuple(s.township for s in sites(register)) if whole else (township,))


def gaps(settings: Settings, register: Register, scope: Scope) -> list[str]:
    """The missing things, one Chinese sentence each; empty when the documents print complete."""
    try:
        config = notice_config(settings)
    except DataFileError:
        return []  # the document itself reports the malformed file
    lines = []
    if contacts := _contact_gaps(config, scope):
        lines.append(f"联系方式未填写：{'；'.join(contacts)}。")
    if scope.kind == "letter":
        if config.district.unit == PLACEHOLDER:
            lines.append("落款单位（区教育局）未填写。")
        names = register.schools["name"]
        safety = {subject for (role, subject), owner in config.owners.items() if role == SCHOOL and owner.phone}
        phones = sum(config.school_phone(i, str(names[i])) == PLACEHOLDER and i not in safety for i in scope.schools)
        if phones:
            lines.append(f"学校电话未填写：{phones} 所学校。" if len(scope.schools) > 1 else "本校电话未填写。")
    if scope.kind == "site" and not settings.app_base_url:
        lines.append("未设置应用网址：警示告示上不印二维码（扫码查看点位的入口）。")
    return lines


def warn(settings: Settings, register: Register, scope: Scope, *, many: bool = False) -> None:
    """A warning above the print button when something is missing (nothing when all is filled in)."""
    if not (lines := gaps(settings, register, scope)):
        return
    what = "这批文书" if many else "这份文书"
    body = "\n".join(f"- {md(line)}" for line in lines)
    st.warning(f"打印前请注意，{what}还缺：\n{body}\n\n未填写处会印出“{PLACEHOLDER}”。{md(WHERE)}",
               icon=":material/warning:")
    if access.can_open(state.PAGE_SETTINGS):
        st.page_link(state.PAGE_SETTINGS, label="去设置", icon=":material/settings:")


def _contact_gaps(config: NoticeConfig, scope: Scope) -> Sequence[str]:
    """``板桥乡、金积镇的单位、联系人、电话`` …: the owners grouped by what they lack, in the documents' order.
    A sign's contact is its site's (its own 责任人 over the township's)."""
    contacts: Iterable[tuple[str | None, Contact]] = (
        ((s.township, site_contact(config, s)) for s in scope.sites) if scope.kind == "site" else
        ((t, config.township(t) if t else config.district) for t in dict.fromkeys(scope.townships)))
    lacking: dict[tuple[str, ...], list[str]] = {}
    for township, contact in contacts:
        missing = tuple(FIELDS[f] for f in PRINTED[scope.kind] if getattr(contact, f) == PLACEHOLDER)
        owner = township or "区教育局（乡镇待确认的学校）"
        if missing and owner not in lacking.get(missing, []):
            lacking.setdefault(missing, []).append(owner)
    return [f"{'、'.join(owners)}的{'、'.join(missing)}" for missing, owners in lacking.items()]
