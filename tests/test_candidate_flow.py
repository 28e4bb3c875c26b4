"""The review flow's logic without the app: which place comes next, which providers are configured, the
run's progress, a search for one place, declining the rest after a choice, and a moved point."""

from __future__ import annotations

from dataclasses import replace

import pytest
import shapely
from pyproj import Geod

from school_water_map.domain.candidates import CandidateRecord, next_entity, pending_queue
from school_water_map.errors import PositionError, ProviderError
from school_water_map.geo.crs import wgs84_to_gcj02
from school_water_map.geo.layers import load_context
from school_water_map.io.geocode import configured_providers, make_provider
from school_water_map.pipeline.geocoding import geocode_entities, search_entity
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.candidates import CandidateStore, confirm
from school_water_map.store.database import open_store
from tests.fake_geocoders import POINTS, FakeGeocoders

GEOD = Geod(ellps="WGS84")


def _record(number: int, entity: str, status: str = "pending") -> CandidateRecord:
    return CandidateRecord(provider="amap", query=entity, name=entity, address="", lon=106.2, lat=37.9,
                           candidate_id=number, entity_id=entity, status=status)


@pytest.fixture(scope="module")
def fake():
    with FakeGeocoders() as server:
        yield server


@pytest.fixture
def configured(settings, fake):
    return replace(settings, amap_key="amap-test", amap_url=fake.url, geocode_interval_s=0.0,
                   geocode_timeout_s=0.5, geocode_retries=0)


def test_the_queue_follows_the_risk_order_and_drops_decided_and_unknown():
    records = [_record(1, "B"), _record(2, "A"), _record(3, "A", "rejected"), _record(4, "C", "confirmed"),
               _record(5, "elsewhere"), _record(6, "B")]
    queue = pending_queue(records, ["A", "B", "C"])
    assert list(queue) == ["A", "B"]
    assert [c.candidate_id for c in queue["A"]] == [2] and [c.candidate_id for c in queue["B"]] == [1, 6]


@pytest.mark.parametrize(("current", "expected"), [("B", "B"), ("C", "A"), (None, "A"), (3, "A")])
def test_next_entity_stays_while_candidates_are_left_then_takes_the_riskiest(current, expected):
    queue = {"A": [_record(1, "A")], "B": [_record(2, "B")]}
    assert next_entity(queue, current) == expected


def test_next_entity_is_none_when_nothing_is_pending():
    assert next_entity({}, "A") is None


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, ()),
    ({"tianditu_key": "tk"}, ("tianditu",)),
    ({"amap_key": "ak", "nominatim_url": "http://127.0.0.1:8080"}, ("amap", "nominatim")),
    ({"env_fields": frozenset({"nominatim_url"})}, ("nominatim",)),  # set on purpose, even to the public one
])
def test_configured_providers(tmp_path, changes, expected):
    assert configured_providers(replace(Settings(data_dir=tmp_path), **changes)) == expected


def test_the_run_reports_progress_before_each_query(configured):
    seen: list[tuple[int, int, str]] = []
    outcomes = geocode_entities(build_register(configured), make_provider("amap", configured),
                                CandidateStore(open_store(configured)), only_unplaced=True, limit=3,
                                progress=lambda done, total, entity, _q: seen.append((done, total, entity)))
    assert [(d, t) for d, t, _ in seen] == [(0, 3), (1, 3), (2, 3)]
    assert [e for _, _, e in seen] == [o.entity_id for o in outcomes]
    assert all(o.provider == "amap" and o.kind == "" for o in outcomes)


def test_a_search_stores_the_answers_for_that_place_and_keeps_going_past_a_failing_provider(configured):
    class Down:
        name = "tianditu"

        def search(self, _query: str):
            raise ProviderError("tianditu", "unavailable", "无法连接")

    store = CandidateStore(open_store(configured))
    found, errors = search_entity("640302-S37", "many", [Down(), make_provider("amap", configured)], store)
    assert [e.kind for e in errors] == ["unavailable"] and "天地图" in str(errors[0])
    assert len(found) == 3 and {c.entity_id for c in store.load()} == {"640302-S37"}
    assert {c.query for c in found} == {"many"}


def test_declining_the_others_follows_a_confirmation_only(configured):
    store = CandidateStore(open_store(configured))
    first, second, third = store.add("640302-S39", make_provider("amap", configured).search("many"))
    (elsewhere,) = store.add("640302-S01", make_provider("amap", configured).search("good"))
    with pytest.raises(PositionError, match="尚未确认"):
        store.decline_others(first.candidate_id, "审核员")
    register = build_register(configured)
    confirm(store, first.candidate_id, by="审核员", resolution=register.resolution,
            area=load_context(configured.geodata_dir).outline.union_all(), positions=open_store(configured).positions)
    declined = store.decline_others(first.candidate_id, "审核员")
    assert {c.candidate_id for c in declined} == {second.candidate_id, third.candidate_id}
    statuses = {c.candidate_id: (c.status, c.decided_by) for c in store.load()}
    assert statuses[second.candidate_id] == ("rejected", "审核员")
    assert statuses[elsewhere.candidate_id] == ("pending", "")  # another place's candidate stays


def test_a_moved_point_is_recorded_in_wgs84_with_the_candidate_kept(configured):
    store = CandidateStore(open_store(configured))
    (one,) = store.add("640302-S39", make_provider("amap", configured).search("good"))
    register = build_register(configured)
    lon, lat = 106.2060, 37.9890
    glon, glat = map(float, wgs84_to_gcj02(lon, lat))
    stored = confirm(store, one.candidate_id, by="审核员", resolution=register.resolution,
                     area=load_context(configured.geodata_dir).outline.union_all(),
                     positions=open_store(configured).positions, adjusted=(glon, glat, "GCJ02"))
    assert GEOD.inv(shapely.get_x(stored.geometry), shapely.get_y(stored.geometry), lon, lat)[2] < 1.0
    assert stored.precision == "geocoded" and "人工点选调整" in stored.source
    assert f"{POINTS[0][0]:.4f}" in stored.note  # the candidate's own point, before the move
