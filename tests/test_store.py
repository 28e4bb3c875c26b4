"""The store on both back-ends: positions with history, accounts, append-only inspections, drafts."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from shapely.geometry import Point
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from school_water_map.domain.inspections import DevicePosition, InspectionInput, latest_by_site
from school_water_map.domain.positions import new_record
from school_water_map.domain.sites import Site
from school_water_map.errors import AccountError, AuthError, InspectionError, PositionError
from school_water_map.store.accounts import add_user, authenticate, disable_user, list_users
from school_water_map.store.database import open_store
from school_water_map.store.inspections import list_inspections, load_draft, save_draft, submit
from school_water_map.store.position_file import PositionFile
from tests.helpers import ANSWERS, RULES, SITE_83

OTHER = Site(**{**SITE_83.__dict__, "site_id": "640302-S40-W01", "township": "金积镇", "township_label": "金积镇"})
TARGET = Point(106.30, 37.90)  # a test position for the site, not a real one


def _png(size=(2400, 1200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_positions_history_on_both_backends(store):
    first = new_record("640302-S37", Point(106.1, 37.9), precision="surveyed", source="GPS", author="甲", method="gps")
    second = new_record("640302-S37", Point(106.2, 37.9), precision="surveyed", source="点选", author="乙",
                        method="click")
    store.positions.add([first])
    store.positions.add([second])
    history = store.positions.history("640302-S37")
    assert [h.author for h in history] == ["甲", "乙"] and history[1].supersedes == history[0].record_id
    assert store.positions.current()["640302-S37"].geometry.equals(Point(106.2, 37.9))


def test_a_failed_batch_stores_nothing(store):
    good = new_record("A", Point(106.1, 37.9), precision="surveyed", source="GPS", author="甲", method="gps")
    bad = good.__class__(**{**good.__dict__, "precision": None})  # violates NOT NULL in the database
    with pytest.raises(DBAPIError):
        store.positions.add([good, bad])
    assert store.positions.load() == []


def test_old_position_file_moves_in_with_its_ids(db_settings):
    legacy = PositionFile(db_settings.positions_path)
    legacy.add([new_record("B", Point(106.1, 37.9), precision="surveyed", source="GPS", author="甲", method="gps"),
                new_record("B", Point(106.2, 37.9), precision="surveyed", source="GPS", author="甲", method="gps")])
    store = open_store(db_settings)
    assert [r.record_id for r in store.positions.history("B")] == [1, 2]
    assert not db_settings.positions_path.exists()
    (added,) = store.positions.add([new_record("B", Point(106.3, 37.9), precision="surveyed", source="GPS",
                                               author="甲", method="gps")])
    assert (added.record_id, added.supersedes) == (3, 2)


def test_accounts(store):
    add_user(store, "admin", "bureau-pass-1", "admin", display_name="教育局")
    add_user(store, "bq01", "secret-123", "patrol", township="板桥乡")
    with pytest.raises(AccountError, match="已存在"):
        add_user(store, "bq01", "secret-456", "patrol", township="板桥乡")
    with pytest.raises(AccountError, match="必须指定所属乡镇"):
        add_user(store, "x1", "secret-123", "patrol")
    with pytest.raises(AccountError, match="至少 10 位"):
        add_user(store, "x2", "short", "viewer")
    assert authenticate(store, "bq01", "secret-123").township == "板桥乡"
    with pytest.raises(AuthError, match="用户名或密码错误"):
        authenticate(store, "bq01", "wrong-pass")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        authenticate(store, "nobody", "secret-123")
    disable_user(store, "bq01")
    with pytest.raises(AuthError, match="已停用"):
        authenticate(store, "bq01", "secret-123")
    assert [u.username for u in list_users(store)] == ["admin", "bq01"]
    with store.engine.connect() as connection:
        hashes = [row[0] for row in connection.execute(text("SELECT password_hash FROM users"))]
    assert all(h.startswith("$argon2id$") and "secret" not in h for h in hashes)


def test_inspection_with_photo_and_gps(store, patrol):
    near = DevicePosition(lon=106.3005, lat=37.9003, accuracy_m=8)
    item = submit(store, patrol, SITE_83, InspectionInput(ANSWERS, problems="护栏缺失", action_taken="已报乡政府"),
                  target=TARGET, rules=RULES, photo=_png(), device=near)
    assert item.presence == "at_site" and 40 < item.distance_to_site_m < 70
    photo = store.data_dir / item.photo
    with Image.open(photo) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
    far = submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=TARGET, rules=RULES,
                 device=DevicePosition(lon=106.32, lat=37.90, accuracy_m=5))
    assert far.presence == "not_at_site" and far.distance_to_site_m > 1500
    assert submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES,
                  device=DevicePosition(106.3, 37.9)).presence == "site_unplaced"
    assert submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=TARGET, rules=RULES).presence == "no_gps"


def test_township_scoping_is_enforced_in_the_store(store, patrol):
    with pytest.raises(AuthError, match="无权为金积镇"):
        submit(store, patrol, OTHER, InspectionInput(ANSWERS), target=None, rules=RULES, photo=_png())
    viewer = add_user(store, "look", "secret-123", "viewer")
    with pytest.raises(AuthError, match="只能查看"):
        submit(store, viewer, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES)
    with pytest.raises(AuthError):
        save_draft(store, patrol, OTHER, {"fence": "ok"})
    assert list_inspections(store) == []
    assert not (store.data_dir / "photos").exists()


def test_bad_input_writes_nothing(store, patrol):
    with pytest.raises(InspectionError, match="请填写“警示标牌”"):
        submit(store, patrol, SITE_83, InspectionInput({**ANSWERS, "warning_sign": ""}), target=None, rules=RULES)
    with pytest.raises(InspectionError, match="不是可识别的图片"):
        submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=b"%PDF-1.4 text")
    with pytest.raises(InspectionError, match="照片太大"):
        submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=b"0" * (16 << 20))
    with pytest.raises(InspectionError, match="不存在或不属于此站点"):
        submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=_png(), corrects=999)
    assert list_inspections(store) == []
    assert not list((store.data_dir / "photos").rglob("*.jpg")) if (store.data_dir / "photos").exists() else True


def test_inspections_are_append_only_and_corrections_point_back(store, patrol):
    first = submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES,
                   now=datetime(2026, 7, 10, 9, tzinfo=UTC))
    fixed = submit(store, patrol, SITE_83, InspectionInput({**ANSWERS, "fence": "ok"}, note="更正：护栏其实完好"),
                   target=None, rules=RULES, corrects=first.id, now=datetime(2026, 7, 10, 10, tzinfo=UTC))
    assert fixed.corrects_id == first.id
    assert latest_by_site(list_inspections(store))[SITE_83.site_id].id == fixed.id
    for statement in ("UPDATE inspections SET note = 'x'", "DELETE FROM inspections"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert len(list_inspections(store)) == 2


def test_an_inspection_cannot_be_rewritten_by_replace_or_upsert(store, patrol):
    first = submit(store, patrol, SITE_83, InspectionInput(ANSWERS, note="原始记录"), target=None, rules=RULES)
    columns = "id, site_id, township, user_id, inspector, created_at, answers, problems, action_taken, note, presence"
    values = (f"{first.id}, 'x', 'x', {patrol.id}, 'x', '2026-07-10 00:00:00', '{{}}', '', '', '改写', 'no_gps'")
    rewrite = (f"INSERT OR REPLACE INTO inspections ({columns}) VALUES ({values})"
               if store.engine.dialect.name == "sqlite" else
               f"INSERT INTO inspections ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET note = '改写'")
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(rewrite))
    assert [item.note for item in list_inspections(store)] == ["原始记录"]


def test_drafts_survive_and_are_cleared_by_submitting(store, patrol):
    save_draft(store, patrol, SITE_83, {"warning_sign": "ok", "note": "半途"})
    save_draft(store, patrol, SITE_83, {"warning_sign": "missing", "note": "半途"})
    assert load_draft(store, patrol, SITE_83.site_id) == {"warning_sign": "missing", "note": "半途"}
    submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES)
    assert load_draft(store, patrol, SITE_83.site_id) is None


def test_inspection_days_are_dates(store, patrol):
    item = submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES,
                  now=datetime(2026, 8, 1, 23, 30, tzinfo=UTC))
    assert list_inspections(store)[0].day == date(2026, 8, 2) and item.answers == ANSWERS  # 07:30 in 吴忠
    assert json.dumps(item.answers, ensure_ascii=False)


def test_candidates_and_annexes_live_in_the_store(db_settings):
    from school_water_map.domain.candidates import Candidate
    from school_water_map.io.annex_file import load_annex
    from school_water_map.pipeline.annexes import active_annex
    from school_water_map.store.annexes import annex_history, save_active
    from school_water_map.store.candidates import CandidateStore

    candidates = CandidateStore(open_store(db_settings))
    first, second = candidates.add("640302-S39", [Candidate("amap", "开元小学", "开元小学", "利通区", 106.2, 37.98),
                                                  Candidate("amap", "开元小学", "开元小学北门", "", 106.21, 37.98)])
    candidates.decide(first.candidate_id, "rejected", "审核员")

    def fail(_record):
        raise PositionError("记录位置失败")

    with pytest.raises(PositionError):
        candidates.decide(second.candidate_id, "confirmed", "审核员", on_confirm=fail)
    assert [c.status for c in candidates.load()] == ["rejected", "pending"]  # a failed confirmation marks nothing
    rows = load_annex(db_settings.annex_path)
    assert active_annex(db_settings).source == "litong_2021_annex.csv" and annex_history(db_settings) == []
    save_active(db_settings, rows[:10], {"新名": "640302-S01"}, source="2022.csv", applied_by="乙")
    applied = active_annex(db_settings)
    assert (len(applied.rows), applied.aliases, applied.source) == (10, {"新名": "640302-S01"}, "2022.csv")
    assert open_store(db_settings).version()[2] == 1
