"""One typed settings object, built explicitly from the environment (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from school_water_map.errors import SettingsError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_GEODATA_DIR = PACKAGE_DIR.parent / "geodata"
DEFAULT_RULES_PATH = PACKAGE_DIR / "data" / "risk_rules.toml"
#: The database URL schemes accepted, and the SQLAlchemy dialect each one is opened with (psycopg 3 is
#: the PostgreSQL driver installed; SQLAlchemy itself refuses the ``postgres://`` that hosts hand out).
DATABASE_SCHEMES = {"sqlite": "sqlite", "postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg",
                    "postgresql+psycopg": "postgresql+psycopg"}


@dataclass(frozen=True)
class Settings:
    """Where things live and which district's annex is loaded.

    ``data_dir`` holds user data (recorded positions, later the database); ``geodata_dir`` holds the
    curated, read-only files shipped in the repository.
    """

    data_dir: Path
    geodata_dir: Path = REPO_GEODATA_DIR
    rules_path: Path = DEFAULT_RULES_PATH
    district_adcode: str = "640302"
    district_name: str = "利通区"
    annex_file: str = "litong_2021_annex.csv"
    schools_file: str = "litong_schools.csv"
    water_file: str = "litong_water_bodies.csv"
    tianditu_key: str = field(default="", repr=False)  # 天地图 browser key (tk); empty = not offered
    app_base_url: str = ""  # the app's public address, for QR codes on printed notices; empty = none
    database_url: str = field(default="", repr=False)  # empty: SQLite file swmap.db in data_dir
    patrol_summer: str = "07-01..08-31"  # 暑期: sites are due daily inside this window (MM-DD..MM-DD)
    patrol_cycle_days: int = 7  # outside it, every this many days
    patrol_max_distance_m: float = 150.0  # a GPS fix farther than this from the site: "not at site"
    patrol_place_accuracy_m: float = 50.0  # a patrol places an unplaced site by GPS only with a fix this good
    amap_key: str = field(default="", repr=False)  # 高德 Web service key, for geocoding
    offline_tiles: str = ""  # the bureau's own tiles: a folder of XYZ tiles or an .mbtiles file; empty = none
    offline_tiles_crs: str = "WGS84"  # the coordinate system they were drawn in, as declared: WGS84 or GCJ02
    offline_tiles_kind: str = "map"  # imagery (good enough to place a school by eye) or map, as declared
    tianditu_url: str = "https://api.tianditu.gov.cn"  # geocoding endpoints (overridable: proxies, tests)
    amap_url: str = "https://restapi.amap.com"
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    geocode_interval_s: float = 1.0  # at most one request a second (Nominatim's usage policy)
    geocode_timeout_s: float = 10.0
    geocode_retries: int = 2
    login_max_failures: int = 5  # an account's failed logins within the lockout window before it is locked
    login_lockout_minutes: float = 15.0
    login_delay_s: float = 1.0  # the first of the growing waits between failed logins (1, 2, 4 s)
    session_hours: float = 12.0  # a login lasts this long across reloads and tabs (a working day)
    trusted_proxy: bool = False  # behind a reverse proxy: the client is the last X-Forwarded-For address
    #: Notice contacts set on the 设置 page (``district.phone``, ``townships.板桥乡.person`` … → text), over
    #: ``notices.toml``; empty until ``pipeline.app_settings.effective_settings`` reads the store.
    notice_contacts: tuple[tuple[str, str], ...] = ()
    #: The fields whose environment variable was set (deploy-time overrides the 设置 page cannot change).
    env_fields: frozenset[str] = frozenset()

    @property
    def annex_path(self) -> Path:
        return self.geodata_dir / self.annex_file

    @property
    def schools_path(self) -> Path:
        return self.geodata_dir / self.schools_file

    @property
    def water_path(self) -> Path:
        return self.geodata_dir / self.water_file

    @property
    def positions_path(self) -> Path:
        return self.data_dir / "positions.json"

    @property
    def notices_config_path(self) -> Path:
        """Units, people and phone numbers printed on notices (``notices.toml``; optional)."""
        return self.data_dir / "notices.toml"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults, overridden by ``SWMAP_DATA_DIR``, ``SWMAP_GEODATA_DIR``, ``SWMAP_RISK_RULES``,
        ``SWMAP_TIANDITU_KEY`` and ``SWMAP_APP_BASE_URL``."""
        env = os.environ if environ is None else environ
        settings = cls(data_dir=Path(env.get("SWMAP_DATA_DIR") or user_data_dir("school-water-map")))
        if env.get("SWMAP_GEODATA_DIR"):
            settings = replace(settings, geodata_dir=Path(env["SWMAP_GEODATA_DIR"]))
        if env.get("SWMAP_RISK_RULES"):
            settings = replace(settings, rules_path=Path(env["SWMAP_RISK_RULES"]))
        if env.get("SWMAP_TIANDITU_KEY"):
            settings = replace(settings, tianditu_key=env["SWMAP_TIANDITU_KEY"].strip())
        if env.get("SWMAP_APP_BASE_URL"):
            settings = replace(settings, app_base_url=env["SWMAP_APP_BASE_URL"].strip().rstrip("/"))
        settings = _geocoder_overrides(settings, env)
        return replace(settings, env_fields=frozenset(name for name, var in ENV_VARS.items() if env.get(var)))


