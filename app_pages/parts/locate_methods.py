"""The five ways to place a school or water body on the 定位与校核 page, and the confirm-and-save step.

Each method ends in ``confirm``: the position about to be saved, its precision and source, and one
button that records it through ``school_water_map.domain.locate`` (then every cache is cleared).
"""

from __future__ import annotations

import streamlit as st
from shapely.geometry import Point

from app_pages.parts import access, gps, state, ui
from app_pages.parts.md_text import md
from app_pages.parts.position_upload import TABLE_TYPES, position_upload, precision_choice
from app_pages.parts.trace_water import by_tracing
from school_water_map.domain.locate import LocateRequest, record
from school_water_map.domain.positions import PRECISION_ZH
from school_water_map.domain.register import Register
from school_water_map.errors import AuthError, PositionError, UnknownPlaceError
from school_water_map.geo.coordinates import format_dms, parse_lonlat
from school_water_map.geo.crs import BD09, CRS_ZH, GCJ02, WGS84, to_wgs84
from school_water_map.io.position_csv import TEMPLATE
from school_water_map.outputs.mapping import MapView, build_map, pending_layer
from school_water_map.outputs.review import ToPlace
from school_water_map.settings import Settings
from school_water_map.store.database import open_store

#: The 平板定位 button's request cycle (``gps.locate_device``).
GPS_SLOT = gps.GpsSlot(request=state.GPS_REQUEST, waiting=state.GPS_WAITING, answer=state.GPS_RESULT, component="gps")
METHODS = {"click": "地图点选", "typed": "输入坐标", "gps": "平板定位", "trace": "描绘水体", "csv": "批量导入（CSV）"}


def by_click(settings: Settings, register: Register, entity: ToPlace) -> None:
    basemap = ui.basemap_picker(settings, key="locate_basemap")
    hint = "" if basemap.imagery else ("当前底图没有影像，点选只能粗略定位；有网络时请选“天地图 影像”或“高德 影像”，"
                                  "无网络时请管理员在“设置”中配置离线影像。")
    st.caption(f"在地图上点按“{md(entity.name)}”的位置，然后确认保存。{hint}")
    pending = st.session_state.get(state.CLICK_PENDING)
    wgs = _to_wgs84(pending) if pending else None
    fmap = build_map(register, state.context(settings), basemap=basemap, view=MapView(focus_entity=entity.entity_id))
    result = ui.show_map(fmap, key="locate_map", height=480, clicks=True,
                         pending=pending_layer(*wgs, basemap) if wgs else None)
    click = (result or {}).get("last_clicked")
    if click and (click["lng"], click["lat"]) != st.session_state.get(state.CLICK_SEEN):
        st.session_state[state.CLICK_SEEN] = (click["lng"], click["lat"])
        st.session_state[state.CLICK_PENDING] = (click["lng"], click["lat"], basemap.crs)
        st.rerun()
    if pending and wgs:
        confirm(settings, register, entity, Point(pending[0], pending[1]), crs=pending[2], method="click",
                source=f"地图点选（底图：{basemap.label}）", precision="surveyed" if basemap.imagery else "geocoded",
                shown=wgs)


def by_typing(settings: Settings, register: Register, entity: ToPlace) -> None:
    left, middle, right = st.columns(3)
    lon_text = left.text_input("经度", key=state.typed_key("typed_lon"), placeholder="如 106.2035 或 106°12′13″E")
    lat_text = middle.text_input("纬度", key=state.typed_key("typed_lat"), placeholder="如 37.9875 或 37°59′15″N")
    crs = right.selectbox("坐标系", [WGS84, GCJ02, BD09], format_func=CRS_ZH.__getitem__, key="typed_crs",
                          placeholder="请选择坐标系")
    if not (lon_text.strip() or lat_text.strip()):
        st.caption("可填十进制度或度分秒。坐标来自高德/腾讯选 GCJ-02，来自百度选 BD-09，保存时换算为 WGS-84。")
        return
    try:
        lon, lat = parse_lonlat(lon_text, lat_text)
        shown = _to_wgs84((lon, lat, crs))
    except PositionError as exc:
        st.error(md(exc), icon=":material/error:")
        return
    _preview(settings, register, entity, shown)
    confirm(settings, register, entity, Point(lon, lat), crs=crs, method="typed", source="输入坐标",
            precision="surveyed", shown=shown)


