"""A geocoder's answer, and the same answer kept in the queue of candidates awaiting a person's decision.

One type: :class:`Candidate` is what a provider answered (``school_water_map.io.geocode`` shapes it);
:class:`CandidateRecord` is that answer as stored (``school_water_map.store.candidates``), with its
number, the entity it was asked for, and the decision once made. ``pending_queue`` and ``next_entity``
order the review: one entity at a time, riskiest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def pending_queue(records: Iterable[CandidateRecord], order: Sequence[str]) -> dict[str, list[CandidateRecord]]:
    """The pending candidates by entity, entities in ``order`` (riskiest first); an entity not in ``order``
    (out of this user's scope, or gone from the register) is left out."""
    pending: dict[str, list[CandidateRecord]] = {}
    for record in records:
        if record.status == "pending":
            pending.setdefault(record.entity_id, []).append(record)
    return {entity: pending[entity] for entity in order if entity in pending}


def next_entity(queue: Mapping[str, Sequence[CandidateRecord]], current: object) -> str | None:
    """The entity to review: ``current`` while it still has pending candidates, else the first of ``queue``
    (the riskiest left); None when nothing is pending."""
    if isinstance(current, str) and queue.get(current):
        return current
    return next((entity for entity, records in queue.items() if records), None)
