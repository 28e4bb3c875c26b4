"""The ``swmap`` command line. Output for people is Chinese; JSON field names are English."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import shapely
from platformdirs import user_data_dir
from shapely.geometry import Point

from school_water_map.cli.data import add_data_commands, placing
from school_water_map.cli.notices import add_commands as add_notice_commands
from school_water_map.cli.tasks import add_task_commands
from school_water_map.cli.tiles import add_tile_commands
from school_water_map.cli.users import add_user_commands
from school_water_map.domain.locate import LocateRequest, entity_id, record
from school_water_map.domain.positions import METHOD_ZH, PRECISION_ZH
from school_water_map.errors import SwmapError
from school_water_map.failures import describe
from school_water_map.outputs.check import findings, render_text
from school_water_map.outputs.records import pair_records, school_records, to_csv, to_json, water_records
from school_water_map.pipeline.app_settings import effective_settings
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store

log = logging.getLogger("school_water_map")



def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Every failure prints ``错误：…`` in Chinese (its cause, never a traceback or a
    server path) and exits 2; the details go to the log (``swmap.log`` in the data directory), or to
    stderr with a traceback under ``--debug`` or ``SWMAP_DEBUG``."""
    args = _parser().parse_args(argv)
    debug = bool(args.debug or os.environ.get("SWMAP_DEBUG"))
    _log_to(Path(os.environ.get("SWMAP_DATA_DIR") or user_data_dir("school-water-map")), debug=debug)
    try:
        settings = effective_settings(Settings.from_env())  # the 设置 page under the environment
        return int(args.run(args, settings))
    except SwmapError as exc:
        log.log(logging.WARNING if exc.__cause__ else logging.DEBUG, "command failed: %s", exc, exc_info=exc)
        if debug:
            raise
        message = str(exc)
    except Exception as exc:  # the top level: any failure reaches a person in Chinese, the rest goes to the log
        log.error("command failed", exc_info=exc)
        if debug:
            raise
        message = describe(exc)
    print(f"错误：{message}", file=sys.stderr)
    return 2


def _log_to(data_dir: Path, *, debug: bool) -> None:
    """Details to stderr when debugging, else warnings and errors to ``swmap.log`` in the data directory
    (written only when something goes wrong; a log that cannot be written is skipped silently)."""
    root = logging.getLogger()
    if any(h.get_name() == "swmap-cli" for h in root.handlers):
        return
    handler: logging.Handler
    if debug:
        handler = logging.StreamHandler(sys.stderr)
    else:
        logging.raiseExceptions = False  # a full disk must not turn the log itself into a traceback
        handler = _QuietFileHandler(data_dir / "swmap.log", encoding="utf-8", delay=True)
    handler.set_name("swmap-cli")
    handler.setLevel(logging.DEBUG if debug else logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


class _QuietFileHandler(logging.FileHandler):
    """A log file that is skipped when it cannot be opened or written (a full disk, a read-only folder)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
            super().emit(record)
        except OSError:
            return


def _records(args: argparse.Namespace, settings: Settings) -> int:
    """``swmap pairs|schools|water``: the register's records of that command (``args.records``) as JSON or CSV."""
    records = args.records(build_register(settings))
    sys.stdout.write(to_json(records) if args.format == "json" else to_csv(records))
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    sys.stdout.write(render_text(findings(build_register(settings))))
    return 0


def _locate(args: argparse.Namespace, settings: Settings) -> int:
    resolution, outline, positions = placing(settings)
    request = LocateRequest(entity=args.entity, geometry=Point(args.lon, args.lat), crs=args.crs,
                            source=args.source, author=args.author, method=args.method,
                            precision=args.precision, accuracy_m=args.accuracy, note=args.note)
    (stored,) = record([request], resolution, outline, positions)
    lon, lat = shapely.get_x(stored.geometry), shapely.get_y(stored.geometry)
    print(f"已记录：{args.entity}（{stored.entity_id}）位于 WGS-84 经度 {lon:.6f}、纬度 {lat:.6f}，"
          f"精度“{PRECISION_ZH[stored.precision]}”，来源“{stored.source}”，录入人 {stored.author}，"
          f"时间 {stored.recorded_at}")
    return 0


def _history(args: argparse.Namespace, settings: Settings) -> int:
    register = build_register(settings)
    ident = entity_id(register.resolution, args.entity)
    history = open_store(settings).positions.history(ident)
    if not history:
        print(f"{args.entity}（{ident}）尚无位置记录")
    for item in history:
        print(f"#{item.record_id} {item.recorded_at} {PRECISION_ZH[item.precision]} "
              f"{METHOD_ZH.get(item.method, item.method)} {item.wkt}（来源：{item.source}；录入人：{item.author}）")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="swmap", description="学校周边危险水域登记册（利通区）")
    parser.add_argument("--debug", action="store_true", help="出错时显示详细信息（英文，含调用栈）")
    sub = parser.add_subparsers(required=True, metavar="命令")
    for name, records, helptext in (
        ("pairs", pair_records, "每行附件一条记录，按风险排序"),
        ("schools", school_records, "学校列表"),
        ("water", water_records, "水体列表"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--format", choices=("json", "csv"), default="json", help="输出格式")
        cmd.set_defaults(run=_records, records=records)
    sub.add_parser("check", help="数据质量核查报告（中文）").set_defaults(run=_check)
    locate = sub.add_parser("locate", help="记录学校或水体的位置")
    locate.add_argument("entity", help="学校或水体的编号或名称")
    locate.add_argument("--lon", type=float, required=True, help="经度")
    locate.add_argument("--lat", type=float, required=True, help="纬度")
    locate.add_argument("--crs", default="WGS84", help="坐标系：WGS84、GCJ02（高德/腾讯）或 BD09（百度）")
    locate.add_argument("--source", required=True, help="来源，例如“现场GPS”")
    locate.add_argument("--author", required=True, help="录入人")
    locate.add_argument("--method", default="typed", choices=sorted(METHOD_ZH), help="定位方式")
    locate.add_argument("--precision", default="surveyed", choices=("surveyed", "gazetteer", "geocoded"))
    locate.add_argument("--accuracy", type=float, default=None, help="定位精度（米）")
    locate.add_argument("--note", default="", help="备注")
    locate.set_defaults(run=_locate)
    add_data_commands(sub)
    add_user_commands(sub)
    history = sub.add_parser("history", help="某学校或水体的位置记录历史")
    history.add_argument("entity", help="学校或水体的编号或名称")
    history.set_defaults(run=_history)
    add_notice_commands(sub)
    add_tile_commands(sub)
    add_task_commands(sub)
    return parser
