"""Benchmark: the whole register pipeline, and proximity at scale (10,000 schools × 100,000 segments).

Prints figures; asserts nothing. Run: python benchmarks/pipeline.py [--quick]
The machine is shared and noisy: compare the ratios printed within one run, not absolute seconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.geo.distance import nearby_water
from school_water_map.geo.layers import load_context
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store


def timed(func: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def pipeline(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"SWMAP_DATA_DIR": tmp})
        seconds, _ = timed(lambda: build_register(settings), runs)
        print(f"pipeline, nothing located (89 rows):           {seconds * 1000:7.1f} ms (median of {runs})")
        # Synthetic positions in a throwaway data dir: every school placed on a grid inside the district.
        register = build_register(settings)
        area = load_context(settings.geodata_dir).outline.union_all()
        rng = np.random.default_rng(0)
        minx, miny, maxx, maxy = area.bounds
        requests = []
        for school_id in register.schools.index:
            while not area.contains(pt := shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))):
                pass
            requests.append(LocateRequest(entity=school_id, geometry=pt, crs="WGS84", source="benchmark",
                                          author="benchmark", method="typed"))
        record(requests, register.resolution, area, open_store(settings).positions)
        seconds, located = timed(lambda: build_register(settings), runs)
        derived = int(located.derived.geometry.notna().sum())  # type: ignore[attr-defined]
        print(f"pipeline, all 40 schools located ({derived} derived): {seconds * 1000:7.1f} ms (median of {runs})")


def synthetic(n_points: int, n_lines: int, box_m: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Schools as points; water as random-walk lines of 5–20 vertices (PROXIMITY.md's set-up)."""
    rng = np.random.default_rng(seed)
    points = shapely.points(rng.uniform(0, box_m, (n_points, 2)))
    counts = rng.integers(5, 21, n_lines)
    starts = np.repeat(rng.uniform(0, box_m, (n_lines, 2)), counts, axis=0)
    steps = rng.normal(0, 60, (counts.sum(), 2))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    walk = np.cumsum(steps, axis=0)
    walk -= np.repeat(walk[offsets] - steps[offsets], counts, axis=0)
    lines = shapely.linestrings(starts + walk, indices=np.repeat(np.arange(n_lines), counts))
    return points, lines


def proximity(n_points: int, n_lines: int, radius: float) -> None:
    points, lines = synthetic(n_points, n_lines, 100_000.0)
    fast, summary = timed(lambda: nearby_water(points, lines, radius, threads=2), 3)
    single, _ = timed(lambda: nearby_water(points, lines, radius, threads=1), 3)
    crs = "EPSG:32648"
    schools = gpd.GeoDataFrame(geometry=points, crs=crs)
    water = gpd.GeoDataFrame(geometry=lines, crs=crs)
    base, _ = timed(lambda: (gpd.sjoin_nearest(schools, water, max_distance=radius, distance_col="d"),
                             gpd.sjoin(schools, water, predicate="dwithin", distance=radius)), 1)
    pairs = int(summary["count_within"].sum())  # type: ignore[index]
    print(f"proximity {n_points:,} schools × {n_lines:,} lines, {radius:.0f} m, {pairs:,} pairs within:")
    print(f"  nearby_water, Hilbert-sorted, 2 threads:   {fast:6.2f} s")
    print(f"  nearby_water, 1 thread:                    {single:6.2f} s")
    print(f"  geopandas sjoin_nearest + sjoin(dwithin):  {base:6.2f} s  (speed-up ×{base / fast:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 × 10,000 instead of 10,000 × 100,000")
    args = parser.parse_args()
    pipeline(runs=5)
    if args.quick:
        proximity(1_000, 10_000, 3000.0)
    else:
        proximity(10_000, 100_000, 3000.0)


if __name__ == "__main__":
    main()
