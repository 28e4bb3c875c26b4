"""隐患清单: every school–water pair ranked by risk with its reasons; filter, search, download, show on the map."""

from __future__ import annotations

import streamlit as st

from app_pages.parts import access, state, ui
from app_pages.parts.md_text import md
from school_water_map.domain.entities import KIND_ZH
from school_water_map.outputs.mapping import MapView, build_map
from school_water_map.outputs.register_view import (
    DISTANCE_CHOICES,
    PairFilter,
    filter_pairs,
    pair_table,
    to_csv_bytes,
    to_xlsx_bytes,
)

#: On screen (the downloads have every column): what a person scans first, the reasons last.
SHOWN_COLUMNS = ("序号", "风险", "措施后风险", "得分", "学校", "水体", "上报距离", "计算距离（米）", "乡镇", "水体类型",
                 "学校位置", "原因", "措施后依据", "未销号整改")

st.title("隐患清单")
settings = state.settings()
register = access.visible_register(settings)

first, second = st.columns(2)
with first:
    township = ui.township_filter(register, key="register_township")
    kind = st.selectbox("水体类型", ["all", *KIND_ZH], format_func=lambda k: KIND_ZH.get(k, "全部类型"),
                        key="register_kind", placeholder="请选择水体类型")
with second:
    distance = st.selectbox("距离", list(DISTANCE_CHOICES), format_func=lambda d: DISTANCE_CHOICES[d][0],
                            key="register_distance", placeholder="请选择距离")
    search = st.text_input("搜索学校或水体名称", key="register_search", placeholder="例如：秦渠、第十一小学")
levels = ui.level_filter(register, key="register_levels")

shown = filter_pairs(register.pairs, PairFilter(townships=township, levels=levels, distance=distance, search=search,
                                                kinds=None if kind == "all" else [kind]))
table = pair_table(shown)
st.caption(f"附件共 {len(register.pairs)} 行，当前显示 {len(table)} 行，按风险等级和得分排序。"
           "点选一行，可查看原因并在地图上显示。")
# the hidden index is named in Chinese: the toolbar's 显示或隐藏列 lists it
event = st.dataframe(ui.risk_styled(table.rename_axis("行号"), register), key=state.REGISTER_TABLE, on_select="rerun",
                     selection_mode="single-row", hide_index=True, height=420, column_order=SHOWN_COLUMNS,
                     column_config={"序号": st.column_config.NumberColumn(width="small"),
                                    "原因": st.column_config.TextColumn(width="large")})
left, right = st.columns(2)
left.download_button("下载 CSV", to_csv_bytes(table), file_name="隐患清单.csv", mime="text/csv",
                     icon=":material/download:", width="stretch")
right.download_button("下载 Excel（XLSX）", to_xlsx_bytes(table), file_name="隐患清单.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      icon=":material/download:", width="stretch")

if event.selection.rows:
    pair = shown.iloc[event.selection.rows[0]]
    st.subheader(f"第 {pair['row']} 行：{md(pair['school'])} — {md(pair['water'])}")
    st.markdown(f"**上报风险：{pair['risk_level_label']}**（{pair['risk_score']:g} 分）；"
                f"**措施后：{pair['residual_level_label']}**（{md(pair['residual_basis'])}）；"
                f"上报距离：{md(pair['distance_text'] or '未报')}")
    st.markdown("\n".join(f"- {md(r['text'])}（{r['points']:+g}）" for r in pair["reasons"]))
    ui.notice_downloads(settings, register, pair["school_id"], pair["water_id"], key="register_notice")
    ui.task_button(pair["site_id"], key="register_task")
    if pair["school_precision"] == "unplaced":
        st.info("该校尚未定位，暂不能在地图上显示。定位学校后，其周边水体会按附件的方向和距离推算显示。",
                icon=":material/location_off:")
        ui.locate_button(pair["school_id"], "去定位该校", key="register_locate_school")
    else:
        fmap = build_map(register, state.context(settings), basemap=ui.saved_basemap(settings),
                         view=MapView(focus_row=int(pair["row"]), notice_url=ui.notices_url()))
        ui.show_map(fmap, key="register_map", height=380)
        if pair["water_precision"] == "unplaced" and isinstance(pair["water_id"], str):
            st.info("该水体尚无位置，附件也未给出可推算的距离。", icon=":material/help:")
            ui.locate_button(pair["water_id"], "去定位该水体", key="register_locate_water")
