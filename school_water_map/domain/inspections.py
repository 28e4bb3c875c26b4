"""Inspections as values (pure): what a patrol submits, what the store keeps, and what the latest
inspection of each site found. The store writes them (:mod:`school_water_map.store.inspections`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from school_water_map.domain.risk import SiteMeasures

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
#: Answers that count as a measure being in place (present=True) or missing (False); minors: seen.
MEASURE_ANSWERS: dict[str, dict[str, bool]] = {
    "warning_sign": {"ok": True, "damaged": False, "missing": False},
    "fence": {"ok": True, "damaged": False, "missing": False},
    "rescue_kit": {"ok": True, "partial": False, "missing": False},
    "minors_seen": {"none": False, "dissuaded": True, "reported": True},
}
_ANSWER_ITEM = {"minors_seen": "minors"}


@dataclass(frozen=True)
class DevicePosition:
    lon: float
    lat: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class InspectionInput:
    answers: dict[str, str]
    problems: str = ""
    action_taken: str = ""
    note: str = ""


@dataclass(frozen=True)
class Inspection:
    id: int
    site_id: str
    township: str
    user_id: int
    inspector: str
    created_at: datetime
    answers: dict[str, str] = field(default_factory=dict)
    problems: str = ""
    action_taken: str = ""
    note: str = ""
    photo: str | None = None
    gps_lon: float | None = None
    gps_lat: float | None = None
    gps_accuracy_m: float | None = None
    distance_to_site_m: float | None = None
    presence: str = "no_gps"
    corrects_id: int | None = None

    @property
    def day(self) -> date:
        """The local (China Standard Time) date: what "inspected today" means to a patrol."""
        return self.created_at.astimezone(LOCAL_TIME).date()


def latest_by_site(inspections: list[Inspection]) -> dict[str, Inspection]:
    """The current inspection of each site: the newest one that no later record corrects."""
    corrected = {i.corrects_id for i in inspections if i.corrects_id is not None}
    latest: dict[str, Inspection] = {}
    for item in inspections:
        if item.id not in corrected:
            latest[item.site_id] = item
    return latest


#: Per site, what verified 整改任务 put in place: (when, risk measure, value, basis).
Verified = Mapping[str, list[tuple[datetime, str, bool, str]]]


def site_measures(inspections: list[Inspection], verified: Verified | None = None) -> dict[str, SiteMeasures]:
    """Per site, the measures in place (the input of residual risk): what its current inspection found,
    then what 整改任务 verified after it (``domain.tasks.verified_measures``). A task reported fixed but not
    verified changes nothing."""
    out: dict[str, SiteMeasures] = {}
    latest = latest_by_site(inspections)
    for site in {*latest, *(verified or {})}:
        item = latest.get(site)
        found = measures(item.answers) if item else {}
        bases = [f"巡查 #{item.id}（{item.day.isoformat()}，{item.inspector}）"] if item else []
        for moment, measure, value, basis in sorted((verified or {}).get(site, [])):
            if item is None or moment > item.created_at:
                found[measure] = value
                bases.append(basis)
        out[site] = SiteMeasures(found, "；".join(bases))
    return out


def measures(answers: Mapping[str, str]) -> dict[str, bool]:
    """Checklist answers → the risk rules' site measures (present or missing; minors seen or not)."""
    out = {}
    for measure, mapping in MEASURE_ANSWERS.items():
        answer = answers.get(_ANSWER_ITEM.get(measure, measure))
        if answer in mapping:
            out[measure] = mapping[answer]
    return out
