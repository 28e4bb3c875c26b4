"""Export the register in the formats GIS users already use: GeoPackage, GeoJSON, KML/KMZ, CSV, XLSX.

``export_layers`` builds the layers (pure); ``write_export`` writes one file, ``export_bytes`` returns
it for a download. Unplaced things are
exported with no geometry (never a made-up point): every pair and its risk is present in every format.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from fastkml import Document, Folder, Placemark, kml
from fastkml import data as kml_data
from fastkml import styles as kml_styles
from shapely.geometry.base import BaseGeometry

from school_water_map.domain.register import Register
from school_water_map.errors import DataFileError
from school_water_map.outputs import spreadsheet
from school_water_map.outputs.colours import NONE_COLOUR
from school_water_map.outputs.records import flat_value, pair_records, school_records, to_csv, water_records

FORMATS = ("gpkg", "geojson", "kml", "kmz", "csv", "xlsx")
MIME_TYPES = {"gpkg": "application/geopackage+sqlite3", "geojson": "application/geo+json",
              "kml": "application/vnd.google-earth.kml+xml", "kmz": "application/vnd.google-earth.kmz",
              "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: Layer names: English in files meant for GIS tools, with Chinese titles for KML folders and sheets.
LAYER_TITLES = {"pairs": "隐患清单", "schools": "学校", "water": "水体", "derived": "推算水体位置"}
WGS84 = "EPSG:4326"
#: Google Earth's and 奥维's stock round icon, tinted by the style's colour.
KML_ICON = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"


def export_layers(register: Register) -> dict[str, gpd.GeoDataFrame]:
    """One GeoDataFrame per layer, WGS-84, list fields flattened to text."""
    schools = _frame(school_records(register), register.schools.geometry.reindex(
        [r["school_id"] for r in school_records(register)]))
    water = _frame(water_records(register), register.waters.geometry.reindex(
        [r["water_id"] for r in water_records(register)]))
    pairs = pair_records(register)
    pair_geoms = register.schools.geometry.reindex([p["school_id"] for p in pairs])
    derived = register.derived.drop(columns=["geometry"]).copy()
    derived_layer = gpd.GeoDataFrame(derived.reset_index(drop=True),
                                     geometry=list(register.derived.geometry), crs=WGS84)
    return {"pairs": _frame(pairs, pair_geoms), "schools": schools, "water": water, "derived": derived_layer}


def write_export(register: Register, path: Path, fmt: str | None = None) -> Path:
    """Write the register to ``path`` in ``fmt`` (default: from the file's extension)."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise DataFileError(f"不支持的导出格式“{fmt}”：可选 {'、'.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    layers = export_layers(register)
    if fmt == "gpkg":
        _write_gpkg(layers, path)
    elif fmt == "geojson":
        path.write_text(_geojson(layers), encoding="utf-8")
    elif fmt in ("kml", "kmz"):
        text = _kml(layers, register)
        if fmt == "kml":
            path.write_text(text, encoding="utf-8")
        else:
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("doc.kml", text)
    elif fmt == "csv":
        path.write_text(to_csv(pair_records(register)), encoding="utf-8-sig")  # BOM: Excel/WPS read UTF-8; formula-safe
    else:
        path.write_bytes(xlsx_bytes(layers))
    return path


def export_bytes(register: Register, fmt: str) -> bytes:
    """The export in ``fmt`` as bytes (for a download), written through a temporary file."""
    with tempfile.TemporaryDirectory() as folder:
        return write_export(register, Path(folder) / f"export.{fmt}", fmt).read_bytes()


def xlsx_bytes(layers: Mapping[str, gpd.GeoDataFrame]) -> bytes:
    """An XLSX workbook, one sheet per layer (titles in Chinese), geometry as WKT, text made formula-safe."""
    tables = {}
    for name, layer in layers.items():
        table = pd.DataFrame(layer.drop(columns="geometry"))
        table["wkt"] = [g.wkt if g is not None else "" for g in layer.geometry]
        tables[LAYER_TITLES[name]] = table
    return spreadsheet.xlsx_bytes(tables)


def _frame(records: list[dict[str, object]], geometry: gpd.GeoSeries) -> gpd.GeoDataFrame:
    table = pd.DataFrame([{k: flat_value(v) for k, v in r.items()} for r in records])
    return gpd.GeoDataFrame(table, geometry=list(geometry), crs=WGS84)


def _write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: Path) -> None:
    tmp = path.with_name(f".{path.stem}.partial.gpkg")
    tmp.unlink(missing_ok=True)
    for name, layer in layers.items():
        pyogrio.write_dataframe(layer, tmp, layer=name, driver="GPKG", promote_to_multi=False,
                                geometry_type="Unknown", append=tmp.exists())
    tmp.replace(path)


