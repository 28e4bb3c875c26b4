"""``swmap notice school|site|township`` and ``swmap notices --all``: the CLI handlers for printed notices.

The PDF machinery (WeasyPrint) is imported inside the handlers, so other ``swmap`` commands start fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from school_water_map.notices import PAGE_SIZES
from school_water_map.settings import Settings

if TYPE_CHECKING:
    from school_water_map.pipeline.notices import Written

_KIND_ZH = {"letter": "致家长告知书", "site": "警示告示", "township": "巡查表"}


def add_commands(sub: Any) -> None:
    """Add ``notice`` and ``notices`` to the ``swmap`` sub-command parser."""
    notice = sub.add_parser("notice", help="生成一份可打印的 PDF：致家长告知书、警示告示或乡镇巡查表")
    kinds = notice.add_subparsers(required=True, metavar="类型")
    school = kinds.add_parser("school", help="某学校的致家长告知书（A4）")
    school.add_argument("school", help="学校编号或名称")
    school.set_defaults(run=_school)
    site = kinds.add_parser("site", help="某点位的危险水域警示告示（A4 或 A3）")
    site.add_argument("site", help="点位编号，例如 640302-S37-W47（见巡查表或 swmap notices --all）")
    site.add_argument("--size", choices=PAGE_SIZES, default="A4", help="纸张大小")
    site.set_defaults(run=_site)
    township = kinds.add_parser("township", help="某乡镇的巡查表（A4 横向）；“待确认”为乡镇待确认的学校")
    township.add_argument("township", help="乡镇名称，例如 板桥乡、板桥 或 待确认")
    township.add_argument("--from", dest="start", type=_day, default=None,
                          help="巡查记录开始日期（YYYY-MM-DD）：给出日期范围时打印已填写的巡查报告")
    township.add_argument("--to", dest="end", type=_day, default=None, help="巡查记录结束日期（含当天）")
    township.set_defaults(run=_township)
    for cmd in (school, site, township):
        cmd.add_argument("-o", "--output", type=Path, default=None,
                         help="输出 PDF 文件（默认：当前目录下的建议文件名）")
    batch = sub.add_parser("notices", help="批量生成：全部学校的告知书，以及 sites/ 警示告示和 townships/ 巡查表")
    batch.add_argument("--all", action="store_true", required=True, help="生成全部")
    batch.add_argument("-o", "--output", type=Path, required=True, help="输出目录")
    batch.add_argument("--letters-only", action="store_true", help="只生成致家长告知书")
    batch.add_argument("--size", choices=PAGE_SIZES, default="A4", help="警示告示的纸张大小")
    batch.set_defaults(run=_all)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，应为 YYYY-MM-DD") from exc


def _school(args: argparse.Namespace, settings: Settings) -> int:
    from school_water_map.pipeline.notices import school_filename, school_pdf_bytes
    from school_water_map.pipeline.register import build_register

    register = build_register(settings)
    pdf = school_pdf_bytes(settings, args.school, register=register)
    return _save(pdf, args.output or Path(school_filename(register, args.school)))


def _site(args: argparse.Namespace, settings: Settings) -> int:
    from school_water_map.pipeline.notices import site_filename, site_pdf_bytes

    pdf = site_pdf_bytes(settings, args.site, size=args.size)
    return _save(pdf, args.output or Path(site_filename(args.site.strip(), args.size)))


def _township(args: argparse.Namespace, settings: Settings) -> int:
    from school_water_map.notices.context import resolve_township
    from school_water_map.pipeline.notices import township_filename, township_pdf_bytes

    if (args.start is None) != (args.end is None):
        print("错误：--from 和 --to 须同时给出", file=sys.stderr)
        return 2
    period = (args.start, args.end) if args.start else None
    pdf = township_pdf_bytes(settings, args.township, period=period)
    label = resolve_township(args.township) or "乡镇待确认"
    return _save(pdf, args.output or Path(township_filename(label)))


def _all(args: argparse.Namespace, settings: Settings) -> int:
    from school_water_map.pipeline.notices import write_all

    start = time.perf_counter()

    def report(item: Written) -> None:
        print(f"  {_KIND_ZH[item.kind]}：{item.path}（{item.size / 1024:.0f} KB）", file=sys.stderr)

    try:
        written = write_all(settings, args.output, letters_only=args.letters_only, size=args.size, progress=report)
    except OSError as exc:
        print(f"错误：无法写入目录 {args.output}（{exc.strerror or exc}）", file=sys.stderr)
        return 2
    counts = "，".join(f"{_KIND_ZH[k]} {sum(w.kind == k for w in written)} 份" for k in _KIND_ZH
                      if any(w.kind == k for w in written))
    print(f"已生成 {len(written)} 份 PDF 到 {args.output}：{counts}（用时 {time.perf_counter() - start:.1f} 秒）")
    return 0


def _save(pdf: bytes, path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except OSError as exc:
        print(f"错误：无法写入文件 {path}（{exc.strerror or exc}）", file=sys.stderr)
        return 2
    print(f"已生成：{path}（{len(pdf) / 1024:.0f} KB）")
    return 0
