"""责任人 as a table for download (CSV or XLSX through ``outputs.spreadsheet``), one row per role and
subject: 类别, 编号, 名称, 单位, 责任人, 电话. Every subject the register has is listed (each site twice, for
属地乡镇 and 村（社区）; each school; each water body once, however many sites share it), filled where
someone is named, so that the file comes back filled in (``io.owners_file`` reads it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from school_water_map.domain.owners import COLUMNS, ROLE_ZH, SCHOOL, TOWNSHIP, VILLAGE, WATER, Owner, key
from school_water_map.domain.sites import Site


def owners_table(sites: Sequence[Site], book: Mapping[tuple[str, str], Owner]) -> pd.DataFrame:
    """Every role and subject of the register's ``sites``, in risk order, with its current holder."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(role: str, subject: str, name: str) -> None:
        if key(role, subject) not in seen:
            seen.add(key(role, subject))
            rows.append((role, subject, name))

    for site in sites:
        pair = f"第 {'、'.join(map(str, site.rows))} 行 {site.school}—{site.water}"
        add(TOWNSHIP, site.site_id, pair)
        add(VILLAGE, site.site_id, pair)
    for site in sites:
        add(SCHOOL, site.school_id, site.school)
    for site in sites:
        add(WATER, site.water_id, f"{site.water}（{site.water_kind_label}）")
    records = []
    for role, subject, name in rows:
        held = book.get(key(role, subject)) or Owner(role, subject)
        records.append(dict(zip(COLUMNS, (ROLE_ZH[role], subject, name, held.unit, held.person, held.phone),
                                strict=True)))
    return pd.DataFrame(records, columns=list(COLUMNS))
