"""A geocoder's answer, and the same answer kept in the queue of candidates awaiting a person's decision.

One type: :class:`Candidate` is what a provider answered (``school_water_map.io.geocode`` shapes it);
:class:`CandidateRecord` is that answer as stored (``school_water_map.store.candidates``), with its
number, the entity it was asked for, and the decision once made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """One answer: a named place in WGS-84, with the query and the provider's raw record kept."""

    provider: str
    query: str
    name: str
    address: str
    lon: float
    lat: float
    raw: Mapping[str, Any] = field(default_factory=dict)
    answer_crs: str = "WGS84"


@dataclass(frozen=True, kw_only=True)
class CandidateRecord(Candidate):
    """An answer in the queue: ``pending`` until a person confirms or rejects it (once)."""

    candidate_id: int
    entity_id: str
    status: str = "pending"
    created_at: str = ""
    decided_by: str = ""
    decided_at: str = ""
