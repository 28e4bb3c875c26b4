"""Online geocoding: 天地图 place search, 高德 place search, Nominatim (via geopy), behind one interface.

Providers are off unless configured (keys from settings/environment), throttled, and retried with
backoff on transient failures. Shaping a provider's answer is a pure function (``parse_amap``,
``parse_tianditu``, ``parse_nominatim``), tested on its own. 高德 answers in GCJ-02 and is converted to
WGS-84 here; 天地图 and Nominatim answer in WGS-84/CGCS2000. Answers are candidates only: a person
confirms or rejects each one (``school_water_map.store.candidates``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, Protocol

import requests
from geopy import exc as geopy_exc
from geopy.adapters import RequestsAdapter
from geopy.geocoders import Nominatim
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError
from urllib3.util.retry import Retry

from school_water_map.domain.candidates import Candidate
from school_water_map.errors import PositionError, ProviderError
from school_water_map.geo.crs import to_wgs84
from school_water_map.settings import Settings

log = logging.getLogger(__name__)

PROVIDERS = ("tianditu", "amap", "nominatim")
LITONG_ADCODE = "640302"
#: Search box for Nominatim (lon/lat): 利通区 and a margin.
LITONG_VIEWBOX = ((105.95, 37.45), (106.65, 38.15))
_PUBLIC_NOMINATIM = next(f.default for f in fields(Settings) if f.name == "nominatim_url")
_AMAP_QUOTA = {"10003", "10004", "10014", "10019", "10020", "10021", "10044", "10045"}
_AMAP_KEY = {"10001", "10002", "10005", "10006", "10007", "10008", "10009", "10010", "10011", "10012", "10013"}


def configured_providers(settings: Settings) -> tuple[str, ...]:
    """The providers set up in ``settings``: 天地图 and 高德 with a key; Nominatim once its address was set
    (environment or 设置 page) away from the public default, whose usage policy forbids bulk queries."""
    keys = {"tianditu": settings.tianditu_key, "amap": settings.amap_key,
            "nominatim": "nominatim_url" in settings.env_fields or settings.nominatim_url != _PUBLIC_NOMINATIM}
    return tuple(name for name in PROVIDERS if keys[name])


class Provider(Protocol):
    name: str

    def search(self, query: str) -> list[Candidate]: ...


def make_provider(name: str, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> Provider:
    """The configured provider ``name``; raises :class:`ProviderError` (config) when its key is missing."""
    throttle = Throttle(settings.geocode_interval_s, sleep=sleep)
    if name == "tianditu":
        if not settings.tianditu_key:
            raise ProviderError(name, "config", "请设置环境变量 SWMAP_TIANDITU_KEY")
        return TiandituProvider(settings.tianditu_key, base_url=settings.tianditu_url, throttle=throttle,
                                session=_session(settings), timeout=settings.geocode_timeout_s)
    if name == "amap":
        if not settings.amap_key:
            raise ProviderError(name, "config", "请设置环境变量 SWMAP_AMAP_KEY")
        return AmapProvider(settings.amap_key, base_url=settings.amap_url, throttle=throttle,
                            session=_session(settings), timeout=settings.geocode_timeout_s)
    if name == "nominatim":
        return NominatimProvider(settings.nominatim_url, throttle=throttle, timeout=settings.geocode_timeout_s,
                                 retries=settings.geocode_retries, sleep=sleep)
    raise PositionError(f"未知的地理编码服务“{name}”：可选 {'、'.join(PROVIDERS)}")


class Throttle:
    """At most one call per ``interval`` seconds."""

    def __init__(self, interval: float, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self.interval:
            self._sleep(self.interval - (now - self._last))
        self._last = self._clock()


class AmapProvider:
    """高德 Web 服务 place text search (v3/place/text), limited to 利通区; answers in GCJ-02."""

    name = "amap"

    def __init__(self, key: str, *, base_url: str, throttle: Throttle, session: requests.Session,
                 timeout: float) -> None:
        self.key, self.base_url, self.throttle, self.session, self.timeout = key, base_url, throttle, session, timeout

    def search(self, query: str) -> list[Candidate]:
        params = {"keywords": query, "city": LITONG_ADCODE, "citylimit": "true", "offset": "10", "page": "1",
                  "output": "JSON", "key": self.key}
        payload = _get_json(self.session, f"{self.base_url}/v3/place/text", params, self.name, self.timeout,
                            self.throttle)
        return parse_amap(payload, query)


class TiandituProvider:
    """天地图 地名搜索 V2.0, 行政区划区域搜索 (queryType 12) in 利通区; answers in CGCS2000 (≈ WGS-84)."""

    name = "tianditu"

    def __init__(self, key: str, *, base_url: str, throttle: Throttle, session: requests.Session,
                 timeout: float) -> None:
        self.key, self.base_url, self.throttle, self.session, self.timeout = key, base_url, throttle, session, timeout

    def search(self, query: str) -> list[Candidate]:
        post = {"keyWord": query, "queryType": "12", "specify": f"156{LITONG_ADCODE}", "start": "0", "count": "10"}
        params = {"postStr": json.dumps(post, ensure_ascii=False), "type": "query", "tk": self.key}
        payload = _get_json(self.session, f"{self.base_url}/v2/search", params, self.name, self.timeout,
                            self.throttle)
        return parse_tianditu(payload, query)


class NominatimProvider:
    """OpenStreetMap Nominatim through geopy, bounded to 利通区's box; answers in WGS-84."""

    name = "nominatim"

    def __init__(self, url: str, *, throttle: Throttle, timeout: float, retries: int,
                 sleep: Callable[[float], None]) -> None:
        scheme, _, domain = url.partition("://")
        self.geocoder = Nominatim(user_agent="school-water-map/0.1 (education bureau hazard register)",
                                  domain=domain, scheme=scheme, timeout=timeout, adapter_factory=_no_retry_adapter)
        self.throttle, self.retries, self._sleep = throttle, retries, sleep

    def search(self, query: str) -> list[Candidate]:
        for attempt in range(self.retries + 1):
            self.throttle.wait()
            try:
                found = self.geocoder.geocode(query, exactly_one=False, limit=10, country_codes="cn",
                                              viewbox=[(lat, lon) for lon, lat in LITONG_VIEWBOX], bounded=True)
                return parse_nominatim([loc.raw for loc in found or []], query)
            except (geopy_exc.GeocoderTimedOut, geopy_exc.GeocoderUnavailable) as exc:
                if attempt == self.retries:
                    kind = "timeout" if isinstance(exc, geopy_exc.GeocoderTimedOut) else "unavailable"
                    raise ProviderError(self.name, kind, str(exc)) from exc
                self._sleep(2.0 ** attempt)
            except (geopy_exc.GeocoderQuotaExceeded, geopy_exc.GeocoderRateLimited) as exc:
                raise ProviderError(self.name, "quota", str(exc)) from exc
            except (geopy_exc.GeocoderAuthenticationFailure, geopy_exc.GeocoderInsufficientPrivileges) as exc:
                raise ProviderError(self.name, "key", str(exc)) from exc
            except geopy_exc.GeocoderParseError as exc:
                raise ProviderError(self.name, "malformed", str(exc)) from exc
            except geopy_exc.GeocoderServiceError as exc:
                raise ProviderError(self.name, "unavailable", str(exc)) from exc
        raise AssertionError("unreachable")  # pragma: no cover


