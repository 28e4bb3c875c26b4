"""Reading drawn geometry: GeoJSON, KML/KMZ (Google Earth, 奥维) and GPX (a GPS track or waypoints).

Each feature names its school or water body (by id or name) in a ``name``/``名称``/``编号`` field. The
parts of one water body (a canal drawn in pieces) are merged into one geometry. Every feature is
checked before anything is stored (``school_water_map.pipeline.placing``); one bad feature refuses the
whole file, naming each problem.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from school_water_map import limits
from school_water_map.domain.entities import Resolution
from school_water_map.domain.locate import LocateRequest, entity_id
from school_water_map.errors import DataFileError, InputLimitError, UnknownPlaceError

log = logging.getLogger(__name__)

FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".kml": "KML", ".kmz": "KML", ".gpx": "GPX"}
NAME_FIELDS = ("编号或名称", "编号", "名称", "name", "Name", "NAME", "id")
_GPX_LAYERS = ("waypoints", "routes", "tracks")


def read_features(data: bytes, filename: str) -> gpd.GeoDataFrame:
    """Every feature of the file as (layer, number, name, geometry) in WGS-84 lon/lat, 2D."""
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise DataFileError(f"{filename}：不支持的文件类型，可导入 GeoJSON、KML、KMZ、GPX")
    limits.check_size(len(data), limits.GEOMETRY_BYTES, filename)
    if suffix == ".kmz":
        data, suffix = _kml_from_kmz(data, filename), ".kml"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            layers = [str(name) for name, _ in pyogrio.list_layers(path)]
            if FORMATS[suffix] == "GPX":
                layers = [name for name in layers if name in _GPX_LAYERS]
            frames = _layers(path, layers, filename)
        except DataFileError:
            raise
        except (DataSourceError, DataLayerError, GEOSException, ValueError, KeyError) as exc:
            log.info("cannot read %s: %s", filename, exc)
            raise DataFileError(f"{filename}：文件无法读取，可能已损坏、格式不符或含无效的几何图形") from exc
    frames = [f for f in frames if not f.empty]
    if not frames:
        raise DataFileError(f"{filename}：文件中没有要素")
    features = pd.concat(frames, ignore_index=True)
    features["number"] = range(1, len(features) + 1)
    return gpd.GeoDataFrame(features, geometry="geometry", crs="EPSG:4326")


def geometry_requests(features: gpd.GeoDataFrame, resolution: Resolution, *, crs: str, author: str,
                      source: str, precision: str = "surveyed") -> tuple[list[LocateRequest], list[str]]:
    """One request per named entity (its features' geometries merged), and the problems found."""
    problems: list[str] = []
    parts: dict[str, list[BaseGeometry]] = {}
    labels: dict[str, str] = {}
    for feature in features.itertuples():
        where = f"第 {feature.number} 个要素（{feature.layer}）"
        name = str(feature.name or "").strip()
        geom = feature.geometry
        if not name:
            problems.append(f"{where}：没有名称或编号（字段 {'/'.join(NAME_FIELDS[:4])}）")
            continue
        if geom is None or shapely.is_empty(geom):
            problems.append(f"{where}“{name}”：没有几何图形")
            continue
        try:
            ident = entity_id(resolution, name)
        except UnknownPlaceError as exc:
            problems.append(f"{where}：{exc}")
            continue
        parts.setdefault(ident, []).append(geom)
        labels.setdefault(ident, name)
    requests = [LocateRequest(entity=ident, geometry=_merge(geoms), crs=crs, source=source, author=author,
                              method="import", precision=precision,
                              note=f"由 {len(geoms)} 个要素合并" if len(geoms) > 1 else "")
                for ident, geoms in parts.items()]
    return requests, problems


def _layers(path: Path, layers: list[str], filename: str) -> list[gpd.GeoDataFrame]:
    """Each layer's features, refused as soon as the file has too many layers or features in all."""
    if len(layers) > limits.GEOMETRY_LAYERS:
        raise InputLimitError(f"{filename}：有 {len(layers):,} 个图层，超过上限 {limits.GEOMETRY_LAYERS} 个；未导入")
    frames: list[gpd.GeoDataFrame] = []
    left = limits.GEOMETRY_FEATURES
    for layer in layers:
        frame = _layer(path, layer, max_features=left + 1)  # one more than allowed: enough to tell
        left -= len(frame)
        if left < 0:
            raise InputLimitError(f"{filename}：要素超过上限 {limits.GEOMETRY_FEATURES:,} 个；未导入")
        frames.append(frame)
    return frames


def _layer(path: Path, layer: str, *, max_features: int) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on bad features: they come back NULL
        frame = pyogrio.read_dataframe(path, layer=layer, max_features=max_features)
    if frame.crs is not None and not frame.crs.equals("EPSG:4326") and not frame.crs.equals("OGC:CRS84"):
        frame = frame.to_crs("EPSG:4326")
    name_field = next((f for f in NAME_FIELDS if f in frame.columns), None)
    names = frame[name_field].astype("string").fillna("") if name_field else pd.Series([""] * len(frame))
    geometry = [shapely.force_2d(g) if g is not None else None for g in frame.geometry]
    return gpd.GeoDataFrame({"layer": layer, "name": list(names)}, geometry=geometry, crs="EPSG:4326")


def _merge(geoms: list[BaseGeometry]) -> BaseGeometry:
    if len(geoms) == 1:
        return geoms[0]
    merged = shapely.union_all(geoms)
    if merged.geom_type == "MultiLineString":
        return shapely.line_merge(merged)
    return merged


def _kml_from_kmz(data: bytes, filename: str) -> bytes:
    """The KMZ's main KML (``doc.kml``, else the first), its members' count and sizes checked first
    and the KML decompressed with a cap (a zip bomb is refused, not expanded)."""
    with limits.open_zip(data, filename, kind="KMZ") as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
        if not names:
            raise DataFileError(f"{filename}：KMZ 压缩包中没有 KML 文件")
        main = "doc.kml" if "doc.kml" in names else names[0]
        return limits.read_member(archive, main, filename, kind="KMZ", limit=limits.GEOMETRY_BYTES)
