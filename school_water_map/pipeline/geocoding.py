"""The geocoding run: ask a provider for every named school and water body, and queue every answer.

Nothing is confirmed here: each answer becomes a ``pending`` candidate in the store
(``school_water_map.store.candidates``) for a person to confirm or reject.
"""

from __future__ import annotations

from dataclasses import dataclass

from school_water_map.domain.register import Register
from school_water_map.errors import ProviderError
from school_water_map.io.geocode import Provider
from school_water_map.store.candidates import CandidateStore


@dataclass(frozen=True)
class QueryOutcome:
    entity_id: str
    query: str
    candidates: int = 0
    error: str = ""


def geocode_entities(register: Register, provider: Provider, store: CandidateStore, *,
                     only_unplaced: bool = False, limit: int | None = None) -> list[QueryOutcome]:
    """Ask ``provider`` for every named school and water body; keep every answer as a candidate.

    Generic names (水渠…) are skipped: a place search cannot tell one school's canal from another.
    A key or quota error stops the run (the next query would fail the same way); stored candidates stay.
    """
    outcomes = []
    for entity_id, query in _queries(register, only_unplaced)[:limit]:
        try:
            answers = provider.search(query)
        except ProviderError as exc:
            outcomes.append(QueryOutcome(entity_id, query, error=str(exc)))
            if exc.kind in ("key", "quota", "config"):
                break
            continue
        store.add(entity_id, answers)
        outcomes.append(QueryOutcome(entity_id, query, candidates=len(answers)))
    return outcomes


def _queries(register: Register, only_unplaced: bool) -> list[tuple[str, str]]:
    out = []
    for frame, key in ((register.schools, "school_id"), (register.waters, "water_id")):
        for row in frame.itertuples():
            if only_unplaced and row.precision != "unplaced":
                continue
            if key == "water_id" and isinstance(row.scope_school_id, str):
                continue  # a generic name: not searchable
            out.append((getattr(row, key), str(row.name)))
    return out
