"""The geocoding run: ask a provider for every named school and water body, and queue every answer.

Nothing is confirmed here: each answer becomes a ``pending`` candidate in the store
(``school_water_map.store.candidates``) for a person to confirm or reject. ``search_entity`` asks the
providers for one entity in a person's own words (``板桥乡 波浪渠小学``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from school_water_map.domain.candidates import CandidateRecord
from school_water_map.domain.register import Register
from school_water_map.errors import ProviderError
from school_water_map.io.geocode import Provider
from school_water_map.store.candidates import CandidateStore

#: Called before each query: (queries done, queries in all, entity id, query text).
Progress = Callable[[int, int, str, str], None]
#: Error kinds after which the next query would fail the same way.
STOPPING = ("key", "quota", "config")


@dataclass(frozen=True)
class QueryOutcome:
    entity_id: str
    query: str
    candidates: int = 0
    error: str = ""
    provider: str = ""
    kind: str = ""  # the error's kind (``ProviderError.kind``)


def geocode_entities(register: Register, provider: Provider, store: CandidateStore, *,
                     only_unplaced: bool = False, limit: int | None = None,
                     progress: Progress | None = None) -> list[QueryOutcome]:
    """Ask ``provider`` for every named school and water body; keep every answer as a candidate.

    Generic names (水渠…) are skipped: a place search cannot tell one school's canal from another.
    A key or quota error stops the run (the next query would fail the same way); stored candidates stay.
    """
    outcomes = []
    queries = _queries(register, only_unplaced)[:limit]
    for done, (entity_id, query) in enumerate(queries):
        if progress is not None:
            progress(done, len(queries), entity_id, query)
        try:
            answers = provider.search(query)
        except ProviderError as exc:
            outcomes.append(QueryOutcome(entity_id, query, error=str(exc), provider=provider.name,
                                         kind=exc.kind))
            if exc.kind in STOPPING:
                break
            continue
        store.add(entity_id, answers)
        outcomes.append(QueryOutcome(entity_id, query, candidates=len(answers), provider=provider.name))
    return outcomes


def search_entity(entity_id: str, text: str, providers: Sequence[Provider],
                  store: CandidateStore) -> tuple[list[CandidateRecord], list[ProviderError]]:
    """Ask each provider for ``text`` on behalf of one entity; the answers become its pending candidates.
    Returns the candidates stored and the providers' errors (one failing provider does not stop the others)."""
    stored: list[CandidateRecord] = []
    errors: list[ProviderError] = []
    for provider in providers:
        try:
            answers = provider.search(text)
        except ProviderError as exc:
            errors.append(exc)
            continue
        stored += store.add(entity_id, answers)
    return stored, errors


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
