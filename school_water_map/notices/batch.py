"""Many notices at once, on every core: the batch print's renderer.

``merged_pdf(count, job)`` is documents ``job(0) … job(count - 1)`` as one PDF, ``each_pdf`` the same as one
PDF each; both call ``progress(done, total)`` once per document, in the calling thread. The calling
process builds every context (``job(i)``, a picklable ``Job``); the last documents go, as contiguous
chunks, to worker processes that each lay theirs out and write them as one PDF, while the caller lays
out the first chunk itself. The chunk PDFs are then joined in order with pdfium (each letter keeps its
own 第1页/共2页; each chunk embeds its own font subset).

The workers are started with ``spawn`` (never ``fork``: the app's server is multi-threaded), one fewer than
the CPUs, and kept for the process's lifetime, so their fonts are loaded once (``warm()`` starts them
early); each holds one ``NoticeRenderer``. One batch uses them at a time: a batch that finds them busy,
a small batch, or a machine with one CPU renders in the calling process alone, as does a batch whose
pool cannot start or dies (its chunk is then rendered here). An error raised in a worker
(``MissingGlyphError`` …) reaches the caller as the same exception.
"""

from __future__ import annotations

import io
import itertools
import logging
import multiprocessing
import os
import queue
import sys
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from school_water_map.notices.context import SchoolLetter, SiteNotice, TownshipSheet
from school_water_map.notices.render import NoticeRenderer, default_renderer

if TYPE_CHECKING:
    from weasyprint.document import Document

log = logging.getLogger(__name__)

#: Batches smaller than this are rendered in the calling process (a chunk's PDF costs ≈ 0.1 s more).
PARALLEL_FROM = 6
#: At most this many worker processes (beside the caller).
MAX_WORKERS = 3
#: The caller's share of a batch, relative to a worker's: it also builds every context and joins the PDFs.
CALLER_SHARE = 0.9

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Job:
    """One document of a batch: its context and how to print it (picklable: it crosses to a worker)."""

    context: SchoolLetter | SiteNotice | TownshipSheet
    size: str = "A4"
    staff: bool = False

    def document(self, renderer: NoticeRenderer) -> Document:
        """The document laid out once by ``renderer`` (MissingGlyphError first, as ever)."""
        context = self.context
        if isinstance(context, SchoolLetter):
            return renderer.letter_document(context, staff=self.staff)
        if isinstance(context, SiteNotice):
            return renderer.site_document(context, size=self.size, staff=self.staff)
        return renderer.sheet_document(context)


def merged_pdf(count: int, job: Callable[[int], Job], *, renderer: NoticeRenderer | None = None,
               progress: Progress | None = None, parallel: bool = True) -> bytes:
    """Documents ``job(0)`` … ``job(count - 1)`` as one PDF, in order, each keeping its page numbers."""
    return _render(count, job, merged=True, renderer=renderer, progress=progress, parallel=parallel)[0]


def each_pdf(count: int, job: Callable[[int], Job], *, renderer: NoticeRenderer | None = None,
             progress: Progress | None = None, parallel: bool = True) -> list[bytes]:
    """The same documents as one PDF each, in order (the ZIP's files)."""
    return _render(count, job, merged=False, renderer=renderer, progress=progress, parallel=parallel)


def warm() -> bool:
    """Start the worker processes now (they load the fonts in the background); False when there are none."""
    return _Pool.get() is not None


