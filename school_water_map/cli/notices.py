"""``swmap notice school|site|township|supervision`` and ``swmap notices --all|--kind``: the CLI handlers for
printed notices.

The PDF machinery (WeasyPrint) is imported inside the handlers, so other ``swmap`` commands start fast;
without the system libraries it needs, every handler stops with ``错误：无法生成 PDF：…`` (exit 2).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from school_water_map.errors import SwmapError
from school_water_map.notices import PAGE_SIZES
from school_water_map.notices.engine import engine_problem
from school_water_map.settings import Settings

if TYPE_CHECKING:
    from school_water_map.pipeline.notices import Written

_KIND_ZH = {"letter": "致家长告知书", "site": "警示告示", "township": "巡查表"}
_STAFF_HELP = "内部版：末页附说明（风险规则、来源、定位精度），不张贴、不发放"


class PdfEngineError(SwmapError):
    """WeasyPrint cannot load the system libraries it draws with (Pango, HarfBuzz, fontconfig)."""


def add_commands(sub: Any) -> None:
    """Add ``notice`` and ``notices`` to the ``swmap`` sub-command parser."""
    notice = sub.add_parser("notice",
                            help="生成一份可打印的 PDF：致家长告知书、警示告示、乡镇巡查表或隐患整改督办通知单")
    kinds = notice.add_subparsers(required=True, metavar="类型")
    school = kinds.add_parser("school", help="某学校的致家长告知书（A4）")
    school.add_argument("school", help="学校编号或名称")
    school.add_argument("--staff", action="store_true", help=_STAFF_HELP)
    school.set_defaults(run=_school)
    site = kinds.add_parser("site", help="某点位的危险水域警示告示（A4 或 A3）")
    site.add_argument("site", help="点位编号，例如 640302-S37-W47（见巡查表或 swmap notices --all）")
    site.add_argument("--size", choices=PAGE_SIZES, default="A4", help="纸张大小")
    site.add_argument("--staff", action="store_true", help=_STAFF_HELP)
    site.set_defaults(run=_site)
    township = kinds.add_parser("township", help="某乡镇的巡查表（A4 横向）；“待确认”为乡镇待确认的学校")
    township.add_argument("township", help="乡镇名称，例如 板桥乡、板桥 或 待确认")
    township.add_argument("--from", dest="start", type=_day, default=None,
                          help="巡查记录开始日期（YYYY-MM-DD）：给出日期范围时打印已填写的巡查报告")
    township.add_argument("--to", dest="end", type=_day, default=None, help="巡查记录结束日期（含当天）")
    township.set_defaults(run=_township)
    supervision = kinds.add_parser("supervision", help="隐患整改督办通知单：某乡镇或某责任单位的逾期整改任务")
    whom = supervision.add_mutually_exclusive_group(required=True)
    whom.add_argument("--township", help="乡镇名称，例如 板桥乡 或 板桥")
    whom.add_argument("--unit", help="责任单位（与整改任务上的名称一致）")
    supervision.set_defaults(run=_supervision)
    for cmd in (school, site, township, supervision):
        cmd.add_argument("-o", "--output", type=Path, default=None,
                         help="输出 PDF 文件（默认：当前目录下的建议文件名）")
    batch = sub.add_parser("notices",
                           help="批量生成：--all 写入目录；--kind 把一个乡镇（或全区）的一类文书合并为一个 PDF 或 ZIP")
    which = batch.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="生成全部：告知书、sites/ 警示告示和 townships/ 巡查表")
    which.add_argument("--kind", choices=tuple(_KIND_ZH),
                       help="只生成一类：letter 告知书、site 警示告示、township 巡查表")
    batch.add_argument("--township", default=None, help="只生成该乡镇的（例如 板桥乡、板桥 或 待确认；默认全区）")
    into = batch.add_mutually_exclusive_group()
    into.add_argument("--merged", type=Path, default=None, metavar="FILE.pdf", help="合并为一个 PDF 文件")
    into.add_argument("--zip", type=Path, default=None, metavar="FILE.zip", help="打包为 ZIP（每份一个 PDF）")
    batch.add_argument("-o", "--output", type=Path, default=None, help="输出目录（--all）")
    batch.add_argument("--letters-only", action="store_true", help="只生成致家长告知书（--all）")
    batch.add_argument("--size", choices=PAGE_SIZES, default="A4", help="警示告示的纸张大小")
    batch.add_argument("--staff", action="store_true", help=_STAFF_HELP)
    batch.set_defaults(run=_batch)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，应为 YYYY-MM-DD") from exc


def _need_engine() -> None:
    if problem := engine_problem():
        raise PdfEngineError(problem)


def _school(args: argparse.Namespace, settings: Settings) -> int:
    _need_engine()
    from school_water_map.pipeline.notices import school_filename, school_pdf_bytes
    from school_water_map.pipeline.register import build_register

    register = build_register(settings)
    pdf = school_pdf_bytes(settings, args.school, register=register, staff=args.staff)
    return _save(pdf, args.output or Path(school_filename(register, args.school)))


def _site(args: argparse.Namespace, settings: Settings) -> int:
    _need_engine()
    from school_water_map.pipeline.notices import site_filename, site_pdf_bytes

    pdf = site_pdf_bytes(settings, args.site, size=args.size, staff=args.staff)
    return _save(pdf, args.output or Path(site_filename(args.site.strip(), args.size)))


def _township(args: argparse.Namespace, settings: Settings) -> int:
    _need_engine()
    from school_water_map.notices.context import resolve_township
    from school_water_map.pipeline.notices import township_filename, township_pdf_bytes

    if (args.start is None) != (args.end is None):
        print("错误：--from 和 --to 须同时给出", file=sys.stderr)
        return 2
    period = (args.start, args.end) if args.start else None
    pdf = township_pdf_bytes(settings, args.township, period=period)
    label = resolve_township(args.township) or "乡镇待确认"
    return _save(pdf, args.output or Path(township_filename(label)))


def _supervision(args: argparse.Namespace, settings: Settings) -> int:
    _need_engine()
    from school_water_map.pipeline.notices import supervision_filename, supervision_pdf_bytes

    pdf = supervision_pdf_bytes(settings, township=args.township, unit=args.unit)
    return _save(pdf, args.output or Path(supervision_filename(args.township or args.unit)))


def _batch(args: argparse.Namespace, settings: Settings) -> int:
    if args.all:
        if args.output is None or args.merged or args.zip or args.township:
            print("错误：--all 须给出输出目录 -o DIR（不能与 --township、--merged、--zip 同用）", file=sys.stderr)
            return 2
        _need_engine()
        return _all(args, settings)
    if (args.merged or args.zip) is None or args.output or args.letters_only:
        print("错误：--kind 须给出 --merged FILE.pdf 或 --zip FILE.zip 之一（-o、--letters-only 只用于 --all）",
              file=sys.stderr)
        return 2
    _need_engine()
    return _one_kind(args, settings)


def _one_kind(args: argparse.Namespace, settings: Settings) -> int:
    from school_water_map.pipeline.notices import batch_pdf, batch_zip

    start, kind = time.perf_counter(), _KIND_ZH[args.kind]

    def report(done: int, total: int) -> None:
        print(f"\r正在生成{kind}：{done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    make = batch_zip if args.zip else batch_pdf
    data = make(settings, args.kind, args.township, size=args.size, staff=args.staff, progress=report)
    path: Path = args.zip or args.merged
    if (status := _save(data, path, quiet=True)) != 0:
        return status
    print(f"已生成：{path}（{'ZIP' if args.zip else '合并 PDF'}，{len(data) / 1024:.0f} KB，"
          f"用时 {time.perf_counter() - start:.1f} 秒）")
    return 0


def _all(args: argparse.Namespace, settings: Settings) -> int:
    from school_water_map.pipeline.notices import write_all

    start = time.perf_counter()

    def report(item: Written) -> None:
        print(f"  {_KIND_ZH[item.kind]}：{item.path}（{item.size / 1024:.0f} KB）", file=sys.stderr)

    try:
        written = write_all(settings, args.output, letters_only=args.letters_only, size=args.size, progress=report,
                            staff=args.staff)
    except OSError as exc:
        print(f"错误：无法写入目录 {args.output}（{exc.strerror or exc}）", file=sys.stderr)
        return 2
    counts = "，".join(f"{_KIND_ZH[k]} {sum(w.kind == k for w in written)} 份" for k in _KIND_ZH
                      if any(w.kind == k for w in written))
    print(f"已生成 {len(written)} 份 PDF 到 {args.output}：{counts}（用时 {time.perf_counter() - start:.1f} 秒）")
    return 0


def _save(pdf: bytes, path: Path, *, quiet: bool = False) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except OSError as exc:
        print(f"错误：无法写入文件 {path}（{exc.strerror or exc}）", file=sys.stderr)
        return 2
    if not quiet:
        print(f"已生成：{path}（{len(pdf) / 1024:.0f} KB）")
    return 0
