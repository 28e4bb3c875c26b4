"""数据交换: export the register for GIS tools, import positions and drawn geometry, and take in next
year's annex (check, compare, apply)."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages.parts import annex_update, state, ui
from app_pages.parts.position_upload import GEOMETRY_TYPES, TABLE_TYPES, position_upload
from school_water_map.outputs.export import FORMATS, MIME_TYPES
from school_water_map.settings import Settings

#: Each export format's button label and what it is for.
EXPORTS = {
    "gpkg": ("GeoPackage", "QGIS、ArcGIS：四个图层（隐患清单、学校、水体、推算水体位置）"),
    "geojson": ("GeoJSON", "网页地图和多数 GIS 软件"),
    "kml": ("KML", "Google 地球、奥维互动地图"),
    "kmz": ("KMZ", "压缩的 KML，便于发送"),
    "csv": ("CSV", "隐患清单表格（Excel、WPS 可直接打开）"),
    "xlsx": ("Excel（XLSX）", "四个工作表，位置为 WKT 文本"),
}
EXPORT_NAME = "学校周边危险水域"


def main() -> None:
    st.title("数据交换")
    settings = state.settings()
    register = state.register(settings)
    state.show_flash()
    ui.author_field(st.columns(2)[0])  # who imports or applies (kept with every position and the annex)
    export, imports, annex = st.tabs(["导出", "导入位置与几何", "新一年附件"])
    with export:
        _export(settings, len(register.pairs))
    with imports:
        st.caption("每处学校或水体一行（CSV、Excel：编号或名称、经度、纬度，可选 坐标系、来源、精度、备注），"
                   "或画好的点、线、面（GeoJSON、KML/KMZ、GPX：每个要素的“名称”或“编号”写学校或水体）。"
                   "同一水体的多段线合并为一处。任何一处有错，整个文件都不导入，并列出全部问题。")
        position_upload(settings, register, key="exchange", types=(*TABLE_TYPES, *GEOMETRY_TYPES),
                        label="位置或几何文件（CSV、Excel、GeoJSON、KML、KMZ、GPX）")
    with annex:
        annex_update.annex_section(settings, register)


def _export(settings: Settings, rows: int) -> None:
    st.caption(f"导出全部 {rows} 行附件及其风险、学校、水体和推算位置（WGS-84 经纬度）。未定位的学校和水体没有几何，"
               "不会编造位置。文件在点按时生成。")
    for number, fmt in enumerate(FORMATS):
        if number % 2 == 0:
            columns = st.columns(2)  # a row per two formats: buttons line up whatever the captions' length
        label, purpose = EXPORTS[fmt]
        with columns[number % 2]:
            st.download_button(f"下载 {label}", partial(state.export_file, settings, fmt),
                               file_name=f"{EXPORT_NAME}.{fmt}", mime=MIME_TYPES[fmt], icon=":material/download:",
                               key=f"export_{fmt}", on_click="ignore", width="stretch")
            st.caption(purpose)


main()
