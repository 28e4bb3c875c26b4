"""责任人: who answers for each site — 属地乡镇 and 村（社区） per site, the school's 安全负责人 per school,
the water's 管理单位 per water body (entered once for a canal several schools share). A 管理员 edits one
site at a time or imports a whole CSV/XLSX file (all or nothing); a 查看 account reads and downloads.
Every change is kept (``store.owners``); notices print the names and phones."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app_pages.parts import access, owners_form, state
from school_water_map.domain.inspections import LOCAL_TIME
from school_water_map.domain.owners import ROLE_ZH
from school_water_map.domain.sites import sites
from school_water_map.domain.users import ADMIN
from school_water_map.outputs.export import MIME_TYPES
from school_water_map.outputs.owners_table import owners_table
from school_water_map.outputs.spreadsheet import csv_bytes, xlsx_bytes
from school_water_map.store.database import Store, open_store
from school_water_map.store.owners import current, history

DOWNLOAD_NAME = "责任人"


def main() -> None:
    st.title("责任人")
    settings = state.settings()
    register = state.register(settings)
    store = open_store(settings)
    me = access.user()
    state.show_flash()
    all_sites = sites(register)
    book = current(store)
    named = sum(1 for owner in book.values() if not owner.empty)
    st.caption(f"每个点位的属地乡镇、村（社区）责任人，学校安全负责人，水体管理单位（同一条渠只填一次）。"
               f"已填写 {named} 项。警示牌印“责任单位 / 责任人 / 监督电话”，告知书和巡查表印联系人。")
    editor = me is not None and me.active and me.role == ADMIN
    if editor:
        assert me is not None
        owners_form.site_editor(store, me, settings, all_sites, book)
    table = owners_table(all_sites, book)
    _downloads(table)
    if editor:
        assert me is not None
        owners_form.file_import(store, me, settings, all_sites)
    st.subheader("全部责任人")
    shown = table[(table["单位"] != "") | (table["责任人"] != "") | (table["电话"] != "")]
    if shown.empty:
        st.caption("尚未填写任何责任人。")
    else:
        st.dataframe(shown, hide_index=True, width="stretch")
    _history(store)


def _downloads(table: pd.DataFrame) -> None:
    left, right = st.columns(2)
    left.download_button("下载责任人表（CSV）", partial(csv_bytes, table), file_name=f"{DOWNLOAD_NAME}.csv",
                         mime="text/csv", icon=":material/download:", key="owners_csv", on_click="ignore",
                         width="stretch")
    right.download_button("下载责任人表（Excel）", partial(xlsx_bytes, {DOWNLOAD_NAME: table}),
                          file_name=f"{DOWNLOAD_NAME}.xlsx", mime=MIME_TYPES["xlsx"], icon=":material/download:",
                          key="owners_xlsx", on_click="ignore", width="stretch")


def _history(store: Store) -> None:
    st.subheader("修改记录")
    changes = history(store)
    if not changes:
        st.caption("尚无修改记录。")
        return
    st.dataframe(pd.DataFrame([{
        "时间": c.changed_at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S") if c.changed_at else "",
        "操作人": c.changed_by, "类别": ROLE_ZH[c.role], "编号": c.subject_id,
        "单位": "（已清除）" if c.empty else c.unit, "责任人": c.person, "电话": c.phone, "说明": c.note}
        for c in changes]), hide_index=True, width="stretch")


main()
