"""A fake HTTP server on 127.0.0.1 answering like 天地图, 高德 and Nominatim, one scenario per query text.

Scenarios (the query is the search text): ``many`` three answers; ``none`` no result;
``badkey`` the provider's wrong-key answer; ``quota`` its quota answer; ``malformed`` broken JSON;
``slow`` an answer after 2 s (longer than the client's timeout). ``places`` (query → WGS-84 points) gives
a query its own answers instead, the first point first (each provider's format; 高德's in GCJ-02).
Formats follow the providers' docs:
天地图 地名搜索V2.0 (lbs.tianditu.gov.cn/server/search2.html), 高德 Web 服务 v3/place/text
(lbs.amap.com/api/webservice/guide/api/search), Nominatim /search?format=json.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from school_water_map.geo.crs import wgs84_to_gcj02

#: Query text → the points answered for it (WGS-84 lon, lat), the first first.
Places = Mapping[str, Sequence[tuple[float, float]]]
POINTS = [(106.2035, 37.9871), (106.2101, 37.9902), (106.1950, 37.9755)]  # near the city centre (test data)


class FakeGeocoders:
    def __init__(self, places: Places | None = None, *, every: str | None = None) -> None:
        self.requests: list[str] = []
        self.places = dict(places or {})
        self.every = every  # a scenario answered to every query (``quota``: the key's quota is spent)
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGeocoders:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                if fake.every:
                    params = {"keywords": fake.every, "q": fake.every,
                              "postStr": json.dumps({"keyWord": fake.every})}
                if url.path == "/v3/place/text":
                    status, body = _amap(params["keywords"], fake.places)
                elif url.path == "/v2/search":
                    status, body = _tianditu(json.loads(params["postStr"])["keyWord"], fake.places)
                elif url.path == "/search":
                    status, body = _nominatim(params["q"], fake.places)
                else:
                    status, body = 404, "not found"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(body.encode("utf-8"))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the ``slow`` scenario)

        return Handler


def _points(query: str, places: Places) -> Sequence[tuple[float, float]]:
    if query in places:
        return places[query]
    return POINTS[:{"many": 3, "none": 0}.get(query, 1)]  # any other text: one answer


def _common(query: str) -> tuple[int, str] | None:
    if query == "slow":
        time.sleep(2.0)
    if query == "malformed":
        return 200, '{"status": "1", "pois": [ {"name": '
    return None


def _amap(query: str, places: Places) -> tuple[int, str]:
    special = _common(query)
    if special:
        return special
    if query == "badkey":
        return 200, json.dumps({"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"})
    if query == "quota":
        return 200, json.dumps({"status": "0", "info": "DAILY_QUERY_OVER_LIMIT", "infocode": "10003"})
    pois = [{"id": f"B0{i}", "name": f"{query}{i}", "type": "科教文化服务;学校;小学", "address": "利通街",
             "location": "{:.6f},{:.6f}".format(*map(float, wgs84_to_gcj02(lon, lat))), "pname": "宁夏回族自治区",
             "cityname": "吴忠市",
             "adname": "利通区"} for i, (lon, lat) in enumerate(_points(query, places))]
    return 200, json.dumps({"status": "1", "count": str(len(pois)), "info": "OK", "infocode": "10000", "pois": pois},
                           ensure_ascii=False)


def _tianditu(query: str, places: Places) -> tuple[int, str]:
    special = _common(query)
    if special:
        return special
    if query == "badkey":
        return 403, json.dumps({"msg": "权限类型错误", "resolve": "权限类型错误", "code": 1}, ensure_ascii=False)
    if query == "quota":
        return 429, json.dumps({"msg": "访问次数超限", "code": 2}, ensure_ascii=False)
    pois = [{"name": f"{query}{i}", "address": "吴忠市利通区", "lonlat": f"{lon},{lat}", "hotPointID": f"H{i}"}
            for i, (lon, lat) in enumerate(_points(query, places))]
    body = {"resultType": 1, "count": len(pois), "keyword": query, "pois": pois,
            "status": {"infocode": 1000, "cndesc": "服务正常"}}
    return 200, json.dumps(body, ensure_ascii=False)


def _nominatim(query: str, places: Places) -> tuple[int, str]:
    special = _common(query)
    if special:
        return special
    if query == "badkey":
        return 403, "<html>Access blocked</html>"
    if query == "quota":
        return 429, "<html>Too Many Requests</html>"
    records = [{"place_id": i, "lat": str(lat), "lon": str(lon), "display_name": f"{query}{i}, 利通区, 吴忠市, 宁夏",
                "name": f"{query}{i}", "class": "amenity", "type": "school"}
               for i, (lon, lat) in enumerate(_points(query, places))]
    return 200, json.dumps(records, ensure_ascii=False)