def parse_amap(payload: Any, query: str) -> list[Candidate]:
    """Shape a 高德 place/text answer (GCJ-02 ``location`` "lon,lat") into WGS-84 candidates."""
    if not isinstance(payload, dict) or "status" not in payload:
        raise ProviderError("amap", "malformed", "缺少 status 字段")
    if str(payload["status"]) != "1":
        code, info = str(payload.get("infocode", "")), str(payload.get("info", ""))
        kind = "quota" if code in _AMAP_QUOTA else "key" if code in _AMAP_KEY else "unavailable"
        raise ProviderError("amap", kind, f"{code} {info}".strip())
    out = []
    for poi in _list(payload.get("pois"), "amap"):
        lon, lat = _lonlat(poi.get("location"), "amap", sep=",")
        wlon, wlat = to_wgs84(lon, lat, "GCJ02")
        address = poi.get("address") if isinstance(poi.get("address"), str) else ""
        out.append(Candidate("amap", query, str(poi.get("name", "")), f"{poi.get('adname', '')}{address}",
                             float(wlon), float(wlat), poi, answer_crs="GCJ02"))
    return out


def parse_tianditu(payload: Any, query: str) -> list[Candidate]:
    """Shape a 天地图 V2.0 search answer (``pois[].lonlat`` "lon,lat") into candidates."""
    if not isinstance(payload, dict):
        raise ProviderError("tianditu", "malformed", "不是 JSON 对象")
    status = payload.get("status")
    if isinstance(status, dict) and status.get("infocode") is not None and str(status["infocode"]) != "1000":
        kind = "key" if "key" in str(status).lower() or "权限" in str(status) else "unavailable"
        raise ProviderError("tianditu", kind, f"{status['infocode']} {status.get('cndesc', '')}".strip())
    if "pois" not in payload:
        if "resultType" in payload or "count" in payload:
            return []
        raise ProviderError("tianditu", "malformed", "缺少 pois 字段")
    out = []
    for poi in _list(payload.get("pois"), "tianditu"):
        lon, lat = _lonlat(poi.get("lonlat"), "tianditu", sep=",")
        out.append(Candidate("tianditu", query, str(poi.get("name", "")), str(poi.get("address", "")),
                             lon, lat, poi, answer_crs="WGS84"))
    return out


