from __future__ import annotations

from dataclasses import replace

import pytest
from pyproj import Geod

from school_water_map.domain.users import User
from school_water_map.errors import AuthError, PositionError, ProviderError
from school_water_map.geo.layers import load_context
from school_water_map.io.geocode import Throttle, make_provider, parse_amap
from school_water_map.pipeline.geocoding import geocode_entities
from school_water_map.pipeline.register import build_register
from school_water_map.store.candidates import CandidateStore, confirm
from school_water_map.store.database import open_store
from tests.fake_geocoders import POINTS, FakeGeocoders
from tests.helpers import swmap

GEOD = Geod(ellps="WGS84")
PROVIDERS = ("tianditu", "amap", "nominatim")


@pytest.fixture(scope="module")
def fake():
    with FakeGeocoders() as server:
        yield server


@pytest.fixture
def configured(settings, fake):
    return replace(settings, tianditu_key="tk-test", amap_key="amap-test", tianditu_url=fake.url, amap_url=fake.url,
                   nominatim_url=fake.url, geocode_interval_s=0.0, geocode_timeout_s=0.5, geocode_retries=0)


@pytest.mark.parametrize("name", PROVIDERS)
def test_good_and_several_answers_are_wgs84_candidates(configured, name):
    provider = make_provider(name, configured)
    (one,) = provider.search("good")
    assert one.provider == name and one.query == "good" and one.raw
    assert GEOD.inv(one.lon, one.lat, *POINTS[0])[2] < 1.0  # 高德's GCJ-02 answer converted back
    assert len(provider.search("many")) == 3
    assert provider.search("none") == []


@pytest.mark.parametrize("name", PROVIDERS)
@pytest.mark.parametrize(("query", "kind"), [("badkey", "key"), ("quota", "quota"), ("malformed", "malformed"),
                                             ("slow", "timeout")])
def test_failures_are_clear_errors(configured, name, query, kind):
    with pytest.raises(ProviderError) as info:
        make_provider(name, configured).search(query)
    assert info.value.kind == kind
    assert any(word in str(info.value) for word in ("密钥", "配额", "超时", "无法解析"))


def test_missing_key_and_unknown_provider(settings):
    with pytest.raises(ProviderError, match="SWMAP_AMAP_KEY"):
        make_provider("amap", settings)
    with pytest.raises(PositionError, match="未知的地理编码服务"):
        make_provider("baidu", settings)


def test_retries_with_backoff_then_gives_up(configured, fake):
    before = len(fake.requests)
    slept: list[float] = []
    provider = make_provider("nominatim", replace(configured, geocode_retries=2), sleep=slept.append)
    with pytest.raises(ProviderError):
        provider.search("slow")
    assert len(fake.requests) - before == 3 and slept == [1.0, 2.0]


def test_throttle_spaces_calls():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(1.0, sleep=sleep, clock=lambda: now[0])
    throttle.wait()
    now[0] += 0.25
    throttle.wait()
    assert slept == [0.75]


def test_parse_amap_is_pure_and_converts_gcj02():
    (candidate,) = parse_amap({"status": "1", "pois": [{"name": "x", "location": "106.2079,37.9877"}]}, "x")
    assert candidate.answer_crs == "GCJ02" and candidate.lon < 106.2079


def test_run_keeps_every_answer_and_nothing_is_confirmed(configured, fake):
    register = build_register(configured)
    store = CandidateStore(open_store(configured))
    provider = make_provider("tianditu", configured)
    outcomes = geocode_entities(register, provider, store, only_unplaced=True, limit=3)
    assert [o.error for o in outcomes] == ["", "", ""]
    assert all(c.status == "pending" for c in store.load())
    assert build_register(configured).schools["precision"].eq("unplaced").all()


