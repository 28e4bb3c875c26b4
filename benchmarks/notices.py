"""Benchmark: every school's 致家长告知书 in one batch (the README's figure), plus one site notice and sheet.

Prints figures; asserts nothing. Run: python benchmarks/notices.py [--runs N]
Target: the 40 letters in under 5 s on the 2-core development machine, as one merged PDF (what the
batch print makes: each letter laid out once; ``notices.batch`` lays out the first chunk here and the
rest in a worker process kept warm, then joins the chunks' PDFs). Timed both ways in each run, in
turn: in one process (``parallel=False``) and with the worker; contexts included. Also timed: the same
letters as 40 separate PDFs (the ZIP; the fonts are subset once per file). Wall-clock seconds are the
figure; CPU seconds are this process's only (the worker's are not counted). On a shared machine the
wall-clock figure moves with the load (see `uptime`), hence the alternation and the medians.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from school_water_map.domain.sites import sites
from school_water_map.notices import batch
from school_water_map.notices.batch import Job, each_pdf, merged_pdf
from school_water_map.notices.config import NoticeConfig
from school_water_map.notices.context import school_letter, site_notice, township_sheet
from school_water_map.notices.render import NoticeRenderer
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings

T = TypeVar("T")


def timed(run: Callable[[], T]) -> tuple[float, float, T]:
    """(wall s, CPU s of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def workers_cpu() -> float:
    """CPU seconds the live worker processes have used so far (Linux ``/proc``; 0 elsewhere)."""
    total = 0
    for child in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK") if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="batches to time each way (the median is printed)")
    args = parser.parse_args()
    today = date(2026, 6, 1)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"SWMAP_DATA_DIR": tmp})
        start = time.perf_counter()
        register = build_register(settings)
        config = NoticeConfig()
        renderer = NoticeRenderer()
        setup = time.perf_counter() - start
        print(f"setup (register, fonts, stylesheet):           {setup:6.2f} s")
        ids = list(register.schools.index)

        def job(n: int) -> Job:
            return Job(school_letter(register, config, ids[n], today=today))

        wall, _, workers = timed(lambda: batch.warm() and batch.worker_count())
        cold, _, _ = timed(lambda: merged_pdf(batch.PARALLEL_FROM, job))  # waits for the worker's fonts
        print(f"worker processes: {workers or 0} (started in {wall:.2f} s; first small batch {cold:.2f} s)")
        n = len(ids)
        cases: dict[str, list[tuple[float, float, float]]] = {}
        merged_size, sizes = 0, [0]
        for _ in range(args.runs):
            for parallel in (False, True):
                way = "worker + caller" if parallel else "one process"
                before = workers_cpu()
                wall, cpu, pdf = timed(partial(merged_pdf, n, job, renderer=renderer, parallel=parallel))
                cases.setdefault(f"{n} letters, one merged PDF, {way}:", []).append((wall, cpu,
                                                                                      workers_cpu() - before))
                merged_size = len(pdf) if parallel else merged_size
                before = workers_cpu()
                wall, cpu, pdfs = timed(partial(each_pdf, n, job, renderer=renderer, parallel=parallel))
                cases.setdefault(f"{n} letters, {n} PDFs, {way}:", []).append((wall, cpu, workers_cpu() - before))
                sizes = [len(p) for p in pdfs]
        for label, runs in sorted(cases.items(), key=lambda item: "PDFs" in item[0]):
            wall = statistics.median(w for w, _, _ in runs)
            cpu = statistics.median(c for _, c, _ in runs)
            worker = statistics.median(c for _, _, c in runs)
            print(f"{label:<48} {wall:6.2f} s wall, CPU {cpu:5.2f} s here + {worker:4.2f} s in the worker; "
                  f"per letter {wall / n:.3f} s (median of {args.runs}: {', '.join(f'{w:.2f}' for w, _, _ in runs)}; "
                  "contexts included)")
        print(f"merged PDF size (worker + caller):             {merged_size / 1024:.0f} KB")
        print(f"separate letter PDF size:                      {min(sizes) / 1024:.0f}–{max(sizes) / 1024:.0f} KB "
              f"(median {statistics.median(sizes) / 1024:.0f} KB)")
        first = sites(register)[0]
        notice = site_notice(register, config, first.site_id, today=today, base_url="http://x")
        wall, _, _ = timed(lambda: renderer.site_notice(notice, size="A3"))
        print(f"one site notice (A3, with QR):                 {wall:6.2f} s")
        sheet = township_sheet(register, config, "待确认", today=today)
        wall, _, _ = timed(lambda: renderer.township_sheet(sheet))
        print(f"largest township sheet (乡镇待确认, 33 sites):  {wall:6.2f} s")
        load = os.getloadavg()
        print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
