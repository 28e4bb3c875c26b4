"""Sites: the places a patrol visits, one per school–water pair that has water.

Until the patrol work defines sites of its own, a site is an annex pair with water, identified by a
stable id built from the pair's ids: ``<school_id>-<water suffix>`` (``640302-S37-W47`` for 板桥波浪渠小学
and 波浪渠), where the water suffix drops the district prefix the two ids share. ``sites`` is the only
source; replace it when patrols bring their own sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import pandas as pd
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from school_water_map.domain.entities import TOWNSHIP_UNKNOWN, site_id
from school_water_map.domain.register import Register
from school_water_map.errors import UnknownPlaceError

#: The app page a site's QR code opens (``base_url`` is ``Settings.app_base_url``).
SITE_URL_TEMPLATE = "{base_url}/?site={site_id}"


@dataclass(frozen=True)
class Site:
    site_id: str
    row: int                      # the annex row (the first, ranked, when a pair is listed twice)
    rows: tuple[int, ...]
    school_id: str
    school: str
    water_id: str
    water: str                    # canonical name
    water_text: str               # as written in the annex
    water_kind_label: str
    distance_text: str
    township: str | None          # None = 待确认
    township_label: str
    risk_level: str
    risk_level_label: str
    risk_rank: int
    risk_score: float


def sites(register: Register) -> list[Site]:
    """Every site, in the register's risk order (one per distinct school–water pair with water)."""
    out: dict[str, Site] = {}
    for rec in register.pairs.to_dict("records"):
        if _text(rec["water_id"]) is None:
            continue
        ident = site_id(str(rec["school_id"]), str(rec["water_id"]))
        if ident in out:
            first = out[ident]
            out[ident] = replace(first, rows=(*first.rows, int(rec["row"])))
            continue
        out[ident] = Site(
            site_id=ident, row=int(rec["row"]), rows=(int(rec["row"]),), school_id=str(rec["school_id"]),
            school=str(rec["school"]), water_id=str(rec["water_id"]), water=str(rec["water"]),
            water_text=str(rec["water_text"]), water_kind_label=str(rec["water_kind_label"]),
            distance_text=str(rec["distance_text"]), township=_text(rec["township"]),
            township_label=str(rec["township_label"] or TOWNSHIP_UNKNOWN), risk_level=str(rec["risk_level"]),
            risk_level_label=str(rec["risk_level_label"]), risk_rank=int(rec["risk_rank"]),
            risk_score=float(rec["risk_score"]),
        )
    return list(out.values())


def find_site(all_sites: Sequence[Site], key: str) -> Site:
    """A site by its id; raises :class:`UnknownPlaceError` (Chinese message) otherwise."""
    wanted = key.strip()
    for site in all_sites:
        if site.site_id == wanted:
            return site
    raise UnknownPlaceError("水域点位", key)


def site_url(base_url: str, ident: str) -> str | None:
    """The app address a site's QR code opens, or None while no base URL is configured."""
    if not base_url.strip():
        return None
    return SITE_URL_TEMPLATE.format(base_url=base_url.strip().rstrip("/"), site_id=quote(ident, safe=""))



def _text(value: Any) -> str | None:
    """A table cell as text; None for a missing value (pandas gives NaN for None in string columns)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def site_geometry(register: Register, site: Site) -> BaseGeometry | None:
    """Where a patrol should stand: the water's recorded geometry (its part nearest the school, when
    the school is placed) or the pair's derived point(s), or its ring when that lies within the school's
    safety zone. A wider ring or nothing is too vague to check."""
    water: BaseGeometry | None = register.waters.at[site.water_id, "geometry"]
    school: BaseGeometry | None = register.schools.at[site.school_id, "geometry"]
    if water is not None:
        if school is None:
            return water
        nearest: BaseGeometry = nearest_points(water, school)[0]
        return nearest
    if site.row in register.derived.index:
        derived = register.derived.loc[site.row]
        if derived["shape"] in ("point", "points", "gate") or (derived["shape"] == "ring" and _small(register, site)):
            found: BaseGeometry = derived["geometry"]
            return found
    return None


def _small(register: Register, site: Site) -> bool:
    """A ring no wider than the school's safety zone (``10 米``, direction unreported): close enough to the
    school for a patrol there to be at the site; a 3 km ring is not."""
    pair = register.pairs.set_index("row").loc[site.row]
    radius = pair["distance_max_m"] if pd.notna(pair["distance_max_m"]) else pair["distance_m"]
    return bool(pd.notna(radius) and radius <= register.rules.zone_radius_m)
