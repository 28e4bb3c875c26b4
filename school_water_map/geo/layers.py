"""Context layers from the curated ``geodata/``: district outline and neighbours, Yellow River, anchors.

These are real public data with provenance (``geodata/README.md``); they give the map its bearings
when no tiles can be reached. None of them places a school or an annex water body.

``ContextLayers.display`` is a lighter copy to draw on the map (simplified once per process, coordinates
rounded); distances and "where a position may fall" keep using the full-resolution layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from school_water_map.errors import DataFileError
from school_water_map.geo.crs import metric_crs

OUTLINE_FILE = "litong_640302_outline_wgs84.geojson"
NEIGHBOURS_FILE = "litong_neighbours_wgs84.geojson"
RIVER_FILE = "yellow_river_wdb2_wgs84.geojson"
ANCHORS_FILE = "anchors_wgs84.csv"
WGS84 = "EPSG:4326"

#: Display simplification, in metres: the map opens on the whole district (about 100 m a pixel) and
#: a 10 m shift is under a pixel up to zoom 14; the neighbours are drawn thin and grey, for bearings.
OUTLINE_TOLERANCE_M = 10.0
NEIGHBOUR_TOLERANCE_M = 25.0
RIVER_TOLERANCE_M = 10.0
#: Decimal places of a drawn coordinate (1e-6° ≈ 0.1 m).
DISPLAY_DECIMALS = 6


@dataclass(frozen=True)
class DisplayLayers:
    """The context layers as drawn: simplified in metres (topology kept), WGS-84, rounded coordinates."""

    outline: BaseGeometry
    neighbours: tuple[tuple[str, BaseGeometry, BaseGeometry], ...]  # name, outline, label point (full data)
    river: tuple[BaseGeometry, ...]


@dataclass(frozen=True)
class ContextLayers:
    outline: gpd.GeoDataFrame
    neighbours: gpd.GeoDataFrame
    river: gpd.GeoDataFrame
    anchors: gpd.GeoDataFrame

    @cached_property
    def display(self) -> DisplayLayers:
        """The layers to draw, computed on first use and kept with these (once per process in the app)."""
        outline = self.outline.union_all()
        metric = metric_crs(outline.centroid.x, outline.centroid.y)
        names = [str(name) for name in self.neighbours["name"]]
        neighbours = simplify_for_display(self.neighbours.geometry, NEIGHBOUR_TOLERANCE_M, metric)
        labels = [geometry.representative_point() for geometry in self.neighbours.geometry]
        return DisplayLayers(
            outline=simplify_for_display(gpd.GeoSeries([outline], crs=WGS84), OUTLINE_TOLERANCE_M, metric)[0],
            neighbours=tuple(zip(names, neighbours, labels, strict=True)),
            river=tuple(simplify_for_display(self.river.geometry, RIVER_TOLERANCE_M, metric)))


def load_context(geodata_dir: Path) -> ContextLayers:
    """Read the context layers (all WGS-84)."""
    neighbours = read_wgs84(geodata_dir / NEIGHBOURS_FILE)
    neighbours = neighbours.rename(columns={"short_name": "name"})[["name", "district_adcode", "geometry"]]
    river = read_wgs84(geodata_dir / RIVER_FILE)
    river = river.loc[river["wdb_level"] == 1].assign(name="黄河")[["name", "geometry"]]
    anchors_table = pd.read_csv(geodata_dir / ANCHORS_FILE, dtype={"anchor_id": str})
    anchors = gpd.GeoDataFrame(anchors_table, geometry=gpd.points_from_xy(anchors_table.lon, anchors_table.lat),
                               crs=WGS84)
    return ContextLayers(outline=read_wgs84(geodata_dir / OUTLINE_FILE), neighbours=neighbours, river=river,
                         anchors=anchors)


def read_wgs84(path: Path) -> gpd.GeoDataFrame:
    """A geodata file in WGS-84 (``DataFileError`` naming it when unreadable)."""
    try:
        frame = gpd.read_file(path)
    except (OSError, ValueError) as exc:
        raise DataFileError(f"无法读取地理数据文件：{path.name}（{exc}）") from exc
    return frame.to_crs(WGS84)


def simplify_for_display(geometries: gpd.GeoSeries, tolerance_m: float, metric: CRS) -> list[BaseGeometry]:
    """``geometries`` (WGS-84) simplified by ``tolerance_m`` in ``metric``, topology kept, coordinates
    rounded to ``DISPLAY_DECIMALS``: for drawing only, never for a distance or a test of where a position
    falls."""
    simple = geometries.to_crs(metric).simplify(tolerance_m, preserve_topology=True).to_crs(WGS84)
    return [round_coordinates(geometry) for geometry in simple]


def round_coordinates(geometry: BaseGeometry, decimals: int = DISPLAY_DECIMALS) -> BaseGeometry:
    """``geometry`` with every coordinate rounded to ``decimals`` places (shorter JSON, same drawing)."""
    def rounded(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.round(xy, decimals)
    return shapely.transform(geometry, rounded)
