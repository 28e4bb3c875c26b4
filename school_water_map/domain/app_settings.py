"""The settings an 管理员 edits on the 设置 page (pure): which keys, their Chinese names, how each value is
checked, how secrets are shown, and how stored values overlay the deploy-time ``Settings``.

Environment variables stay deploy-time overrides: a field whose variable is set (``Settings.env_fields``)
keeps the environment's value whatever is stored. A stored empty value means "back to the default".
Notice contacts have no environment variable; they overlay ``notices.toml`` field by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from school_water_map.domain.entities import TOWNSHIPS
from school_water_map.errors import SettingsError
from school_water_map.settings import CHOICES, ENV_VARS, Settings, choice

SYSTEM, MAPS, PATROL, CONTACTS = "系统地址", "地图与地理编码", "巡查规则", "告示联系人"
CONTACT_PREFIX = "notice."
CONTACT_PARTS = {"unit": "单位", "person": "负责人", "phone": "电话"}
DISTRICT = "district"
MAX_TEXT = 200
_URL = re.compile(r"https?://[A-Za-z0-9\u4e00-\u9fff.\-]+(:\d{1,5})?(/[^\s]*)?")
_KEY = re.compile(r"[\x21-\x7e]{1,128}")
_SUMMER = re.compile(r"(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-\d{7,8}")


@dataclass(frozen=True)
class Spec:
    """One editable ``Settings`` field."""

    key: str
    label: str
    section: str
    kind: str  # url | secret | summer | int | float | path | choice
    low: float = 0
    high: float = 0

    @property
    def env_var(self) -> str:
        return ENV_VARS[self.key]


FIELDS = (
    Spec("app_base_url", "系统地址（告示二维码指向此处）", SYSTEM, "url"),
    Spec("tianditu_key", "天地图密钥", MAPS, "secret"),
    Spec("amap_key", "高德地图密钥", MAPS, "secret"),
    Spec("nominatim_url", "Nominatim 地址", MAPS, "url"),
    Spec("offline_tiles", "离线底图（瓦片文件夹或 MBTiles 文件的完整路径）", MAPS, "path"),
    Spec("offline_tiles_crs", "离线底图的坐标系", MAPS, "choice"),
    Spec("offline_tiles_kind", "离线底图的内容", MAPS, "choice"),
    Spec("patrol_summer", "暑期（每日巡查，MM-DD..MM-DD）", PATROL, "summer"),
    Spec("patrol_cycle_days", "暑期外巡查周期（天，1–365）", PATROL, "int", 1, 365),
    Spec("patrol_max_distance_m", "到场距离上限（米，10–5000）", PATROL, "float", 10, 5000),
    Spec("patrol_place_accuracy_m", "巡查定位所需 GPS 精度（米，5–500）", PATROL, "float", 5, 500),
)
SPECS = {spec.key: spec for spec in FIELDS}
SECRETS = frozenset(spec.key for spec in FIELDS if spec.kind == "secret")
#: What a person reads for each value of a choice field.
CHOICE_ZH = {"WGS84": "WGS-84（GPS、天地图；QGIS 中 EPSG:4326 的影像）",
             "GCJ02": "GCJ-02（取自高德等国内网络地图的影像）",
             "imagery": "影像（可据此目视定位学校）", "map": "地图（非影像，不能据此目视定位）"}


def contact_key(owner: str, part: str) -> str:
    """``notice.district.phone`` or ``notice.townships.板桥乡.person``."""
    return f"{CONTACT_PREFIX}{owner}.{part}" if owner == DISTRICT else f"{CONTACT_PREFIX}townships.{owner}.{part}"


CONTACT_KEYS = tuple(contact_key(owner, part) for owner in (DISTRICT, *TOWNSHIPS) for part in CONTACT_PARTS)
KEYS = frozenset(SPECS) | frozenset(CONTACT_KEYS)


def label(key: str) -> str:
    """The Chinese name of a key, as the page and its history show it."""
    if key in SPECS:
        return SPECS[key].label
    owner, part = _contact_parts(key)
    return f"告示联系人·{'区教育局' if owner == DISTRICT else owner}·{CONTACT_PARTS[part]}"


def mask(value: str) -> str:
    """A secret as shown back: its ends only (``abcd…wxyz（已设置）``), never in full."""
    if not value:
        return "（未设置）"
    return f"{value[:4]}…{value[-4:]}（已设置）" if len(value) >= 12 else "••••（已设置）"


def shown(key: str, value: str) -> str:
    """A value as the page shows it (secrets masked; empty: back to the default)."""
    if not value:
        return "（已清除，恢复默认）"
    return mask(value) if key in SECRETS else value


def validate(key: str, value: str) -> str:
    """The value as stored (trimmed), or ``SettingsError`` naming the field and the value in Chinese.
    An empty value is always valid: it clears the key."""
    if key not in KEYS:
        raise SettingsError(f"未知的设置项“{key}”")
    text = value.strip()
    if not text:
        return ""
    name = label(key)
    if "\x00" in text or len(text) > MAX_TEXT:
        raise SettingsError(f"{name}“{text[:40]}”无效：最多 {MAX_TEXT} 个字符")
    if key in SPECS:
        return _field(SPECS[key], name, text)
    if key.endswith(".phone"):
        return phone(text, name)
    return text


def phone(text: str, name: str = "电话") -> str:
    """A mobile number (1[3-9] and 9 digits) or a landline with its area code (0953-1234567)."""
    compact = text.replace(" ", "")
    if _MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact):
        return compact
    raise SettingsError(f"{name}“{text}”无效：应为手机号（如 13912345678）或带区号的固定电话（如 0953-1234567）")


def overlay(settings: Settings, stored: Mapping[str, str]) -> Settings:
    """``settings`` with the stored values applied, except where an environment variable is set."""
    changes: dict[str, Any] = {}
    for key, value in stored.items():
        spec = SPECS.get(key)
        if spec is None or not value or key in settings.env_fields:
            continue
        try:
            changes[key] = _typed(spec, _field(spec, spec.label, value))
        except SettingsError:
            continue  # checked when written; a value that no longer passes keeps the default
    contacts = tuple(sorted((k, v) for k, v in stored.items() if k in CONTACT_KEYS and v))
    return replace(settings, **changes, notice_contacts=contacts)


def stored_text(settings: Settings, key: str) -> str:
    """A field's value in ``settings`` as the page writes it (the summer window, a number, a URL)."""
    value = getattr(settings, key)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field(spec: Spec, name: str, text: str) -> str:
    if spec.kind == "url":
        if not _URL.fullmatch(text):
            raise SettingsError(f"{name}“{text}”无效：应以 http:// 或 https:// 开头，后接主机名，"
                                "如 https://swmap.example.cn")
        return text.rstrip("/")
    if spec.kind == "secret":
        if not _KEY.fullmatch(text):
            raise SettingsError(f"{name}无效：只能含字母、数字和符号，不能有空格或汉字，最多 128 位")
        return text
    if spec.kind == "summer":
        return _summer(name, text)
    if spec.kind == "path":
        return _path(name, text)
    if spec.kind == "choice":
        return _choice(spec, name, text)
    return _number(spec, name, text)


