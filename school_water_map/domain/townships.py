"""A school's township assigned by a 管理员 (设置 · 学校所属乡镇): the value, its check, and the basis
the register shows for it (``domain.register.register_from`` applies assignments to resolved schools)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from school_water_map.domain.entities import TOWNSHIPS
from school_water_map.domain.inspections import LOCAL_TIME
from school_water_map.errors import SettingsError


@dataclass(frozen=True)
class TownshipAssignment:
    school_id: str
    township: str
    assigned_by: str      # the admin's name
    assigned_at: datetime
    note: str = ""

    @property
    def basis(self) -> str:
        """The register's 乡镇依据, e.g. 管理员指定（张三，2026-12-02）."""
        return f"管理员指定（{self.assigned_by}，{self.assigned_at.astimezone(LOCAL_TIME):%Y-%m-%d}）"


def check_assignment(school_id: str, township: str, schools: Collection[str]) -> tuple[str, str]:
    """The stripped school id and township, or a Chinese :class:`SettingsError` naming the bad value."""
    school, town = school_id.strip(), township.strip()
    if school not in schools:
        raise SettingsError(f"学校“{school}”不存在，不能指定乡镇")
    if town not in TOWNSHIPS:
        raise SettingsError(f"乡镇“{town}”不在利通区乡镇（街道）名单中：{'、'.join(TOWNSHIPS)}")
    return school, town


def bases(assignments: Collection[TownshipAssignment]) -> dict[str, str]:
    """School id → 乡镇依据 of each assignment."""
    return {a.school_id: a.basis for a in assignments}