#: The environment variable of each field that has one.
ENV_VARS = {"data_dir": "SWMAP_DATA_DIR", "geodata_dir": "SWMAP_GEODATA_DIR", "rules_path": "SWMAP_RISK_RULES",
            "tianditu_key": "SWMAP_TIANDITU_KEY", "app_base_url": "SWMAP_APP_BASE_URL",
            "database_url": "SWMAP_DATABASE_URL", "amap_key": "SWMAP_AMAP_KEY", "tianditu_url": "SWMAP_TIANDITU_URL",
            "amap_url": "SWMAP_AMAP_URL", "nominatim_url": "SWMAP_NOMINATIM_URL",
            "patrol_summer": "SWMAP_PATROL_SUMMER", "patrol_cycle_days": "SWMAP_PATROL_CYCLE_DAYS",
            "patrol_max_distance_m": "SWMAP_PATROL_MAX_DISTANCE",
            "patrol_place_accuracy_m": "SWMAP_PATROL_PLACE_ACCURACY", "geocode_interval_s": "SWMAP_GEOCODE_INTERVAL",
            "geocode_timeout_s": "SWMAP_GEOCODE_TIMEOUT", "geocode_retries": "SWMAP_GEOCODE_RETRIES",
            "login_max_failures": "SWMAP_LOGIN_MAX_FAILURES", "login_lockout_minutes": "SWMAP_LOGIN_LOCKOUT_MINUTES",
            "login_delay_s": "SWMAP_LOGIN_DELAY", "session_hours": "SWMAP_SESSION_HOURS",
            "trusted_proxy": "SWMAP_TRUSTED_PROXY", "offline_tiles": "SWMAP_OFFLINE_TILES",
            "offline_tiles_crs": "SWMAP_OFFLINE_TILES_CRS", "offline_tiles_kind": "SWMAP_OFFLINE_TILES_KIND"}
#: The fields that hold one of a few values (the 设置 page offers them as a choice).
CHOICES = {"offline_tiles_crs": ("WGS84", "GCJ02"), "offline_tiles_kind": ("imagery", "map")}


def choice(key: str, text: str) -> str | None:
    """A choice field's value as written (``wgs-84``, ``GCJ-02``, ``Imagery`` …) in its canonical form, or
    None when it is none of the field's values."""
    compact = text.strip().replace("-", "").replace("_", "").replace(" ", "")
    return next((value for value in CHOICES[key] if value.lower() == compact.lower()), None)


