"""Benchmark: every school's 致家长告知书 in one batch (the README's figure), plus one site notice and sheet.

Prints figures; asserts nothing. Run: python benchmarks/notices.py [--runs N]
Target: the 40 letters in under 5 s on the 2-core development machine, as one merged PDF (what the
batch print makes: each letter laid out once, the fonts subset once for the batch). Also timed: the same
letters as 40 separate PDFs (the ZIP; the fonts are subset once per file). Wall-clock and CPU seconds
are both printed: on a shared machine the wall-clock figure moves with the load (see `uptime`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from school_water_map.domain.sites import sites
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="batches to time (the median is printed)")
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
        merged: list[tuple[float, float]] = []
        separate: list[tuple[float, float]] = []
        built = 0.0
        merged_size, sizes = 0, [0]
        for _ in range(args.runs):
            built, _, contexts = timed(lambda: [school_letter(register, config, i, today=today) for i in ids])
            wall, cpu, pdf = timed(lambda c=contexts: renderer.merge([renderer.letter_document(x) for x in c]))
            merged.append((wall, cpu))
            merged_size = len(pdf)
            wall, cpu, pdfs = timed(lambda c=contexts: [renderer.school_letter(x) for x in c])
            separate.append((wall, cpu))
            sizes = [len(p) for p in pdfs]
        n = len(ids)
        for label, runs in ((f"{n} letters, one merged PDF:", merged), (f"{n} letters, {n} separate PDFs:", separate)):
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            print(f"{label:<46} {wall:6.2f} s wall, {cpu:5.2f} s CPU; per letter {wall / n:.3f} s wall, "
                  f"{cpu / n:.3f} s CPU (median of {args.runs}; contexts {built:.2f} s more)")
        print(f"merged PDF size:                               {merged_size / 1024:.0f} KB")
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
