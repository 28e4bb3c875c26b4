"""巡查概况: per township and in total, the share of sites inspected within their due window, the sites
never inspected apart from the overdue ones, open problems, and inspections away from the site or without
a position; each table as CSV, all of them as one XLSX. Counts carry no trend arrow (no ``delta``)."""

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
towns, total = report.townships, report.total

cycle = cycle_text(rules, today)
st.caption(f"截至 {today.year}年{today.month}月{today.day}日（{cycle}）。按期巡查：在应巡查周期内有巡查记录的站点；"
           "从未巡查的站点不计入逾期。")
sites_n, on_time = int(total["站点数"]), int(total["按期巡查"])
first, second = st.columns(3), st.columns(3)
rate = f"{on_time / sites_n:.0%}" if sites_n else "—"
first[0].metric("按期巡查率", rate, help=f"按期巡查 {on_time}/{sites_n} 处站点")
first[1].metric("从未巡查", int(total["从未巡查"]), help="还没有任何巡查记录的站点")
first[2].metric("逾期站点", int(total["逾期"]), help="巡查过、但下次巡查已过期的站点")
second[0].metric("未解决的问题", len(report.problems), help="最近一次巡查仍有未解决问题的站点")
second[1].metric("不在现场的巡查", int(total["不在现场"]), help="定位显示巡查人不在站点附近")
second[2].metric("无定位的巡查", int(total["无定位"]), help="提交时没有取得定位，无法核验是否在现场")

tables = {"各乡镇": towns, "从未巡查": report.never, "逾期站点": report.overdue, "未解决的问题": report.problems,
          "不在现场或无定位的巡查": report.unconfirmed}
st.download_button(f"下载 Excel（XLSX，{len(tables)} 张表）", xlsx_bytes(tables), file_name=f"巡查概况_{today}.xlsx",
                   mime=XLSX, icon=":material/download:", key="coverage_xlsx", width="stretch")
EMPTY = {"从未巡查": "每个站点都已有巡查记录。", "逾期站点": "没有逾期的站点。", "未解决的问题": "没有未解决的问题。",
         "不在现场或无定位的巡查": "没有不在现场或无定位的巡查。"}
labels = [t if t == "各乡镇" else f"{t}（{len(df)}）" for t, df in tables.items()]
for tab, (title, table) in zip(st.tabs(labels), tables.items(), strict=True):
    with tab:
        if table.empty:
            st.caption(EMPTY.get(title, "没有记录。"))
            continue
        config = {"覆盖率": st.column_config.ProgressColumn("按期巡查率", min_value=0, max_value=1, format="percent")}
        if title == "各乡镇":  # every township and the 合计 row, without scrolling inside the grid
            st.dataframe(table, hide_index=True, column_config=config, height=(len(table) + 1) * 35 + 3)
        else:
            st.dataframe(table, hide_index=True)
        st.download_button(f"下载“{title}” CSV", csv_bytes(table), file_name=f"巡查概况_{title}_{today}.csv",
                           mime="text/csv", icon=":material/download:", key=f"coverage_csv_{title}")
