"""The position and geometry importers report a bad file whole: every cell of a bad row, and every problem
of a file in the CLI (whose one-line message shows only the first ten)."""

from __future__ import annotations

import json

import pytest

from school_water_map.errors import PositionCsvError
from school_water_map.geo.layers import load_context
from school_water_map.io.position_csv import TEMPLATE
from school_water_map.pipeline.placing import import_positions
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from tests.helpers import swmap


def test_a_bad_position_row_names_every_bad_cell(settings):
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    text = "编号或名称,经度,纬度,精度\n,东经一百度,,大概\n秦渠,106.2,北纬九十一度,\n"
    with pytest.raises(PositionCsvError) as info:
        import_positions(text.encode(), register.resolution, area, open_store(settings).positions, author="李四",
                         source="测试")
    first, second = info.value.problems
    assert first.startswith("第 2 行：未填写编号或名称；") and "经度" in first and "请填写纬度" in first
    assert "精度“大概”无法识别" in first
    assert second.startswith("第 3 行：") and "纬度" in second


def test_swmap_import_prints_every_problem_of_a_positions_file(tmp_path):
    path = tmp_path / "positions.csv"
    path.write_text(TEMPLATE + "".join(f"没有这所学校{n},106.2,37.98,,,\n" for n in range(12)), encoding="utf-8")
    result = swmap("import", str(path), "--author", "李四", data_dir=tmp_path / "d", check=False)
    assert result.returncode == 2
    assert "共 12 处问题" in result.stderr
    assert all(f"第 {n + 2} 行：找不到" in result.stderr and f"没有这所学校{n}" in result.stderr for n in range(12))
    assert open_store(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "d")})).positions.load() == []


def test_swmap_import_prints_every_problem_of_a_geometry_file(tmp_path):
    features = [{"type": "Feature", "properties": {"name": f"没有这条渠{n}"},
                 "geometry": {"type": "Point", "coordinates": [106.2, 37.98]}} for n in range(11)]
    path = tmp_path / "drawn.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    result = swmap("import", str(path), "--author", "李四", data_dir=tmp_path / "d", check=False)
    assert result.returncode == 2 and "共 11 处问题" in result.stderr
    assert all(f"没有这条渠{n}" in result.stderr for n in range(11))
