"""Recording positions in a test's private data directory (helpers shared by the app and map tests, and by the
map benchmarks: this module loads no pytest)."""

from __future__ import annotations

import random

from shapely.geometry import Point

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.positions import PositionRecord
from school_water_map.domain.register import Register
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store

#: A point inside 利通区 used only by tests (not any school's real position).
TEST_LON, TEST_LAT = 106.20, 37.98


def place(settings: Settings, entity: str, lon: float = TEST_LON, lat: float = TEST_LAT, *,
          precision: str = "surveyed", crs: str = "WGS84", method: str = "typed") -> PositionRecord:
    """Record one position through the one locate path, as a person would."""
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    request = LocateRequest(entity=entity, geometry=Point(lon, lat), crs=crs, source="测试", author="测试员",
                            method=method, precision=precision)
    (stored,) = record([request], register.resolution, area, open_store(settings).positions)
    return stored


def place_every_school(settings: Settings, *, source: str = "测试", author: str = "测试员") -> int:
    """Record a position for each school at a seeded point inside the district (not real positions), in one
    batch: the heaviest map. Returns how many were recorded."""
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    minx, miny, maxx, maxy = area.bounds
    rnd = random.Random(2026)
    requests = []
    for school in register.schools.index:
        point = Point(rnd.uniform(minx, maxx), rnd.uniform(miny, maxy))
        while not area.contains(point):
            point = Point(rnd.uniform(minx, maxx), rnd.uniform(miny, maxy))
        requests.append(LocateRequest(entity=school, geometry=point, crs="WGS84", source=source, author=author,
                                      method="typed", precision="surveyed"))
    return len(record(requests, register.resolution, area, open_store(settings).positions))


def placed_register(settings: Settings, *entities: str) -> Register:
    for entity in entities:
        place(settings, entity)
    return build_register(settings)
