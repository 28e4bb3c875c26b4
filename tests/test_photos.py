"""Inspection photos: evidence kept against refused and concurrent submissions, a full disk, hostile images."""

from __future__ import annotations

import errno
import io
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from PIL import Image

from school_water_map.domain.inspections import Inspection, InspectionInput
from school_water_map.errors import InspectionError, PhotoError
from school_water_map.store import inspections, photos
from school_water_map.store.inspections import list_inspections, submit
from tests.helpers import ANSWERS, RULES, SITE_83, memory_growth_mb


def _image(fmt: str, size: tuple[int, int] = (320, 200), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 120 if mode in ("1", "L") else (30, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def _leftovers(store) -> list[str]:
    """Files in photos/ other than committed photos and the lock: temporary or partial writes."""
    folder = store.data_dir / "photos"
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and p.name != ".lock" and p.suffix != ".jpg")


def test_a_refused_second_submission_keeps_the_first_inspections_photo(store, patrol):
    photo = _image("PNG")
    first = submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=photo)
    with pytest.raises(InspectionError, match="不存在或不属于此站点"):
        submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=photo, corrects=999)
    assert first.photo and (store.data_dir / first.photo).is_file()
    assert [i.id for i in list_inspections(store)] == [first.id]
    assert _leftovers(store) == []


def test_a_refused_submission_removes_the_photo_it_alone_wrote(store, patrol):
    with pytest.raises(InspectionError):
        submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=_image("PNG"),
               corrects=999)
    assert not list((store.data_dir / "photos").rglob("*.jpg"))
    assert _leftovers(store) == []


def test_concurrent_identical_photos_all_succeed_and_keep_their_file(store, patrol):
    photo, count = _image("JPEG"), 100

    def one(number: int) -> Inspection:
        return submit(store, patrol, SITE_83, InspectionInput(ANSWERS, note=f"#{number}"), target=None, rules=RULES,
                      photo=photo)

    with ThreadPoolExecutor(max_workers=count) as pool:
        done = list(pool.map(one, range(count)))
    assert len(done) == count and len(list_inspections(store)) == count
    assert all(item.photo and (store.data_dir / item.photo).is_file() for item in done)
    assert len({item.photo for item in done}) == 1
    assert _leftovers(store) == []


def test_concurrent_refused_and_accepted_identical_photos_keep_every_committed_photo(store, patrol):
    photo, count = _image("JPEG"), 60

    def one(number: int) -> Inspection | None:
        try:
            return submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=photo,
                          corrects=999 if number % 2 else None)
        except InspectionError:
            return None

    with ThreadPoolExecutor(max_workers=count) as pool:
        done = [item for item in pool.map(one, range(count)) if item is not None]
    assert len(done) == count // 2
    assert all(item.photo and (store.data_dir / item.photo).is_file() for item in done)
    assert _leftovers(store) == []


def test_a_refusal_while_another_submission_of_the_same_photo_commits_keeps_its_photo(store, patrol, monkeypatch):
    """A (refused) writes the photo first; B finds it already there and is committing when A cleans up."""
    photo = _image("JPEG")
    a_saved, b_recording, a_refused = threading.Event(), threading.Event(), threading.Event()
    real = inspections._record

    def record(*args, **kwargs):
        if kwargs.get("corrects") == 999:  # A
            a_saved.set()
            b_recording.wait(10)
            try:
                return real(*args, **kwargs)
            finally:
                a_refused.set()
        b_recording.set()  # B: its photo is saved (found A's), its transaction is about to run
        a_refused.wait(10)
        time.sleep(0.3)  # a window for A's clean-up to run before B commits (unless it waits for B)
        return real(*args, **kwargs)

    monkeypatch.setattr(inspections, "_record", record)
    errors: list[BaseException] = []

    def refused() -> None:
        try:
            submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=photo,
                   corrects=999)
        except InspectionError as exc:
            errors.append(exc)

    thread = threading.Thread(target=refused)
    thread.start()
    assert a_saved.wait(10)
    committed = submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=photo)
    thread.join(10)
    assert len(errors) == 1 and "不存在" in str(errors[0])
    assert committed.photo and (store.data_dir / committed.photo).is_file()


def test_a_full_disk_refuses_in_chinese_and_leaves_nothing(store, patrol, monkeypatch):
    def full(handle, data):
        handle.write(data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(photos, "_write", full)
    with pytest.raises(InspectionError, match="照片无法保存：磁盘空间不足"):
        submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=_image("PNG"))
    assert list_inspections(store) == []
    assert _leftovers(store) == []
    assert not list((store.data_dir / "photos").rglob("*.jpg"))


def test_temporary_files_left_by_a_killed_process_are_swept(store, patrol):
    folder = store.data_dir / "photos" / "2026" / "07"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".0123456789abcdef-dead.part", folder / ".fedcba9876543210-live.part"
    stale.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"y")
    old = time.time() - photos.STALE_PART_S - 60
    os.utime(stale, (old, old))
    submit(store, patrol, SITE_83, InspectionInput(ANSWERS), target=None, rules=RULES, photo=_image("PNG"),
           now=datetime(2026, 7, 15, 3, 0, tzinfo=UTC))
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("TIFF", "TIFF"), ("BMP", "BMP"), ("WEBP", "WebP"),
                                           ("ICO", "ICO")])
def test_only_jpeg_png_and_heic_photos_are_taken(fmt, name):
    with pytest.raises(PhotoError, match=f"不支持 {name} 格式的图片"):
        photos.reencode(_image(fmt, (64, 64)))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "HEIF"])
def test_jpeg_png_and_heic_become_small_jpegs(fmt):
    photos._register_heif()
    jpeg = photos.reencode(_image(fmt, (3200, 1800)))
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and max(image.size) == photos.PHOTO_MAX_SIDE


def test_the_pixel_count_is_refused_before_decoding():
    """A 13000 × 13000 PNG of a few KB (169 megapixels) is refused from its header, in bounded memory."""
    [size, message], grown_mb = memory_growth_mb(
        "import io\nfrom PIL import Image\nfrom school_water_map.store import photos\n"
        "b = io.BytesIO(); Image.new('1', (13000, 13000)).save(b, format='PNG'); data = b.getvalue()\n"
        "print(len(data))\ndef run():\n    photos.reencode(data)\n", timeout=120)
    assert "照片像素过多（13000×13000" in message and "上限 40 百万像素" in message
    assert int(size) < 100_000 and grown_mb < 200
