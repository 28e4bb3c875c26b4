"""巡查概况: per township, the share of sites inspected within their due window, overdue sites, open
problems and inspections made away from the site; each table as CSV, all four as one XLSX."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from app_pages.parts import state
from school_water_map.domain.coverage import coverage
from school_water_map.domain.inspections import LOCAL_TIME, latest_by_site
from school_water_map.domain.patrol import patrol_rules
from school_water_map.domain.patrol_view import cycle_text
from school_water_map.domain.sites import sites
from school_water_map.outputs.spreadsheet import csv_bytes, xlsx_bytes
from school_water_map.store.database import open_store
from school_water_map.store.inspections import list_inspections

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("巡查概况")
settings = state.settings()
rules = patrol_rules(settings)
today = datetime.now(LOCAL_TIME).date()
inspections = list_inspections(open_store(settings))
report = coverage(sites(state.register(settings)), inspections, latest_by_site(inspections), today, rules)
towns = report.townships

cycle = cycle_text(rules, today)
st.caption(f"截至 {today.year}年{today.month}月{today.day}日（{cycle}）。按期巡查：在应巡查周期内有巡查记录的站点。")
total, on_time = int(towns["站点数"].sum()), int(towns["按期巡查"].sum())
cells = st.columns(4)
cells[0].metric("按期巡查率", f"{on_time / total:.0%}" if total else "—", f"{on_time}/{total} 处", delta_color="off")
cells[1].metric("逾期站点", len(report.overdue))
cells[2].metric("未解决的问题", len(report.problems))
cells[3].metric("不在现场的巡查", len(report.not_at_site))

tables = {"各乡镇": towns, "逾期站点": report.overdue, "未解决的问题": report.problems,
          "不在现场的巡查": report.not_at_site}
st.download_button("下载 Excel（XLSX，四张表）", xlsx_bytes(tables), file_name=f"巡查概况_{today}.xlsx",
                   mime=XLSX, icon=":material/download:", key="coverage_xlsx", width="stretch")
for tab, (title, table) in zip(st.tabs([f"{t}（{len(df)}）" for t, df in tables.items()]), tables.items(),
                               strict=True):
    with tab:
        if table.empty:
            st.caption(f"没有{title}。")
            continue
        config = {"覆盖率": st.column_config.ProgressColumn("按期巡查率", min_value=0, max_value=1, format="percent")}
        st.dataframe(table, hide_index=True, column_config=config if title == "各乡镇" else None)
        st.download_button(f"下载“{title}” CSV", csv_bytes(table), file_name=f"巡查概况_{title}_{today}.csv",
                           mime="text/csv", icon=":material/download:", key=f"coverage_csv_{title}")