def parse_nominatim(records: Any, query: str) -> list[Candidate]:
    """Shape Nominatim's ``format=json`` records (``lat``/``lon`` strings) into candidates."""
    out = []
    for record in _list(records, "nominatim"):
        try:
            lon, lat = float(record["lon"]), float(record["lat"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError("nominatim", "malformed", f"坐标缺失或无效：{record!r:.80}") from exc
        name = str(record.get("name") or str(record.get("display_name", "")).split(",")[0])
        out.append(Candidate("nominatim", query, name, str(record.get("display_name", "")), lon, lat, record))
    return out


def _no_retry_adapter(proxies: Any, ssl_context: Any) -> RequestsAdapter:
    """geopy's requests adapter without its own retries: ours (with backoff) are the only ones."""
    return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)


def _session(settings: Settings) -> requests.Session:
    session = requests.Session()
    retry = Retry(total=settings.geocode_retries, connect=settings.geocode_retries, read=settings.geocode_retries,
                  status=settings.geocode_retries, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504),
                  allowed_methods=("GET",), raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def _get_json(session: requests.Session, url: str, params: Mapping[str, str], provider: str, timeout: float,
              throttle: Throttle) -> Any:
    throttle.wait()
    try:
        response = session.get(url, params=params, timeout=timeout)
    except requests.Timeout as exc:
        raise ProviderError(provider, "timeout", f"{timeout:g} 秒内无响应") from exc
    except requests.ConnectionError as exc:
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(reason, (ReadTimeoutError, ConnectTimeoutError)):
            raise ProviderError(provider, "timeout", f"{timeout:g} 秒内无响应") from exc
        log.info("%s request failed: %s", provider, exc)
        raise ProviderError(provider, "unavailable", "无法连接") from exc
    except requests.RequestException as exc:
        log.info("%s request failed: %s", provider, exc)
        raise ProviderError(provider, "unavailable", "无法连接") from exc
    if response.status_code in (401, 403):
        raise ProviderError(provider, "key", f"HTTP {response.status_code}")
    if response.status_code == 429:
        raise ProviderError(provider, "quota", "HTTP 429")
    if response.status_code >= 400:
        raise ProviderError(provider, "unavailable", f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderError(provider, "malformed", "不是有效的 JSON") from exc


def _list(value: Any, provider: str) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ProviderError(provider, "malformed", "结果列表格式不符")
    return value


def _lonlat(text: Any, provider: str, *, sep: str) -> tuple[float, float]:
    try:
        lon_text, lat_text = str(text).replace(" ", sep).split(sep)[:2]
        lon, lat = float(lon_text), float(lat_text)
    except (ValueError, TypeError) as exc:
        raise ProviderError(provider, "malformed", f"坐标“{text}”无法解析") from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ProviderError(provider, "malformed", f"坐标“{text}”超出范围")
    return lon, lat
