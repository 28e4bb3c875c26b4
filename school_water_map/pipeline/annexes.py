"""The annex in force: the newest one a person applied (in the store), else the curated transcription."""

from __future__ import annotations

from school_water_map.io.annex_file import load_annex
from school_water_map.settings import Settings
from school_water_map.store.annexes import ActiveAnnex, applied_annex


def active_annex(settings: Settings) -> ActiveAnnex:
    """The newest applied annex if there is one, else the curated transcription in ``geodata/``."""
    return in_force(applied_annex(settings), settings)


def in_force(applied: ActiveAnnex | None, settings: Settings) -> ActiveAnnex:
    """``applied`` (the newest applied annex, read from the store) or, with none, the curated one."""
    if applied is not None:
        return applied
    return ActiveAnnex(rows=load_annex(settings.annex_path), source=settings.annex_file)
