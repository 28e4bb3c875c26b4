"""The 告知书 and 数据交换 pages with Streamlit's AppTest (the geocoding review: tests/test_app_geocode.py).

Files the app hands out (the notice PDF, its PNG preview) are read back from AppTest's media storage.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import shapely
from streamlit.testing.v1 import AppTest

from school_water_map.pipeline.annexes import active_annex
from school_water_map.pipeline.register import build_register
from school_water_map.store.annexes import annex_history
from school_water_map.store.database import open_store
from tests.app_support import (
    EXCHANGE,
    exchange_page,
    media_file,
    new_app,
    paste_annex,
    run_page,
    shown,
    texts,
)
from tests.conftest import REPO

S01 = "640302-S01"  # 利通区第十一小学
S08 = "640302-S08"  # 马莲渠中心巴浪湖小学
SITE = "640302-S37-W47"  # 板桥波浪渠小学 · 波浪渠
NOTICES, LOCATE, REGISTER = (f"app_pages/{name}.py" for name in ("notices", "locate", "register"))


def _preview_and_pdf(at: AppTest, media: list) -> tuple[bytes, object]:
    (image,) = at.get("image")
    png = media_file(media, image.proto.imgs[0].url).content
    (button,) = [b for b in at.download_button if b.key == "notice_download"]
    return png, media_file(media, button.proto.url)


# 告知书 ------------------------------------------------------------------------------------------------

def test_each_kind_of_notice_is_previewed_and_offered_as_a_pdf(app_settings, media):
    at = run_page(new_app(), NOTICES)
    assert at.title[0].value == "告知书与警示告示"
    assert at.button_group(key="notice_kind").value == "letter"
    at.selectbox(key="notice_school").set_value(S01)
    run_page(at)
    png, pdf = _preview_and_pdf(at, media)
    assert png.startswith(b"\x89PNG") and pdf.content.startswith(b"%PDF")
    assert pdf.filename == "640302-S01_利通区第十一小学_致家长告知书.pdf"
    assert at.download_button(key="notice_download").proto.label == "下载致家长告知书（PDF）"

    at.button_group(key="notice_kind").set_value("site")
    run_page(at)
    site = at.selectbox(key="notice_site")
    assert "板桥波浪渠小学 · 波浪渠" in site.options
    site.set_value(SITE)
    at.button_group(key="notice_size").set_value("A3")
    run_page(at)
    png, pdf = _preview_and_pdf(at, media)
    assert png.startswith(b"\x89PNG") and pdf.content.startswith(b"%PDF")
    assert pdf.filename == f"{SITE}_警示告示_A3.pdf"

    at.button_group(key="notice_kind").set_value("township")
    run_page(at)
    township = at.selectbox(key="notice_township")
    assert township.options[-1] == "乡镇待确认"
    township.set_value("乡镇待确认")
    run_page(at)
    png, pdf = _preview_and_pdf(at, media)
    assert png.startswith(b"\x89PNG") and pdf.filename == "乡镇待确认_巡查表.pdf"


@pytest.mark.parametrize(("param", "value", "kind", "key", "chosen"), [
    ("school", S08, "letter", "notice_school", S08),
    ("notice_site", SITE, "site", "notice_site", SITE),
    ("water", "640302-W47", "site", "notice_site", SITE),  # 波浪渠: its riskiest site
    ("township", "板桥乡", "township", "notice_township", "板桥乡"),
])
def test_a_link_opens_the_page_on_its_document(app_settings, param, value, kind, key, chosen):
    at = new_app()
    at.query_params[param] = value
    run_page(at, NOTICES)
    assert at.button_group(key="notice_kind").value == kind
    assert at.selectbox(key=key).value == chosen
    assert not at.query_params.get(param)  # taken once: the person may choose another document now


def test_an_unknown_link_says_so_and_shows_the_default(app_settings):
    at = new_app()
    at.query_params["school"] = "640302-S99"
    run_page(at, NOTICES)
    assert "找不到" in at.warning[0].value and at.button_group(key="notice_kind").value == "letter"


def test_a_character_the_font_lacks_is_reported_in_chinese(app_settings):
    app_settings.data_dir.mkdir(parents=True, exist_ok=True)
    app_settings.notices_config_path.write_text('[district]\nunit = "利通区教育𠀀"\n', encoding="utf-8")
    at = run_page(new_app(), NOTICES)
    assert "无法生成" in at.error[0].value and "U+20000" in shown(at.error[0].value)
    assert not at.get("image") and not at.download_button
    app_settings.notices_config_path.write_text('[district]\nunit = "利通区教育局"\n', encoding="utf-8")
    run_page(at)  # the contacts file changed: the cached failure is not kept, the notice is made again
    assert not at.error and at.get("image")


def test_the_register_offers_the_chosen_rows_letter_and_notice(app_settings):
    at = run_page(new_app(), REGISTER)
    at.session_state["register_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    run_page(at)
    letter, notice = at.download_button(key="register_notice_letter"), at.download_button(key="register_notice_site")
    assert (letter.proto.label, notice.proto.label) == ("下载告知书", "下载警示告示")
    assert letter.proto.deferred_file_id and notice.proto.deferred_file_id  # made when pressed, not on every rerun


# 数据交换 ----------------------------------------------------------------------------------------------

def test_every_export_format_is_offered(app_settings):
    at = run_page(new_app(), EXCHANGE)
    assert at.title[0].value == "数据交换"
    assert [t.label for t in at.tabs] == ["导出", "导入位置与几何", "新一年附件"]
    labels = {b.key: b.proto.label for b in at.download_button}
    assert labels == {"export_gpkg": "下载 GeoPackage", "export_geojson": "下载 GeoJSON", "export_kml": "下载 KML",
                      "export_kmz": "下载 KMZ", "export_csv": "下载 CSV", "export_xlsx": "下载 Excel（XLSX）"}
    assert all(b.proto.deferred_file_id for b in at.download_button)
    assert "导出全部 89 行附件" in texts(at.caption)


def _geojson(name: str, coordinates: list) -> bytes:
    feature = {"type": "Feature", "properties": {"name": name},
               "geometry": {"type": "LineString", "coordinates": coordinates}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False).encode()


def test_a_drawn_canal_is_imported_in_the_chosen_crs(app_settings):
    at = exchange_page()
    at.get("file_uploader")[0].upload("秦渠.geojson", _geojson("秦渠", [[106.20, 37.99], [106.22, 37.995]]))
    run_page(at)
    assert at.selectbox(key="exchange_crs").value == "WGS84"  # a geometry file asks for its CRS
    at.button(key="exchange_import").click()
    run_page(at)
    assert "已导入 1 处位置（秦渠.geojson）" in shown(at.success[0].value)
    (stored,) = open_store(app_settings).positions.load()
    assert (stored.entity_id, stored.method, stored.author, stored.input_crs) == ("640302-W01", "import", "李四",
                                                                                   "WGS84")
    assert stored.geometry.geom_type == "LineString"
    assert shapely.get_x(stored.geometry.centroid) == pytest.approx(106.21)


def test_a_geometry_file_with_a_bad_feature_is_refused_whole(app_settings):
    at = exchange_page()
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "秦渠"},
         "geometry": {"type": "LineString", "coordinates": [[106.20, 37.99], [106.22, 37.995]]}},
        {"type": "Feature", "properties": {"name": "没有这条渠"},
         "geometry": {"type": "Point", "coordinates": [106.2, 37.98]}}]}
    at.get("file_uploader")[0].upload("两条.geojson", json.dumps(bad, ensure_ascii=False).encode())
    run_page(at)
    at.button(key="exchange_import").click()
    run_page(at)
    assert "文件未导入：共 1 处问题" in at.error[0].value
    assert "找不到学校或水体：“没有这条渠”" in texts(at.markdown)
    assert open_store(app_settings).positions.load() == []


def _annex_text(change: dict[int, str], *, tabs: bool = True) -> str:
    """The 2021 annex as pasted text, with some distance cells replaced (row → new text)."""
    with (REPO / "geodata" / "litong_2021_annex.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if int(row[0]) in change:
            row[3] = change[int(row[0])]
    out = io.StringIO()
    csv.writer(out, delimiter="\t" if tabs else ",").writerows(rows)
    return out.getvalue()


def test_next_years_annex_is_compared_then_applied_after_a_confirmation(app_settings):
    before = build_register(app_settings).pairs.set_index("row").loc[2]
    assert before["distance_m"] == 1000
    at = paste_annex(exchange_page("王五"), _annex_text({2: "学校东 150 米"}))
    assert "附件检查通过：89 行" in at.success[0].value
    (changed,) = [t.value for t in at.dataframe if "原距离" in t.value.columns]
    assert changed.iloc[0].to_dict() == {"学校": "利通区第十一小学", "水体": "清水沟", "原距离": "学校东 1000 米",
                                         "新距离": "学校东 150 米", "原行号": 2, "新行号": 2}
    assert "距离有变化（1）" in texts(at.markdown)
    at.button(key="annex_apply").click()
    run_page(at)
    assert "确定用新附件（89 行）替换当前附件吗" in at.warning[0].value
    assert annex_history(app_settings) == []  # nothing applied before the confirmation
    at.button(key="annex_confirm").click()
    run_page(at)
    assert "已应用新附件：89 行" in at.success[0].value
    applied = active_annex(app_settings)
    assert (applied.applied_by, applied.source) == ("王五", "粘贴的表格")
    at.switch_page(REGISTER).run()  # the register switched: row 2 is now 150 m away, and riskier
    table = at.dataframe[0].value.set_index("序号")
    assert table.loc[2, "上报距离"] == "学校东 150 米"


def test_an_unchanged_annex_needs_no_apply(app_settings):
    at = paste_annex(exchange_page(), _annex_text({}, tabs=False))
    assert "没有变化" in at.info[0].value
    assert "annex_apply" not in [b.key for b in at.button]


def test_bad_annex_rows_are_listed_in_a_table(app_settings):
    at = paste_annex(exchange_page(), _annex_text({2: "学校东边不远", 7: "很近"}))
    assert "新附件有 2 处无法识别" in at.error[0].value
    errors = at.dataframe[0].value
    assert list(errors.columns) == ["行", "列", "内容", "问题"]
    assert list(errors["行"]) == ["2", "7"] and errors["内容"].iloc[0] == "学校东边不远"
    assert "annex_apply" not in [b.key for b in at.button]


def test_an_annex_file_is_read_by_its_suffix(app_settings):
    at = exchange_page()
    text = _annex_text({2: "学校东 900 米"}, tabs=False)
    at.get("file_uploader")[1].upload("2022年附件.csv", text.encode("utf-8-sig"))
    run_page(at)
    assert "附件检查通过：89 行" in at.success[0].value
    assert "距离有变化（1）" in texts(at.markdown)
