"""Context layers from the curated ``geodata/``: district outline and neighbours, Yellow River, anchors.

These are real public data with provenance (``geodata/README.md``); they give the map its bearings
when no tiles can be reached. None of them places a school or an annex water body.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from school_water_map.errors import DataFileError

OUTLINE_FILE = "litong_640302_outline_wgs84.geojson"
NEIGHBOURS_FILE = "litong_neighbours_wgs84.geojson"
RIVER_FILE = "yellow_river_wdb2_wgs84.geojson"
ANCHORS_FILE = "anchors_wgs84.csv"
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class ContextLayers:
    outline: gpd.GeoDataFrame
    neighbours: gpd.GeoDataFrame
    river: gpd.GeoDataFrame
    anchors: gpd.GeoDataFrame


def load_context(geodata_dir: Path) -> ContextLayers:
    """Read the context layers (all WGS-84)."""
    neighbours = _read(geodata_dir / NEIGHBOURS_FILE)
    neighbours = neighbours.rename(columns={"short_name": "name"})[["name", "district_adcode", "geometry"]]
    river = _read(geodata_dir / RIVER_FILE)
    river = river.loc[river["wdb_level"] == 1].assign(name="黄河")[["name", "geometry"]]
    anchors_table = pd.read_csv(geodata_dir / ANCHORS_FILE, dtype={"anchor_id": str})
    anchors = gpd.GeoDataFrame(anchors_table, geometry=gpd.points_from_xy(anchors_table.lon, anchors_table.lat),
                               crs=WGS84)
    return ContextLayers(outline=_read(geodata_dir / OUTLINE_FILE), neighbours=neighbours, river=river,
                         anchors=anchors)


def _read(path: Path) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path)
    except (OSError, ValueError) as exc:
        raise DataFileError(f"无法读取地理数据文件：{path.name}（{exc}）") from exc
    return frame.to_crs(WGS84)
