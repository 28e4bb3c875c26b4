"""Recording positions in a test's private data directory (helpers shared by the app and map tests)."""

from __future__ import annotations

from shapely.geometry import Point

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.positions import PositionRecord
from school_water_map.domain.register import Register, build_register
from school_water_map.geo.layers import load_context
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


def placed_register(settings: Settings, *entities: str) -> Register:
    for entity in entities:
        place(settings, entity)
    return build_register(settings)
