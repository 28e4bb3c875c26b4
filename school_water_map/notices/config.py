"""Who is responsible, and how to reach them: the contacts printed on notices (``notices.toml``).

The file lives in the data directory (``Settings.notices_config_path``) and is optional; anything not
filled in prints as a visible placeholder, never as an invented name or number::

    [district]                      # 区教育局 (the letter's issuer; contact for 乡镇待确认 schools)
    unit = "利通区教育局"
    phone = "0953-0000000"

    [townships."板桥乡"]             # 属地管理: the township that patrols its sites
    unit = "板桥乡人民政府"
    person = "张三"
    phone = "0953-0000000"

    [schools."640302-S37"]          # a school's own phone, by id or name
    phone = "0953-0000000"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from school_water_map.domain.entities import TOWNSHIPS
from school_water_map.domain.owners import Owner
from school_water_map.errors import DataFileError

PLACEHOLDER = "（请在设置中填写）"


@dataclass(frozen=True)
class Contact:
    unit: str = PLACEHOLDER
    person: str = PLACEHOLDER
    phone: str = PLACEHOLDER


@dataclass(frozen=True)
class NoticeConfig:
    district: Contact = field(default_factory=Contact)
    townships: Mapping[str, Contact] = field(default_factory=dict)
    school_phones: Mapping[str, str] = field(default_factory=dict)
    #: 责任人 by (role, subject id), from the store (``store.owners``); none in ``notices.toml``.
    owners: Mapping[tuple[str, str], Owner] = field(default_factory=dict)

    def township(self, name: str | None) -> Contact:
        """The township's contact; placeholders where not configured (None = 乡镇待确认)."""
        return self.townships.get(name, Contact()) if name else Contact()

    def school_phone(self, school_id: str, name: str) -> str:
        return self.school_phones.get(school_id) or self.school_phones.get(name) or PLACEHOLDER


def load_notice_config(path: Path, *, district_name: str) -> NoticeConfig:
    """Read ``notices.toml``; a missing file gives placeholders, a malformed one raises DataFileError."""
    if not path.exists():
        return NoticeConfig(district=Contact(unit=f"{district_name}教育局"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _config(data, district_name=district_name)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"告知书设置文件无法读取：{path}（{exc}）") from exc
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"告知书设置文件格式错误：{path}（{exc}）") from exc


def _config(data: Mapping[str, Any], *, district_name: str) -> NoticeConfig:
    district = _contact(data.get("district", {}), "district")
    if district.unit == PLACEHOLDER:
        district = Contact(unit=f"{district_name}教育局", person=district.person, phone=district.phone)
    townships = {str(name): _contact(value, f"townships.{name}") for name, value in
                 _table(data.get("townships", {}), "townships").items()}
    unknown = sorted(set(townships) - set(TOWNSHIPS))
    if unknown:
        raise ValueError(f"未知的乡镇：{'、'.join(unknown)}（可用：{'、'.join(TOWNSHIPS)}）")
    schools = {str(key): _text(_table(value, f"schools.{key}").get("phone"), f"schools.{key}.phone")
               for key, value in _table(data.get("schools", {}), "schools").items()}
    return NoticeConfig(district=district, townships=townships,
                        school_phones={k: v for k, v in schools.items() if v})


def _contact(value: Any, where: str) -> Contact:
    table = _table(value, where)
    unknown = set(table) - {"unit", "person", "phone"}
    if unknown:
        raise ValueError(f"[{where}] 中有未知的项：{'、'.join(sorted(unknown))}（可用：unit、person、phone）")
    return Contact(**{key: _text(table.get(key), f"{where}.{key}") or PLACEHOLDER
                      for key in ("unit", "person", "phone")})


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"[{where}] 应为表（table）")
    return value


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int)):
        raise TypeError(f"{where} 应为文字")
    return str(value).strip()