def test_a_key_error_stops_the_run_and_keeps_stored_candidates(configured):
    store = CandidateStore(open_store(configured))
    store.add("640302-S01", make_provider("amap", configured).search("many"))
    before = store.load()

    class BadKey:
        name = "amap"

        def search(self, _query: str):
            raise ProviderError("amap", "key", "10001 INVALID_USER_KEY")

    outcomes = geocode_entities(build_register(configured), BadKey(), store)
    assert len(outcomes) == 1 and "密钥" in outcomes[0].error
    assert store.load() == before and len(before) == 3


def test_confirm_records_a_geocoded_position_and_reject_only_marks(configured):
    store = CandidateStore(open_store(configured))
    first, second = store.add("640302-S39", make_provider("amap", configured).search("many"))[:2]
    register = build_register(configured)
    area = load_context(configured.geodata_dir).outline.union_all()
    positions = open_store(configured).positions
    stored = confirm(store, first.candidate_id, by="审核员", resolution=register.resolution, area=area,
                     positions=positions)
    assert stored.precision == "geocoded" and stored.method == "geocoder" and "高德" in stored.source
    store.decide(second.candidate_id, "rejected", "审核员")
    statuses = {c.candidate_id: c.status for c in store.load()}
    assert statuses[first.candidate_id] == "confirmed" and statuses[second.candidate_id] == "rejected"
    with pytest.raises(PositionError, match="已确认，不能再次处理"):
        store.decide(first.candidate_id, "rejected", "审核员")
    school = build_register(configured).schools.loc["640302-S39"]
    assert school["precision"] == "geocoded" and GEOD.inv(school["lon"], school["lat"], *POINTS[0])[2] < 1.0


def test_a_patrol_confirms_only_its_own_townships_candidates(configured):
    store = CandidateStore(open_store(configured))
    (first,) = store.add("640302-S37", make_provider("amap", configured).search("many"))[:1]  # 板桥波浪渠小学
    register = build_register(configured)
    area = load_context(configured.geodata_dir).outline.union_all()
    positions = open_store(configured).positions
    other = User(id=1, username="jj01", display_name="金积巡查员", role="patrol", township="金积镇", active=True)
    with pytest.raises(AuthError, match="本账号只能定位金积镇"):
        confirm(store, first.candidate_id, by="金积巡查员", resolution=register.resolution, area=area,
                positions=positions, user=other)
    assert store.load()[0].status == "pending" and positions.load() == []
    own = replace(other, username="bq01", display_name="板桥巡查员", township="板桥乡")
    stored = confirm(store, first.candidate_id, by="板桥巡查员", resolution=register.resolution, area=area,
                     positions=positions, user=own)
    assert stored.entity_id == "640302-S37" and store.load()[0].status == "confirmed"


def test_http_providers_retry_transient_failures(configured, fake):
    before = len(fake.requests)
    with pytest.raises(ProviderError, match="超时"):
        make_provider("amap", replace(configured, geocode_retries=1)).search("slow")
    assert len(fake.requests) - before == 2


def test_cli_geocode_then_confirm(tmp_path, fake):
    env = {"SWMAP_TIANDITU_KEY": "tk", "SWMAP_TIANDITU_URL": fake.url, "SWMAP_GEOCODE_INTERVAL": "0"}
    out = swmap("geocode", "--provider", "tianditu", "--only-unplaced", "--limit", "2", data_dir=tmp_path, env=env)
    assert "共查询 2 条，得到 2 个候选" in out.stdout
    listing = swmap("candidates", "list", data_dir=tmp_path).stdout
    assert "#1 [待确认] 640302-S01" in listing
    confirmed = swmap("candidates", "confirm", "1", "--author", "审核员", data_dir=tmp_path).stdout
    assert "已确认候选 #1" in confirmed
    assert "[已确认]" in swmap("candidates", "list", data_dir=tmp_path).stdout
    missing = swmap("geocode", "--provider", "amap", data_dir=tmp_path, check=False)
    assert missing.returncode == 2 and "SWMAP_AMAP_KEY" in missing.stderr
