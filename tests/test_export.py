from __future__ import annotations

import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.geo.layers import load_context
from school_water_map.outputs.export import FORMATS, MIME_TYPES, export_bytes, write_export
from school_water_map.pipeline.register import build_register
from school_water_map.store.database import open_store

SCHOOL = Point(106.30, 37.90)  # a test position, not a real school's


@pytest.fixture
def located(settings):
    """The register after one school (板桥波浪渠小学) was placed."""
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    record([LocateRequest("板桥波浪渠小学", SCHOOL, "WGS84", "测试", "张三", "click")], register.resolution, area,
           open_store(settings).positions)
    return build_register(settings)


def _check_pairs(frame, register):
    assert len(frame) == 89
    expected = register.pairs.set_index("row")["risk_level"]
    got = frame.assign(row=frame["row"].astype(int)).set_index("row")["risk_level"]
    assert got.sort_index().tolist() == expected.sort_index().tolist()


def test_geopackage_reads_back_with_every_pair_and_risk(tmp_path, located):
    path = write_export(located, tmp_path / "register.gpkg")
    assert {name for name, _ in pyogrio.list_layers(path)} == {"pairs", "schools", "water", "derived"}
    pairs = gpd.read_file(path, layer="pairs")
    _check_pairs(pairs, located)
    placed = pairs[pairs["school_id"] == "640302-S37"]
    assert placed.geometry.iloc[0].equals(SCHOOL)
    unplaced = pairs[pairs["school_precision"] == "unplaced"]
    assert unplaced.geometry.isna().all()  # never a made-up point
    derived = gpd.read_file(path, layer="derived")
    assert len(derived) == 1 and derived["shape"].iloc[0] == "ring"
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("fmt", ["kml", "kmz"])
def test_kml_reads_back_styled_by_risk_with_chinese_names(tmp_path, located, fmt):
    path = write_export(located, tmp_path / f"register.{fmt}")
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert layers == ["隐患清单", "学校", "水体", "推算水体位置"]
    pairs = gpd.read_file(path, layer="隐患清单")
    _check_pairs(pairs, located)
    assert "板桥波浪渠小学 — 波浪渠（高）" in set(pairs["Name"])
    assert pairs.geometry.notna().sum() == 1  # only the located school's pair has a point
    text = path.read_text(encoding="utf-8") if fmt == "kml" else zipfile.ZipFile(path).read("doc.kml").decode()
    assert '<Style id="risk-high">' in text and "<styleUrl>#risk-high</styleUrl>" in text
    assert "ff2b39c0" in text  # the high level's colour, as KML's aabbggrr


def test_geojson_csv_and_xlsx(tmp_path, located):
    geojson = gpd.read_file(write_export(located, tmp_path / "r.geojson"))
    assert (geojson["layer"] == "pairs").sum() == 89
    table = pd.read_csv(write_export(located, tmp_path / "r.csv"), encoding="utf-8-sig")
    assert len(table) == 89 and table["risk_level"].iloc[0] == "high"
    sheets = pd.read_excel(write_export(located, tmp_path / "r.xlsx"), sheet_name=None)
    assert set(sheets) == {"隐患清单", "学校", "水体", "推算水体位置"} and len(sheets["隐患清单"]) == 89
    assert sheets["学校"].set_index("school_id").loc["640302-S37", "wkt"] == SCHOOL.wkt


def test_unknown_format_is_a_chinese_error(tmp_path, register):
    with pytest.raises(ValueError, match="不支持的导出格式"):
        write_export(register, tmp_path / "r.shp")


def test_export_bytes_are_the_written_file(tmp_path, located):
    assert set(MIME_TYPES) == set(FORMATS)
    data = export_bytes(located, "gpkg")
    assert data.startswith(b"SQLite format 3")
    (tmp_path / "r.gpkg").write_bytes(data)
    _check_pairs(gpd.read_file(tmp_path / "r.gpkg", layer="pairs"), located)
    assert export_bytes(located, "csv") == write_export(located, tmp_path / "r.csv").read_bytes()
    with pytest.raises(ValueError, match="不支持的导出格式"):
        export_bytes(located, "shp")