def _path(name: str, text: str) -> str:
    """A full path on the server (Linux, or Windows ``D:\\瓦片``); whether it holds tiles is checked on disk
    (``pipeline.app_settings.check_offline_tiles``)."""
    if not (PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute()):
        raise SettingsError(f"{name}“{text}”无效：应为完整路径，如 /srv/swmap/litong.mbtiles 或 D:\\瓦片\\利通区")
    return text


def _choice(spec: Spec, name: str, text: str) -> str:
    value = choice(spec.key, text)
    if value is None:
        offered = "、".join(f"{v}（{CHOICE_ZH[v]}）" for v in CHOICES[spec.key])
        raise SettingsError(f"{name}“{text}”无效：应为 {offered}")
    return value


def _summer(name: str, text: str) -> str:
    match = _SUMMER.fullmatch(text.replace(" ", ""))
    if match is None:
        raise SettingsError(f"{name}“{text}”无效：应写成 MM-DD..MM-DD，如 07-01..08-31")
    m1, d1, m2, d2 = map(int, match.groups())
    try:
        start, end = date(2024, m1, d1), date(2024, m2, d2)  # 2024 has 29 February
    except ValueError as exc:
        raise SettingsError(f"{name}“{text}”中的日期无效") from exc
    if start > end:
        raise SettingsError(f"{name}“{text}”无效：开始日期应不晚于结束日期")
    return f"{m1:02d}-{d1:02d}..{m2:02d}-{d2:02d}"


def _number(spec: Spec, name: str, text: str) -> str:
    try:
        number = int(text) if spec.kind == "int" else float(text)
    except ValueError as exc:
        raise SettingsError(f"{name}“{text}”无效：应为{'整数' if spec.kind == 'int' else '数字'}") from exc
    if not spec.low <= number <= spec.high:
        raise SettingsError(f"{name}“{text}”超出范围：应在 {spec.low:g}–{spec.high:g} 之间")
    return str(number) if spec.kind == "int" else f"{number:g}"


def _typed(spec: Spec, text: str) -> object:
    return int(text) if spec.kind == "int" else float(text) if spec.kind == "float" else text


def _contact_parts(key: str) -> tuple[str, str]:
    rest = key.removeprefix(CONTACT_PREFIX)
    if rest.startswith("townships."):
        owner, _, part = rest.removeprefix("townships.").rpartition(".")
        return owner, part
    return DISTRICT, rest.removeprefix(f"{DISTRICT}.")
