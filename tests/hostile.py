"""Hostile strings, and a store seeded with them through every input a person or a file controls.

Shared by the escaping unit tests and the hostile-strings browser test. Each string would, if any page
or the map rendered it as HTML, JavaScript or Markdown, set ``window.__xss``, open a dialog, follow a
live link or fetch from 127.0.0.2 (a host no test serves, so a fetch is also caught by the request
listener).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from shapely.geometry import Point

from school_water_map.domain.candidates import Candidate
from school_water_map.domain.checklist import CHECKLIST
from school_water_map.domain.inspections import InspectionInput
from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.patrol import patrol_rules
from school_water_map.domain.sites import find_site, sites
from school_water_map.domain.users import User
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.annexes import active_annex
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.accounts import add_user
from school_water_map.store.annexes import save_active
from school_water_map.store.candidates import CandidateStore
from school_water_map.store.database import open_store
from school_water_map.store.inspections import submit

HOSTILE = (
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    "${window.__xss=1}${alert(top.document.title)}",
    "`;window.__xss=1;`",
    "\\`;top.__xss=1;//",
    "</script><script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "[请点此重置密码](http://127.0.0.2:9/x)",
    "![x](http://127.0.0.2:9/i.png)",
    "<http://127.0.0.2:9/auto> http://127.0.0.2:9/bare www.example.com",
    "&lt;img src=x onerror=alert(1)&gt; &#36;{alert(1)}",
    ":red[**粗体**] $\\href{http://127.0.0.2:9/m}{x}$",
)
#: Every hostile string in one (for a single field that should carry them all).
ALL = " ".join(HOSTILE)
#: What a hostile string must never become in a page: the markers of live HTML and of a followed link.
EXTERNAL = "127.0.0.2"

S37 = "640302-S37"  # 板桥波浪渠小学 (annex row 83, 板桥乡: the patrol's township)
PATROL_TOWNSHIP = "板桥乡"
PASSWORD = "Hostile-Pass-2026-x9"
ACCOUNTS = {"admin01": ("admin", None), "bq01": ("patrol", PATROL_TOWNSHIP), "view01": ("viewer", None)}


@dataclass(frozen=True)
class Seeded:
    school_id: str  # a new school whose name is hostile (rows 1–4, township 待确认)
    site_id: str  # row 83: 板桥波浪渠小学 and a water body with a hostile name


def hostile_name(base: str, number: int) -> str:
    """A recognisable name carrying hostile string ``number`` (the kind word stays last: 渠, 小学)."""
    return f"{base}{HOSTILE[number % len(HOSTILE)]}{base[-2:]}"


def seed_open(settings: Settings) -> Seeded:
    """Everything but accounts: an applied annex with hostile school and water names, notes and source,
    positions with hostile sources and notes, and geocoding candidates with hostile names and addresses."""
    school_name = hostile_name("第十一小学", 1)
    rows = []
    for row in active_annex(settings).rows:
        if row.row == 83:
            row = replace(row, water=hostile_name("波浪渠", 2), note=ALL)
        elif row.school.endswith("第十一小学"):
            row = replace(row, school=school_name, water=hostile_name(row.water, row.row),
                          note=HOSTILE[row.row % len(HOSTILE)])
        rows.append(row)
    save_active(settings, rows, {}, source=ALL, applied_by=HOSTILE[0])
    register = build_register(settings)
    pairs = register.pairs.set_index("row")
    school_id, site = str(pairs.at[1, "school_id"]), str(pairs.at[83, "site_id"])
    area = load_context(settings.geodata_dir).outline.union_all()
    places = ((S37, 106.245, 37.955, HOSTILE[2]), (str(pairs.at[83, "water_id"]), 106.25, 37.95, HOSTILE[3]),
              (school_id, 106.20, 37.98, ALL), (str(pairs.at[2, "water_id"]), 106.205, 37.985, HOSTILE[5]))
    requests = [LocateRequest(entity=entity, geometry=Point(lon, lat), crs="WGS84", source=f"现场{text}",
                              author=HOSTILE[1], method="typed", note=ALL) for entity, lon, lat, text in places]
    record(requests, register.resolution, area, open_store(settings).positions)
    CandidateStore(open_store(settings)).add("640302-S02", [
        Candidate(provider="nominatim", query=ALL, name=text, address=ALL, lon=106.21 + i / 1000, lat=37.97)
        for i, text in enumerate(HOSTILE[:4])])
    return Seeded(school_id=school_id, site_id=site)


def seed_accounts(settings: Settings, seeded: Seeded) -> dict[str, User]:
    """The three roles with hostile display names, and a patrol's inspection of row 83 with hostile text."""
    store = open_store(settings)
    users = {name: add_user(store, name, PASSWORD, role, township=township, display_name=HOSTILE[i + 4])
             for i, (name, (role, township)) in enumerate(ACCOUNTS.items())}
    register = build_register(settings)
    site = find_site(sites(register), seeded.site_id)
    answers = {item.code: item.options[-1].code for item in CHECKLIST}
    form = InspectionInput(answers=answers, problems=ALL, action_taken=f"=1+1 {HOSTILE[7]}", note=HOSTILE[8])
    submit(store, users["bq01"], site, form, target=None, rules=patrol_rules(settings))
    return users