def _geojson(layers: Mapping[str, gpd.GeoDataFrame]) -> str:
    features = []
    for name, layer in layers.items():
        collection = json.loads(layer.to_json(na="null", drop_id=True))
        for feature in collection["features"]:
            feature["properties"] = {"layer": name, **feature["properties"]}
            features.append(feature)
    return json.dumps({"type": "FeatureCollection", "name": "school-water-map", "features": features},
                      ensure_ascii=False) + "\n"


def _kml(layers: Mapping[str, gpd.GeoDataFrame], register: Register) -> str:
    style_list = [_kml_style(level.code, level.colour) for level in register.rules.levels]
    style_list.append(_kml_style("none", NONE_COLOUR))
    worst = register.pairs.groupby("school_id")["risk_rank"].min()
    rank_to_code = {level.rank: level.code for level in register.rules.levels}
    folders = []
    for name, layer in layers.items():
        marks = []
        for record, geom in zip(layer.drop(columns="geometry").to_dict("records"), layer.geometry, strict=True):
            level = _kml_level(name, record, worst, rank_to_code)
            data = [kml_data.Data(name=key, value="" if _missing(value) else str(value))
                    for key, value in record.items()]
            marks.append(Placemark(name=_kml_name(name, record), geometry=_shape(geom),
                                   style_url=kml_styles.StyleUrl(url=f"#risk-{level}"),
                                   extended_data=kml_data.ExtendedData(elements=data)))
        folders.append(Folder(name=LAYER_TITLES[name], id=name, features=marks))
    document = Document(name="学校周边危险水域", styles=style_list, features=folders)
    return kml.KML(features=[document]).to_string(prettyprint=True)


def _kml_level(layer: str, record: Mapping[str, object], worst: pd.Series, rank_to_code: Mapping[int, str]) -> str:
    if layer == "pairs":
        return str(record["risk_level"])
    school = str(record.get("school_id"))
    if layer == "schools" and school in worst.index:
        return rank_to_code.get(int(worst.loc[school]), "none")
    return "none"


def _kml_name(layer: str, record: Mapping[str, object]) -> str:
    if layer == "pairs":
        return f"{record['school']} — {record['water']}（{record['risk_level_label']}）"
    if layer == "derived":
        return f"第 {record['row']} 行推算位置"
    return str(record.get("name", ""))


def _kml_style(code: str, colour: str) -> kml_styles.Style:
    red, green, blue = colour[1:3], colour[3:5], colour[5:7]
    abgr = f"ff{blue}{green}{red}".lower()
    return kml_styles.Style(id=f"risk-{code}", styles=[
        kml_styles.IconStyle(color=abgr, scale=1.1, icon_href=KML_ICON), kml_styles.LineStyle(color=abgr, width=4),
        kml_styles.PolyStyle(color=f"66{blue}{green}{red}".lower())])


def _shape(geom: BaseGeometry | None) -> Any:
    if geom is None or shapely.is_empty(geom):
        return None
    return geom


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))