def worker_count() -> int:
    """Worker processes beside the caller: one fewer than the CPUs, at most ``MAX_WORKERS``."""
    return max(0, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


def chunks(count: int, workers: int) -> list[range]:
    """``range(count)`` cut into ``workers + 1`` contiguous chunks, the caller's (first) one smaller."""
    if workers < 1 or count < 2:
        return [range(count)]
    mine = round(count * CALLER_SHARE / (CALLER_SHARE + workers))
    bounds = [0, max(1, mine)]
    rest = count - bounds[1]
    for n in range(workers):
        bounds.append(bounds[-1] + (rest * (n + 1)) // workers - (rest * n) // workers)
    return [range(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def join_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """PDFs as one, pages in order; the metadata (title …) is the first one's."""
    if len(pdfs) == 1:
        return pdfs[0]
    import pypdfium2

    whole = pypdfium2.PdfDocument(pdfs[0])
    parts = [pypdfium2.PdfDocument(pdf) for pdf in pdfs[1:]]
    try:
        for part in parts:
            whole.import_pages(part)
        buffer = io.BytesIO()
        whole.save(buffer)
        return buffer.getvalue()
    finally:
        for part in parts:
            part.close()
        whole.close()


class _Progress:
    """Counts documents done, here and in the workers, and reports each one, in order, in this thread."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def to(self, done: int) -> None:
        while self.done < min(done, self.total):
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)


def _render(count: int, job: Callable[[int], Job], *, merged: bool, renderer: NoticeRenderer | None,
            progress: Progress | None, parallel: bool) -> list[bytes]:
    render = renderer or default_renderer()
    counter = _Progress(progress, count)
    pool = _Pool.claim() if parallel and count >= PARALLEL_FROM else None
    if pool is None:
        return _here((job(i) for i in range(count)), render, merged, lambda: counter.to(counter.done + 1))
    try:
        return pool.render(count, job, render, merged, counter)
    finally:
        pool.release()


def _here(jobs: Iterable[Job], render: NoticeRenderer, merged: bool, step: Callable[[], None]) -> list[bytes]:
    """Jobs rendered in this process, ``step()`` after each document: one merged PDF or one PDF each."""
    documents: list[Document] = []
    pdfs: list[bytes] = []
    for item in jobs:
        document = item.document(render)
        if merged:
            documents.append(document)
        else:
            pdfs.append(render.merge([document]))
        step()
    return [render.merge(documents)] if merged else pdfs


class _Pool:
    """The process's worker pool and the queue on which workers report each document done."""

    _lock = threading.Lock()
    _current: _Pool | None = None
    _failed = False   # a pool could not start: render in one process from now on
    _breaks = 0       # pools that died: after two, render in one process from now on
    _tokens = itertools.count(1)

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.workers = workers
        self.queue: Any = context.Queue()
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                                            initargs=(self.queue,))
        self.busy = threading.Lock()
        with _bare_main():  # spawn them all now: each loads the fonts while the caller builds contexts
            for _ in range(workers):
                self.executor.submit(_ready)

    @classmethod
    def get(cls) -> _Pool | None:
        """The pool, started on first use; None on one CPU or once a pool has failed to start."""
        with cls._lock:
            workers = worker_count()
            if cls._current is None and not cls._failed and cls._breaks < 2 and workers > 0:
                try:
                    cls._current = _Pool(workers)
                except (OSError, RuntimeError, ValueError) as exc:
                    log.warning("notice workers cannot start, rendering in one process: %s", exc)
                    cls._failed = True
            return cls._current

    @classmethod
    def claim(cls) -> _Pool | None:
        """The pool for one batch, or None when there is none or another batch holds it."""
        pool = cls.get()
        return pool if pool is not None and pool.busy.acquire(blocking=False) else None

    def release(self) -> None:
        self.busy.release()

    def discard(self, exc: BaseException) -> None:
        """Forget a broken pool (the next batch starts a new one)."""
        log.warning("notice workers failed, rendering their documents here: %s", exc)
        with _Pool._lock:
            if _Pool._current is self:
                _Pool._current = None
                _Pool._breaks += 1
        self.executor.shutdown(wait=False, cancel_futures=True)

    def render(self, count: int, job: Callable[[int], Job], render: NoticeRenderer, merged: bool,
               counter: _Progress) -> list[bytes]:
        """A batch cut in chunks: the first rendered here, the others in the workers; joined in order."""
        mine, *theirs = chunks(count, self.workers)
        run = _Run(self, counter)
        sent = [(jobs, self._submit(run.token, jobs, merged)) for jobs in ([job(i) for i in part] for part in theirs)]
        run.futures = [future for _, future in sent if future is not None]
        try:
            results = [_here((job(i) for i in mine), render, merged, run.step)]
            for jobs, future in sent:
                run.wait(future)
                done = self._result(future)
                results.append(_here(jobs, render, merged, run.step) if done is None else done)
        except BaseException:
            for future in run.futures:
                future.cancel()
            raise
        run.drain()
        counter.to(count)
        pdfs = [pdf for chunk in results for pdf in chunk]
        return [join_pdfs(pdfs)] if merged else pdfs

    def _submit(self, token: int, jobs: list[Job], merged: bool) -> Future[list[bytes]] | None:
        """A chunk sent to a worker; None when the pool is broken (the chunk is then rendered here)."""
        try:
            return self.executor.submit(_work, token, jobs, merged)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            self.discard(exc)
            return None

    def _result(self, future: Future[list[bytes]] | None) -> list[bytes] | None:
        """A worker's PDFs (its error raised here), or None when it died before finishing."""
        if future is None:
            return None
        try:
            return future.result()
        except BrokenProcessPool as exc:
            self.discard(exc)
            return None


class _Run:
    """One batch in flight: its token on the progress queue, the workers' futures, the documents done."""

    def __init__(self, pool: _Pool, counter: _Progress) -> None:
        self.queue, self.counter = pool.queue, counter
        self.token = next(_Pool._tokens)
        self.futures: list[Future[list[bytes]]] = []
        self.here = self.there = 0

    def drain(self, timeout: float | None = None) -> None:
        """Count the workers' reports so far (waiting up to ``timeout`` for the first), then report."""
        try:
            while True:
                item = self.queue.get(timeout=timeout) if timeout else self.queue.get_nowait()
                self.there += item == self.token  # another token: an earlier batch's, given up
                timeout = None
        except (queue.Empty, OSError, EOFError, ValueError):
            pass
        self.counter.to(self.here + self.there)

    def step(self) -> None:
        """After each document laid out here: report, and raise at once a worker's error."""
        self.here += 1
        self.drain()
        for future in self.futures:
            if future.done() and not future.cancelled() and future.exception() is not None \
                    and not isinstance(future.exception(), BrokenProcessPool):
                future.result()

    def wait(self, future: Future[list[bytes]] | None) -> None:
        """Until a worker's chunk is done, reporting its documents as they come."""
        while future is not None and not future.done():
            self.drain(timeout=0.1)


@contextmanager
def _bare_main() -> Iterator[None]:
    """While workers start: a ``__main__`` without a file. A spawned child runs the parent's main script
    again, and inside a Streamlit page run ``__main__`` is the app's script (``app.py``: it opens the
    store …); the workers need nothing from it (jobs and functions live in the package)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


_worker: tuple[NoticeRenderer, Any] | None = None


def _start_worker(progress: Any) -> None:
    """A worker's initializer: its own renderer (fonts and stylesheet loaded once) and the progress queue."""
    global _worker
    _worker = (NoticeRenderer(), progress)


def _ready() -> bool:
    return True


def _work(token: int, jobs: Sequence[Job], merged: bool) -> list[bytes]:
    """A chunk rendered in a worker: one merged PDF, or one PDF per document; ``token`` after each one."""
    assert _worker is not None, "worker not initialised"
    render, progress = _worker
    return _here(jobs, render, merged, lambda: progress.put(token))
