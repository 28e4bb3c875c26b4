"""Distances in metres between schools and water: per annex pair, and nearby water at scale.

Geographic input is refused: callers project to a metric CRS first (:func:`to_metric`). Pair
distances are computed element-wise (one school, its own water body); the search for water near
schools uses a shapely ``STRtree`` with the ``dwithin`` predicate and ``query_nearest``, on
Hilbert-sorted inputs, in chunks over two threads (GEOS releases the GIL), as PROXIMITY.md measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from school_water_map.geo.crs import metric_crs


@dataclass(frozen=True)
class Tolerance:
    """How far a computed distance may stray from the reported one before it is flagged."""

    metres: float = 100.0
    ratio: float = 0.5


def to_metric(frame: gpd.GeoDataFrame | gpd.GeoSeries, crs: CRS | None = None) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Project to ``crs`` or, by default, the UTM zone at the data's centre."""
    if frame.crs is None:
        raise ValueError("distances need a CRS: the input has none")
    if crs is None:
        bounds = frame.total_bounds
        crs = metric_crs((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    return frame.to_crs(crs)


def pair_distances(schools: gpd.GeoSeries, waters: gpd.GeoSeries) -> pd.Series:
    """Element-wise distance in metres from each school to its own water body (aligned on the index).

    Rows where either side has no geometry get NaN. Both series must be in a projected CRS.
    """
    _require_projected(schools.crs)
    _require_projected(waters.crs)
    a = np.asarray(schools.values, dtype=object)
    b = np.asarray(waters.reindex(schools.index).values, dtype=object)
    return pd.Series(shapely.distance(a, b), index=schools.index, dtype="float64")


def disagrees(computed_m: float, reported_min_m: float, reported_max_m: float | None,
              tolerance: Tolerance) -> bool:
    """True when a computed distance falls outside the reported distance (or range) ± tolerance."""
    high = reported_max_m if reported_max_m is not None else reported_min_m
    slack_low = max(tolerance.metres, tolerance.ratio * reported_min_m)
    slack_high = max(tolerance.metres, tolerance.ratio * high)
    return bool(computed_m < reported_min_m - slack_low or computed_m > high + slack_high)


def nearby_water(points: Sequence[shapely.Geometry] | npt.NDArray[np.object_],
                 features: Sequence[shapely.Geometry] | npt.NDArray[np.object_], radius_m: float,
                 *, threads: int = 2, chunk: int = 2048) -> pd.DataFrame:
    """Per point: the nearest feature (index and distance) and how many features lie within ``radius_m``.

    Inputs are projected geometries (metres). Ties in nearest distance resolve to the lowest feature
    index. Points with no feature within ``radius_m`` get ``nearest=-1`` and ``distance=NaN``.
    """
    pts = np.asarray(points, dtype=object)
    feats = np.asarray(features, dtype=object)
    feat_order = _hilbert_order(feats)
    tree = shapely.STRtree(feats[feat_order])
    pt_order = _hilbert_order(pts)
    sorted_pts = pts[pt_order]
    starts = range(0, len(sorted_pts), chunk)

    def work(start: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        block = sorted_pts[start:start + chunk]
        within = tree.query(block, predicate="dwithin", distance=radius_m)
        counts = np.bincount(within[0], minlength=len(block))
        (pi, fi), dist = tree.query_nearest(block, max_distance=radius_m, return_distance=True, all_matches=True)
        nearest = np.full(len(block), -1, dtype=np.int64)
        best = np.full(len(block), np.nan)
        original = feat_order[fi]
        # keep, per point, the smallest distance and then the lowest original feature index
        order = np.lexsort((original, dist, pi))
        first = np.unique(pi[order], return_index=True)[1]
        nearest[pi[order][first]] = original[order][first]
        best[pi[order][first]] = dist[order][first]
        return nearest, best, counts

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        parts = list(pool.map(work, starts))
    out = pd.DataFrame({
        "nearest": np.concatenate([p[0] for p in parts]) if parts else np.array([], dtype=np.int64),
        "distance_m": np.concatenate([p[1] for p in parts]) if parts else np.array([]),
        "count_within": np.concatenate([p[2] for p in parts]) if parts else np.array([], dtype=np.int64),
    })
    out.index = pt_order
    return out.sort_index()


def pairs_within(points: Sequence[shapely.Geometry] | npt.NDArray[np.object_],
                 features: Sequence[shapely.Geometry] | npt.NDArray[np.object_], radius_m: float) -> pd.DataFrame:
    """Every (point, feature) pair closer than ``radius_m``, with its distance (projected inputs)."""
    pts = np.asarray(points, dtype=object)
    feats = np.asarray(features, dtype=object)
    pi, fi = shapely.STRtree(feats).query(pts, predicate="dwithin", distance=radius_m)
    return pd.DataFrame({"point": pi, "feature": fi, "distance_m": shapely.distance(pts[pi], feats[fi])})


def _hilbert_order(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.int64]:
    if len(geoms) == 0:
        return np.array([], dtype=np.int64)
    distances = gpd.GeoSeries(geoms).hilbert_distance()
    return np.argsort(distances.to_numpy(), kind="stable")


def _require_projected(crs: CRS | None) -> None:
    if crs is None or not CRS.from_user_input(crs).is_projected:
        raise ValueError("distances in metres need a projected CRS; project with to_metric() first")