def _geocoder_overrides(settings: Settings, env: Mapping[str, str]) -> Settings:
    """``SWMAP_DATABASE_URL``, ``SWMAP_AMAP_KEY``, ``SWMAP_{TIANDITU,AMAP,NOMINATIM}_URL``,
    ``SWMAP_GEOCODE_{INTERVAL,TIMEOUT,RETRIES}`` and ``SWMAP_PATROL_{SUMMER,CYCLE_DAYS,MAX_DISTANCE,PLACE_ACCURACY}``,
    ``SWMAP_LOGIN_{MAX_FAILURES,LOCKOUT_MINUTES,DELAY}``, ``SWMAP_SESSION_HOURS``, ``SWMAP_TRUSTED_PROXY`` and
    ``SWMAP_OFFLINE_TILES{,_CRS,_KIND}``."""
    text = {"database_url": "SWMAP_DATABASE_URL", "amap_key": "SWMAP_AMAP_KEY", "tianditu_url": "SWMAP_TIANDITU_URL",
            "amap_url": "SWMAP_AMAP_URL", "nominatim_url": "SWMAP_NOMINATIM_URL",
            "patrol_summer": "SWMAP_PATROL_SUMMER", "offline_tiles": "SWMAP_OFFLINE_TILES"}
    numbers: dict[str, tuple[str, type[float] | type[int]]] = {
        "geocode_interval_s": ("SWMAP_GEOCODE_INTERVAL", float), "geocode_timeout_s": ("SWMAP_GEOCODE_TIMEOUT", float),
        "geocode_retries": ("SWMAP_GEOCODE_RETRIES", int), "patrol_cycle_days": ("SWMAP_PATROL_CYCLE_DAYS", int),
        "patrol_max_distance_m": ("SWMAP_PATROL_MAX_DISTANCE", float),
        "patrol_place_accuracy_m": ("SWMAP_PATROL_PLACE_ACCURACY", float),
        "login_max_failures": ("SWMAP_LOGIN_MAX_FAILURES", int),
        "login_lockout_minutes": ("SWMAP_LOGIN_LOCKOUT_MINUTES", float),
        "login_delay_s": ("SWMAP_LOGIN_DELAY", float), "session_hours": ("SWMAP_SESSION_HOURS", float)}
    changes: dict[str, Any] = {name: env[var].strip().rstrip("/") for name, var in text.items() if env.get(var)}
    if env.get("SWMAP_TRUSTED_PROXY"):
        changes["trusted_proxy"] = env["SWMAP_TRUSTED_PROXY"].strip().lower() in ("1", "true", "yes")
    for name, (var, kind) in numbers.items():
        if env.get(var):
            try:
                changes[name] = kind(env[var])
            except ValueError as exc:
                raise SettingsError(f"环境变量 {var} 的值“{env[var]}”不是有效的数字") from exc
    if "database_url" in changes:
        changes["database_url"] = database_url(changes["database_url"])
    changes.update(_choices(env))
    return replace(settings, **changes)


def _choices(env: Mapping[str, str]) -> dict[str, str]:
    """``SWMAP_OFFLINE_TILES_CRS`` (WGS84 or GCJ02) and ``SWMAP_OFFLINE_TILES_KIND`` (imagery or map)."""
    changes: dict[str, str] = {}
    for name, values in CHOICES.items():
        var = ENV_VARS[name]
        if env.get(var):
            value = choice(name, env[var])
            if value is None:
                raise SettingsError(f"环境变量 {var} 的值“{env[var]}”无效：应为 {' 或 '.join(values)}")
            changes[name] = value
    return changes


def database_url(text: str) -> str:
    """``SWMAP_DATABASE_URL`` as SQLAlchemy opens it: ``postgres://`` and ``postgresql://`` become
    ``postgresql+psycopg://``; any other scheme is refused in Chinese (never echoing the URL: it may hold a
    password). Empty stays empty (the SQLite file in the data directory)."""
    text = text.strip()
    if not text:
        return ""
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise SettingsError("环境变量 SWMAP_DATABASE_URL 不是数据库地址：应形如 "
                            "postgresql://用户:密码@主机:端口/库名 或 sqlite:///文件路径")
    dialect = DATABASE_SCHEMES.get(scheme.lower())
    if dialect is None:
        raise SettingsError(f"环境变量 SWMAP_DATABASE_URL 的数据库类型“{scheme[:24]}”不受支持：请使用 "
                            "postgresql://用户:密码@主机:端口/库名（PostgreSQL）或 sqlite:///文件路径（SQLite）")
    return f"{dialect}://{rest}"
