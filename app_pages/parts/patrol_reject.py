"""定位与校核 · 巡查定位: the bureau rejects a position a patrol recorded at its site. A new record restores what
the place had before (or takes it off the map again); the rejected record stays in the position history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.parts import access, state, ui
from app_pages.parts.md_text import md
from school_water_map.domain.users import ADMIN
from school_water_map.errors import AuthError, PositionError
from school_water_map.pipeline.placing import reject_patrol_position
from school_water_map.settings import Settings
from school_water_map.store.database import open_store


def reject_form(settings: Settings, table: pd.DataFrame) -> None:
    """Under the 巡查定位 list: choose one, give a reason, 否决 (an 管理员, or anyone in open mode)."""
    account = access.user()
    if account is not None and account.role != ADMIN:
        return
    names = dict(zip(table["编号"], table["名称"], strict=True))
    chosen = st.selectbox("否决一处巡查定位", list(names), index=None, key="patrol_reject_entity",
                          format_func=lambda i: f"{names[i]}（{i}）", placeholder="请选择要否决的位置")
    reason = st.text_input("否决理由", key="patrol_reject_reason", placeholder="例如：点位在河对岸，不是校门口")
    author = ui.current_author()
    if st.button("否决该巡查定位", icon=":material/block:", disabled=chosen is None or not author,
                 key="patrol_reject_button"):
        try:
            reject_patrol_position(open_store(settings).positions, str(chosen), reason=reason, author=author,
                                   user=account)
        except (PositionError, AuthError) as exc:
            st.error(f"未否决：{md(exc)}", icon=":material/error:")
            return
        st.session_state.pop("patrol_reject_entity", None)
        st.session_state.pop("patrol_reject_reason", None)
        state.after_write(f"已否决“{md(names[chosen])}”的巡查定位：恢复为此前的位置（没有则为未定位），原记录保留在位置记录中。")
        st.rerun()
