from __future__ import annotations

import re
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, mapping

from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.trace import trace_request
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


#: A test line 波浪渠 is traced as (WGS-84), about 55 m south of ``SCHOOL`` (not the canal's real course).
BOLANG_LINE = LineString([(106.298, 37.8995), (106.300, 37.8995), (106.302, 37.8996)])


@pytest.fixture
def traced(settings, located):
    """``located``, and 波浪渠 traced as a line (描绘水体)."""
    request = trace_request([{"type": "Feature", "properties": {}, "geometry": mapping(BOLANG_LINE)}],
                            located.resolution.water("波浪渠"), crs="WGS84", source="描绘水体", author="张三")
    record([request], located.resolution, load_context(settings.geodata_dir).outline.union_all(),
           open_store(settings).positions)
    return build_register(settings)


def test_geopackage_carries_row_83s_computed_distance_and_the_traced_line(tmp_path, traced):
    path = write_export(traced, tmp_path / "register.gpkg")
    pairs = pyogrio.read_dataframe(path, layer="pairs")
    row = pairs[pairs["row"].astype(int) == 83].iloc[0]
    assert float(row["computed_distance_m"]) == pytest.approx(55.5, abs=2)
    others = pairs[pairs["row"].astype(int) != 83]
    assert set(others["computed_distance_m"].fillna("")) == {""}  # no other pair has both ends placed
    water = gpd.read_file(path, layer="water").set_index("water_id")
    line = water.at[traced.resolution.water("波浪渠").water_id, "geometry"]
    assert line.geom_type == "LineString" and line.equals_exact(BOLANG_LINE, 1e-9)
    assert water.at[traced.resolution.water("波浪渠").water_id, "source"] == "描绘水体"


def test_kml_carries_row_83s_computed_distance_and_the_traced_line(tmp_path, traced):
    text = write_export(traced, tmp_path / "register.kml").read_text(encoding="utf-8")
    mark = re.search(r"<Placemark>\s*<name>板桥波浪渠小学 — 波浪渠（[^）]+）</name>.*?</Placemark>", text,
                     re.S)
    assert mark, "row 83's placemark"
    distance = re.search(r'<Data name="computed_distance_m">\s*<value>([\d.]+)</value>', mark.group(0))
    assert distance and float(distance[1]) == pytest.approx(55.5, abs=2)
    assert "<LineString>" in text and "106.298" in text  # the traced canal in the 水体 folder
    pairs = gpd.read_file(tmp_path / "register.kml", layer="隐患清单")
    assert float(pairs.loc[pairs["row"].astype(int) == 83, "computed_distance_m"].iloc[0]) == pytest.approx(55.5, abs=2)
