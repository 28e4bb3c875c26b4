from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.conftest import REPO
from tests.helpers import swmap


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return json.loads(swmap("pairs", "--format", "json", data_dir=tmp_path_factory.mktemp("d")).stdout)


def _annex():
    with (REPO / "geodata" / "litong_2021_annex.csv").open(encoding="utf-8") as handle:
        return {int(r["序号"]): r for r in csv.DictReader(handle)}


def test_pairs_json_has_89_records_matching_their_annex_rows(pairs):
    annex = _annex()
    assert sorted(p["row"] for p in pairs) == list(range(1, 90))
    letters = {"北": "N", "南": "S", "东": "E", "西": "W"}
    for record in pairs:
        source = annex[record["row"]]
        assert (record["school_text"], record["water_text"], record["distance_text"], record["note"]) == (
            source["学校名称"], source["河湖名称"], source["距离学校距离"], source["备注"])
        numbers = re.findall(r"\d+", source["距离学校距离"])
        assert record["distance_m"] == (int(numbers[0]) if numbers else None)
        words = re.sub(r"[^东南西北]", "", source["距离学校距离"])
        assert record["directions"] == [letters[c] for c in sorted(words, key="北东南西".index)]
        assert record["at_gate"] == ("校门口" in source["距离学校距离"])
        assert record["seasonal"] == ("季节性" in source["备注"])
    row61 = next(p for p in pairs if p["row"] == 61)
    assert row61["distance_max_m"] == 2000


def test_pairs_json_has_the_documented_fields(pairs):
    required = {"row", "school_id", "school", "water_id", "water", "distance_text", "distance_m", "distance_max_m",
                "directions", "at_gate", "seasonal", "note", "township", "risk_level", "risk_score", "reasons",
                "computed_distance_m", "school_precision", "water_precision"}
    assert all(required <= set(p) for p in pairs)
    assert [p["row"] for p in pairs[:3]] in ([15, 83, 44], [83, 15, 44])


def test_pairs_csv(tmp_path):
    out = swmap("pairs", "--format", "csv", data_dir=tmp_path).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 89
    row26 = next(r for r in rows if r["row"] == "26")
    assert row26["directions"] == "N|S" and "距离" in row26["reasons"]


def test_schools_and_water_json(tmp_path):
    schools = json.loads(swmap("schools", data_dir=tmp_path).stdout)
    assert len(schools) == 40
    assert {"school_id", "name", "aliases", "level", "township", "precision", "lon", "lat", "source"} <= set(schools[0])
    tenth = next(s for s in schools if s["name"] == "利通区第十小学")
    assert tenth["aliases"] == ["利通十小"] and tenth["lon"] is None and tenth["precision"] == "unplaced"
    water = json.loads(swmap("water", "--format", "json", data_dir=tmp_path).stdout)
    assert {"water_id", "name", "aliases", "kind", "seasonal", "precision", "source"} <= set(water[0])
    assert next(w for w in water if w["name"] == "杨马湖村灌溉渠")["seasonal"] is True


def test_check_report_in_chinese(tmp_path):
    out = swmap("check", data_dir=tmp_path).stdout
    for text in ("未定位的学校（40）", "存疑名称", "清水河", "未报距离", "第 16 行", "计算距离与上报距离不符", "小结"):
        assert text in out


def test_locate_then_history(tmp_path):
    out = swmap("locate", "板桥波浪渠小学", "--lon", "106.3044", "--lat", "37.9006", "--crs", "gcj02",
                "--source", "高德地图读取", "--author", "李四", data_dir=tmp_path).stdout
    assert "已记录" in out and "640302-S37" in out
    history = swmap("history", "640302-S37", data_dir=tmp_path).stdout
    assert "李四" in history and "高德地图读取" in history
    schools = json.loads(swmap("schools", data_dir=tmp_path).stdout)
    placed = next(s for s in schools if s["school_id"] == "640302-S37")
    assert placed["precision"] == "surveyed" and 106.29 < placed["lon"] < 106.3044


def test_user_errors_are_chinese_and_exit_2(tmp_path):
    result = swmap("locate", "不存在的学校", "--lon", "106.3", "--lat", "37.9", "--source", "x", "--author", "y",
                   data_dir=tmp_path, check=False)
    assert result.returncode == 2 and "错误：找不到学校或水体" in result.stderr
    bad = swmap("locate", "开元小学", "--lon", "37.9", "--lat", "106.3", "--source", "x", "--author", "y",
                data_dir=tmp_path, check=False)
    assert bad.returncode == 2 and "坐标超出范围" in bad.stderr
