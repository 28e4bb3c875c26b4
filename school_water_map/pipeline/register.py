"""Building the register: read everything first (the store in one transaction, then the curated
files), then run the pure steps (``domain.register.register_from``)."""

from __future__ import annotations

from school_water_map.domain.register import Register, RegisterInputs, register_from
from school_water_map.domain.risk import Rules
from school_water_map.domain.townships import bases
from school_water_map.io.curated import load_reference_positions, load_registry, load_rules
from school_water_map.pipeline.annexes import in_force
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.snapshot import read_snapshot


def build_register(settings: Settings, *, rules: Rules | None = None) -> Register:
    """Read the annex, the recorded positions, the inspections and the township assignments, and build the
    ranked register."""
    return register_from(read_inputs(settings, rules=rules))


def read_inputs(settings: Settings, *, rules: Rules | None = None) -> RegisterInputs:
    """Everything the register needs, read. Opening the store is a step of its own: the first open in a
    process brings the schema up to date (``store.database.open_store``); the read itself only reads."""
    store = open_store(settings)
    snapshot = read_snapshot(store)                                         # one consistent view
    annex = in_force(snapshot.annex, settings)                              # the applied or curated annex
    registry = load_registry(settings.schools_path, settings.water_path, district_adcode=settings.district_adcode)
    return RegisterInputs(
        annex_rows=annex.rows, aliases=annex.aliases, registry=registry,
        reference_positions=load_reference_positions(settings.geodata_dir, registry),  # 黄河 from geodata
        positions=snapshot.positions, inspections=snapshot.inspections,
        rules=rules or load_rules(settings.rules_path), district_adcode=settings.district_adcode,
        townships={school_id: a.township for school_id, a in snapshot.townships.items()},
        township_bases=bases(snapshot.townships.values()), tasks=snapshot.tasks)
