"""Batches rendered on several processes (``notices.batch``): the same pages and text as in one process,
in order, with per-document progress; a worker's error reaches the caller as it was raised; a worker
that dies leaves its chunk to the caller."""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from school_water_map.errors import MissingGlyphError
from school_water_map.notices import batch
from school_water_map.notices.batch import Job, chunks, each_pdf, merged_pdf
from school_water_map.notices.config import NoticeConfig
from school_water_map.notices.context import school_letter
from school_water_map.notices.render import NoticeRenderer
from tests.notice_tools import need_poppler, pdf_fonts, pdf_pages, pdf_text, squash

TODAY = date(2026, 6, 1)
COUNT = 5   # letters per batch here: the caller lays out 2, the worker 3


@pytest.fixture(scope="module", autouse=True)
def _workers() -> None:
    need_poppler()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "PARALLEL_FROM", 2)          # small batches too, to keep the tests short
        patch.setattr(batch, "worker_count", lambda: 1)   # one worker, even on a one-CPU machine
        assert batch.warm()
        yield


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


@pytest.fixture(scope="module")
def letters(register) -> list[Job]:
    ids = list(register.schools.index)[:COUNT]
    return [Job(school_letter(register, NoticeConfig(), i, today=TODAY)) for i in ids]


@dataclass(frozen=True)
class DiesInWorker(Job):
    """A job whose worker process exits while laying it out (the caller lays it out as usual)."""

    caller: int = 0

    def document(self, renderer: NoticeRenderer):  # type: ignore[no-untyped-def]
        if os.getpid() != self.caller:
            os._exit(3)
        return super().document(renderer)


def _text(pdf: Path) -> str:
    """pdftotext's text, the list bullet and the middle dot as one: they are one glyph of the font, which
    the PDF's text layer names after whichever character a batch's font subset met (printed the same)."""
    return pdf_text(pdf).replace("•", "·")


def _save(tmp_path: Path, name: str, pdf: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def test_chunks_cover_the_batch_in_order_the_callers_first_and_smaller():
    assert chunks(40, 1) == [range(19), range(19, 40)]
    assert chunks(10, 3) == [range(2), range(2, 4), range(4, 7), range(7, 10)]
    assert chunks(1, 1) == [range(1)] and chunks(7, 0) == [range(7)]
    for count in range(2, 30):
        for workers in (1, 2, 3):
            parts = chunks(count, workers)
            assert [i for part in parts for i in part] == list(range(count))
            assert all(len(part) for part in parts) and len(parts[0]) <= len(parts[-1])


def test_parallel_merged_batch_prints_what_one_process_prints_in_order(letters, renderer, tmp_path):
    seen: list[tuple[int, int]] = []
    serial = _save(tmp_path, "serial.pdf", merged_pdf(COUNT, letters.__getitem__, renderer=renderer, parallel=False))
    parallel = _save(tmp_path, "parallel.pdf", merged_pdf(COUNT, letters.__getitem__, renderer=renderer,
                                                          progress=lambda done, total: seen.append((done, total))))
    assert seen == [(n, COUNT) for n in range(1, COUNT + 1)]  # one report per document, in order
    assert pdf_pages(parallel) == pdf_pages(serial)
    assert _text(parallel) == _text(serial)
    flat = squash(_text(parallel))
    names = [f"《{job.context.school}致家长告知书》" for job in letters]  # type: ignore[union-attr]
    assert [flat.find(name) for name in names] == sorted(flat.find(name) for name in names)
    assert flat.count("第1页/共") == COUNT
    assert {row[0].split("+")[-1] for row in pdf_fonts(parallel)} == {"SWM-Noto-Sans-SC", "SWM-Noto-Sans-SC-Bold"}
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in pdf_fonts(parallel))  # embedded, subset, unicode


def test_parallel_zip_batch_gives_the_same_pdf_per_document(letters, renderer, tmp_path):
    serial = each_pdf(COUNT, letters.__getitem__, renderer=renderer, parallel=False)
    parallel = each_pdf(COUNT, letters.__getitem__, renderer=renderer)
    assert len(parallel) == COUNT
    for n, (one, other) in enumerate(zip(serial, parallel, strict=True)):
        assert _text(_save(tmp_path, f"p{n}.pdf", other)) == _text(_save(tmp_path, f"s{n}.pdf", one))


def test_a_workers_missing_glyph_reaches_the_caller_as_missing_glyph_error(letters, renderer):
    bad = letters[-1]   # the last document: the worker's chunk
    jobs = [*letters[:-1], replace(bad, context=replace(bad.context, school="𠀀𠀁小学"))]
    with pytest.raises(MissingGlyphError, match="字体无法显示的字符") as raised:
        merged_pdf(COUNT, jobs.__getitem__, renderer=renderer)
    assert raised.value.characters == "𠀀𠀁" and "𠀀𠀁小学" in raised.value.document
    assert merged_pdf(COUNT, letters.__getitem__, renderer=renderer)  # the pool still works


def test_a_worker_that_dies_leaves_its_chunk_to_the_caller(letters, renderer, tmp_path):
    jobs = [DiesInWorker(job.context, caller=os.getpid()) for job in letters]
    seen: list[tuple[int, int]] = []
    pdf = _save(tmp_path, "rescued.pdf", merged_pdf(COUNT, jobs.__getitem__, renderer=renderer,
                                                    progress=lambda done, total: seen.append((done, total))))
    serial = _save(tmp_path, "serial.pdf", merged_pdf(COUNT, letters.__getitem__, renderer=renderer, parallel=False))
    assert _text(pdf) == _text(serial)
    assert seen[-1] == (COUNT, COUNT) and [done for done, _ in seen] == sorted({done for done, _ in seen})
    assert merged_pdf(COUNT, letters.__getitem__, renderer=renderer)  # a new pool replaced the broken one


def test_workers_never_run_the_callers_main_script(tmp_path, monkeypatch):
    """Inside a Streamlit run ``__main__`` is the app's script; a spawned worker must not run it again."""
    marker, script = tmp_path / "ran", tmp_path / "app.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    pool = batch._Pool(1)
    try:
        assert pool.executor.submit(os.getpid).result(timeout=300) != os.getpid()
    finally:
        pool.executor.shutdown()
    assert sys.modules["__main__"] is main and not marker.exists()
