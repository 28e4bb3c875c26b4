from __future__ import annotations

import csv
import json

import pandas as pd

from school_water_map.io.annex_file import read_annex_file
from school_water_map.pipeline.annexes import active_annex
from school_water_map.settings import Settings
from school_water_map.store.annexes import annex_history
from tests.conftest import REPO
from tests.helpers import swmap


def _modified_annex(path):
    """The 2021 annex with: row 5 removed, row 2's distance changed, 利通十小 renamed, two new rows."""
    with (REPO / "geodata" / "litong_2021_annex.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [r for r in rows[1:] if r[0] != "5"]
    for row in body:
        if row[0] == "2":
            row[3] = "学校东 900 米"
        if row[1] == "利通十小":
            row[1] = "利通区第十小学（南校区）"
    body += [["90", "上桥新建小学", "水渠", "约50米", ""], ["91", "开元小学", "清宁河", "0.5公里", ""]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    return path


def test_diff_of_a_modified_annex(tmp_path):
    path = _modified_annex(tmp_path / "annex-2022.csv")
    diff = json.loads(swmap("annex", "diff", str(path), "--format", "json", data_dir=tmp_path / "d").stdout)
    assert diff["summary"] == {"added": 2, "removed": 1, "distance_changed": 1, "schools_renamed": 1,
                               "water_renamed": 0, "new_schools": 1, "new_water": 1}
    assert diff["removed"][0] == {"school": "利通区第十一小学", "water": "黄河", "old_row": 5, "new_row": None,
                                  "old_text": "学校西 6000 米", "new_text": None}
    changed = diff["distance_changed"][0]
    assert (changed["water"], changed["old_text"], changed["new_text"]) == ("清水沟", "学校东 1000 米", "学校东 900 米")
    assert diff["schools_renamed"] == [{"entity_id": "640302-S26", "old": "利通区第十小学",
                                        "new": "利通区第十小学（南校区）"}]
    added = {(a["school"], a["new_text"]) for a in diff["added"]}
    assert added == {("上桥新建小学", "约50米"), ("开元小学", "0.5公里")}
    text = swmap("annex", "diff", str(path), data_dir=tmp_path / "d").stdout
    assert "学校更名（1）" in text and "“学校东 1000 米” → “学校东 900 米”" in text


def test_apply_switches_the_register_and_keeps_ids_and_positions(tmp_path):
    data = tmp_path / "d"
    swmap("locate", "利通十小", "--lon", "106.2", "--lat", "37.98", "--source", "测试", "--author", "甲",
          data_dir=data)
    path = _modified_annex(tmp_path / "annex-2022.csv")
    out = swmap("annex", "apply", str(path), "--author", "乙", data_dir=data).stdout
    assert "已应用新附件：90 行" in out
    pairs = json.loads(swmap("pairs", data_dir=data).stdout)
    assert len(pairs) == 90 and max(p["row"] for p in pairs) == 91
    renamed = [p for p in pairs if p["school_text"] == "利通区第十小学（南校区）"]
    assert {p["school_id"] for p in renamed} == {"640302-S26"} and renamed[0]["school_precision"] == "surveyed"
    new = next(p for p in pairs if p["row"] == 90)
    assert new["distance_m"] == 50 and new["approximate"] and new["township"] == "上桥镇"
    # applying the same file again changes nothing; every applied annex is kept, the newest in force
    again = swmap("annex", "apply", str(path), "--author", "乙", data_dir=data).stdout
    assert "没有变化" in again
    history = annex_history(Settings.from_env({"SWMAP_DATA_DIR": str(data)}))
    assert [(len(a.rows), a.applied_by) for a in history] == [(90, "乙"), (90, "乙")]
    assert history[-1].aliases == {"利通区第十小学（南校区）": "640302-S26"}


def test_bad_rows_are_refused_naming_each(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("序号,学校名称,河湖名称,距离学校距离,备注\n1,甲小学,秦渠,很近,\n2,乙小学,汉渠,200 米,\n"
                    "3,丙小学,黄河,1000米或2000米,\n", encoding="utf-8")
    for action in ("check", "apply"):
        result = swmap("annex", action, str(path), "--author", "乙", data_dir=tmp_path / "d", check=False)
        assert result.returncode == 1
        assert "第 1 行" in result.stderr and "很近" in result.stderr and "第 3 行" in result.stderr
    assert not (tmp_path / "d" / "annex").exists()
    assert "附件检查通过：89 行" in swmap("annex", "check", str(REPO / "geodata" / "litong_2021_annex.csv"),
                                          data_dir=tmp_path / "d").stdout


def test_xlsx_and_pasted_text_read_like_the_csv(tmp_path, settings):
    rows = read_annex_file(REPO / "geodata" / "litong_2021_annex.csv")
    table = pd.read_csv(REPO / "geodata" / "litong_2021_annex.csv", dtype=str).fillna("")
    xlsx = tmp_path / "annex.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame([["利通区学校周边水域排查情况公示表"]]).to_excel(writer, index=False, header=False)
        table.to_excel(writer, index=False, startrow=2)
    assert read_annex_file(xlsx) == rows
    pasted = tmp_path / "annex.txt"
    pasted.write_text(table.to_csv(sep="\t", index=False), encoding="utf-8")
    assert read_annex_file(pasted) == rows
    assert active_annex(settings).rows == rows  # nothing applied: the curated transcription