def _preview(settings: Settings, register: Register, entity: ToPlace, wgs: tuple[float, float]) -> None:
    """The typed point on a small map before it is saved, with the place's annex neighbours in view: a swapped
    or mistyped number shows as a pin in the wrong place (or outside the district)."""
    st.caption("预览：图中标记为输入的位置（尚未保存）。")
    view = MapView(focus_entity=entity.entity_id, focus_points=(wgs,))
    basemap = ui.saved_basemap(settings)
    fmap = build_map(register, state.context(settings), basemap=basemap, view=view)
    ui.show_map(fmap, key=state.typed_key("typed_map"), height=300, pending=pending_layer(*wgs, basemap))


def by_gps(settings: Settings, register: Register, entity: ToPlace) -> None:
    st.caption("在现场用平板定位：浏览器会询问是否允许获取位置。只有安全连接（HTTPS，或本机 localhost）才能定位。")
    pressed = st.button("获取平板当前位置", icon=":material/my_location:", key="gps_button")
    fix = gps.locate_device(GPS_SLOT, pressed=pressed).fix
    if fix is None:
        return
    if fix.accuracy > gps.POOR_ACCURACY_M:
        st.warning(f"定位精度较差（±{fix.accuracy:.0f} 米）：建议到开阔处重新获取。", icon=":material/gps_not_fixed:")
    confirm(settings, register, entity, Point(fix.lon, fix.lat), crs=WGS84, method="gps",
            source=f"平板GPS（精度 ±{fix.accuracy:.0f} 米）", precision="surveyed", accuracy_m=fix.accuracy,
            shown=(fix.lon, fix.lat))


def by_csv(settings: Settings, register: Register, _entity: ToPlace) -> None:
    st.caption("一次导入多处位置（CSV 或 Excel）：每行一处，列为 编号或名称、经度、纬度，"
               "可选 坐标系、来源、精度、备注。任何一行有错，整个文件都不导入，并列出出错的行。")
    st.download_button("下载 CSV 模板", TEMPLATE.encode("utf-8-sig"), file_name="位置导入模板.csv", mime="text/csv",
                       icon=":material/download:")
    position_upload(settings, register, key="csv", types=TABLE_TYPES, label="位置文件（CSV 或 Excel）")
    st.caption("画好的线和面（GeoJSON、KML/KMZ、GPX）可在“数据交换”页导入，也可用“描绘水体”在地图上直接画。")


def confirm(settings: Settings, register: Register, entity: ToPlace, geometry: Point, *, crs: str, method: str,
            source: str, precision: str, shown: tuple[float, float], accuracy_m: float | None = None) -> None:
    """Show the position about to be saved, ask for precision and source, and save it."""
    lon, lat = shown
    st.info(f"待保存的位置：{format_dms(lat, axis='lat')}、{format_dms(lon, axis='lon')}"
            f"（WGS-84 经度 {lon:.6f}，纬度 {lat:.6f}）", icon=":material/pin_drop:")
    chosen = precision_choice(method, default=precision)
    source_text = st.text_input("来源", value=source, key=state.typed_key(f"source_{method}"))
    author = ui.current_author()
    if not author:
        st.caption("请先在上方填写录入人，才能保存。")
    left, right = st.columns(2)
    save = left.button(f"保存“{md(entity.name)}”的位置", type="primary", disabled=not author, icon=":material/save:",
                       key=f"save_{method}", width="stretch")
    save_next = right.button("保存并定位下一个", disabled=not author, icon=":material/skip_next:",
                             key=f"save_next_{method}", width="stretch")
    if save or save_next:
        request = LocateRequest(entity=entity.entity_id, geometry=geometry, crs=crs, source=source_text,
                                author=author, method=method, precision=chosen, accuracy_m=accuracy_m)
        try:
            record([request], register.resolution, state.area(settings), open_store(settings).positions,
                   user=access.user())
        except (PositionError, UnknownPlaceError, AuthError) as exc:
            st.error(f"未保存：{md(exc)}", icon=":material/error:")
            return
        state.forget_pending()
        if save_next:
            st.session_state[state.LOCATE_NEXT] = entity.entity_id
        state.after_write(f"已保存“{md(entity.name)}”的位置（{PRECISION_ZH[chosen]}，{METHODS.get(method, method)}）。"
                          "地图、距离和风险已更新。")
        st.rerun()


def _to_wgs84(position: tuple[float, float, str]) -> tuple[float, float]:
    lon, lat = to_wgs84(position[0], position[1], position[2])
    return float(lon), float(lat)


#: The methods offered on the page, in order.
BY_METHOD = {"click": by_click, "typed": by_typing, "gps": by_gps, "trace": by_tracing, "csv": by_csv}
