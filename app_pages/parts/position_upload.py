"""Importing positions from a file: 定位与校核 (CSV/XLSX) and 数据交换 (also GeoJSON, KML/KMZ, GPX).

All rows or features, or none: every problem is listed in Chinese and nothing is stored while any
remains. The uploader gets a fresh key after an import, so the imported file is not offered again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

import streamlit as st

from app_pages.parts import access, state, ui
from app_pages.parts.md_text import md
from school_water_map.domain.positions import RECORDABLE, PositionRecord
from school_water_map.domain.register import Register
from school_water_map.errors import DataFileError, GeometryImportError, PositionCsvError, PositionError
from school_water_map.geo.crs import BD09, CRS_ZH, GCJ02, WGS84
from school_water_map.io.tables import xlsx_to_csv_bytes
from school_water_map.pipeline.placing import import_geometries, import_positions
from school_water_map.settings import Settings
from school_water_map.store.database import open_store

TABLE_TYPES = ("csv", "xlsx")
GEOMETRY_TYPES = ("geojson", "json", "kml", "kmz", "gpx")
PRECISION_HELP = {"surveyed": "实测（现场GPS，或在影像上确认）", "gazetteer": "地名库（权威名录）",
                  "geocoded": "未确认（粗略位置，图上以虚线显示）"}


def position_upload(settings: Settings, register: Register, *, key: str, types: Sequence[str], label: str) -> None:
    """A file uploader, the options its kind needs, and one button that imports every position or none."""
    version = st.session_state.get(f"{key}_upload_version", 0)
    upload = st.file_uploader(label, type=list(types), key=f"{key}_upload_{version}")
    geometry = upload is not None and PurePath(upload.name).suffix.lower().lstrip(".") in GEOMETRY_TYPES
    crs = WGS84
    if geometry:
        crs = str(st.selectbox("文件的坐标系", [WGS84, GCJ02, BD09], format_func=CRS_ZH.__getitem__, key=f"{key}_crs",
                               help="从高德/腾讯导出的选 GCJ-02，从百度导出的选 BD-09；导入时换算为 WGS-84。",
                               placeholder="请选择坐标系"))
    precision = precision_choice(key, default="surveyed")
    author = ui.current_author()
    if st.button("导入全部位置", disabled=upload is None or not author, icon=":material/upload:", key=f"{key}_import"):
        assert upload is not None
        try:
            stored = _import(settings, register, upload.name, upload.getvalue(), author=author, crs=crs,
                             precision=precision)
        except (PositionCsvError, GeometryImportError) as exc:
            st.error(f"文件未导入：共 {len(exc.problems)} 处问题，须全部改正后再导入。", icon=":material/error:")
            st.markdown("\n".join(f"- {md(problem)}" for problem in exc.problems))
            return
        except (DataFileError, PositionError) as exc:
            st.error(f"文件未导入：{md(exc)}", icon=":material/error:")
            return
        st.session_state[f"{key}_upload_version"] = version + 1
        state.after_write(f"已导入 {len(stored)} 处位置（{md(upload.name)}）。")
        st.rerun()
    if not author:
        st.caption("请先填写录入人。")


def precision_choice(key: str, *, default: str) -> str:
    """How precise the positions about to be saved are (surveyed, gazetteer or unconfirmed)."""
    choice = st.radio("位置精度", list(RECORDABLE), index=list(RECORDABLE).index(default), horizontal=True,
                      format_func=PRECISION_HELP.__getitem__, key=f"precision_{key}_{default}")
    return str(choice)


def _import(settings: Settings, register: Register, name: str, data: bytes, *, author: str, crs: str,
            precision: str) -> list[PositionRecord]:
    area, positions = state.area(settings), open_store(settings).positions
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix in TABLE_TYPES:
        table = xlsx_to_csv_bytes(data, name) if suffix == "xlsx" else data
        return import_positions(table, register.resolution, area, positions, author=author,
                                source=f"CSV导入：{name}", precision=precision, user=access.user(), filename=name)
    return import_geometries(data, name, register.resolution, area, positions, author=author, crs=crs,
                             precision=precision)
