"""Benchmark: every school's 致家长告知书 in one batch (the README's figure), plus one site notice and sheet.

Prints figures; asserts nothing. Run: python benchmarks/notices.py [--runs N]
Target: the 40 letters in under 10 s on the 2-core development machine (fonts and CSS parsed once).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date

from school_water_map.domain.register import build_register
from school_water_map.domain.sites import sites
from school_water_map.notices.config import NoticeConfig
from school_water_map.notices.context import school_letter, site_notice, township_sheet
from school_water_map.notices.render import NoticeRenderer
from school_water_map.settings import Settings


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
        batches, sizes = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            contexts = [school_letter(register, config, school_id, today=today) for school_id in register.schools.index]
            built = time.perf_counter() - start
            pdfs = [renderer.school_letter(letter) for letter in contexts]
            batches.append(time.perf_counter() - start)
            sizes = [len(pdf) for pdf in pdfs]
        print(f"{len(sizes)} letters, one batch:                      {statistics.median(batches):6.2f} s "
              f"(contexts {built:.2f} s; median of {args.runs})")
        print(f"letter PDF size:                               {min(sizes) / 1024:.0f}–{max(sizes) / 1024:.0f} KB "
              f"(median {statistics.median(sizes) / 1024:.0f} KB)")
        first = sites(register)[0]
        start = time.perf_counter()
        renderer.site_notice(site_notice(register, config, first.site_id, today=today, base_url="http://x"), size="A3")
        print(f"one site notice (A3, with QR):                 {time.perf_counter() - start:6.2f} s")
        start = time.perf_counter()
        renderer.township_sheet(township_sheet(register, config, "待确认", today=today))
        print(f"largest township sheet (乡镇待确认, 33 sites):  {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
