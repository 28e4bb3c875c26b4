"""``swmap`` commands that move data in and out: export, import, geocode, candidates, annex."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from school_water_map.domain.annex import parse_rows
from school_water_map.domain.annex_diff import diff_annex, diff_as_dict, render_diff_text
from school_water_map.domain.entities import Resolution
from school_water_map.domain.positions import PositionStore
from school_water_map.errors import AnnexRowsError, GeometryImportError, PositionCsvError
from school_water_map.geo.layers import load_context
from school_water_map.io.annex_file import read_annex_file
from school_water_map.io.curated import load_registry
from school_water_map.io.geocode import PROVIDERS, make_provider
from school_water_map.io.tables import xlsx_to_csv_bytes
from school_water_map.limits import read_path
from school_water_map.outputs.export import FORMATS, write_export
from school_water_map.pipeline.annexes import active_annex
from school_water_map.pipeline.geocoding import geocode_entities
from school_water_map.pipeline.placing import import_geometries, import_positions
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.annexes import save_active
from school_water_map.store.candidates import STATUS_ZH, CandidateStore, confirm
from school_water_map.store.database import open_store


def add_data_commands(sub: Any) -> None:
    """Register the data commands on the ``swmap`` sub-parser."""
    export = sub.add_parser("export", help="导出（GeoPackage、GeoJSON、KML/KMZ、CSV、XLSX）")
    export.add_argument("--format", choices=FORMATS, default=None, help="格式（默认按文件扩展名）")
    export.add_argument("-o", "--output", type=Path, required=True, help="输出文件")
    export.set_defaults(run=_export)

    imp = sub.add_parser("import", help="导入位置或几何（CSV/XLSX、GeoJSON、KML/KMZ、GPX），全部成功或全部不导入")
    imp.add_argument("file", type=Path)
    imp.add_argument("--author", required=True, help="录入人")
    imp.add_argument("--crs", default="WGS84", help="几何文件的坐标系（CSV/XLSX 用“坐标系”列）")
    imp.add_argument("--source", default="", help="来源（默认：文件名）")
    imp.set_defaults(run=_import)

    geocode = sub.add_parser("geocode", help="在线地理编码，结果作为候选，须人工确认")
    geocode.add_argument("--provider", choices=PROVIDERS, required=True)
    geocode.add_argument("--only-unplaced", action="store_true", help="只查询尚未定位的学校和水体")
    geocode.add_argument("--limit", type=int, default=None, help="最多查询条数")
    geocode.set_defaults(run=_geocode)

    cands = sub.add_parser("candidates", help="地理编码候选：列出、确认、否决")
    cands.add_argument("action", choices=("list", "confirm", "reject"))
    cands.add_argument("candidate_id", nargs="?", type=int)
    cands.add_argument("--author", default="", help="确认/否决人")
    cands.set_defaults(run=_candidates)

    annex = sub.add_parser("annex", help="新一年附件：检查、比较、应用")
    annex.add_argument("action", choices=("check", "diff", "apply"))
    annex.add_argument("file", type=Path, help="附件（CSV、XLSX 或粘贴的表格文本）")
    annex.add_argument("--format", choices=("text", "json"), default="text")
    annex.add_argument("--author", default="", help="应用人（apply 必填）")
    annex.set_defaults(run=_annex)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    path = write_export(build_register(settings), args.output, args.format)
    print(f"已导出：{path}")
    return 0


def placing(settings: Settings) -> tuple[Resolution, BaseGeometry, PositionStore]:
    """What recording positions needs: the register's names and aliases, the district's outline (a position
    outside it is refused) and the store's positions."""
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    return register.resolution, area, open_store(settings).positions


def _import(args: argparse.Namespace, settings: Settings) -> int:
    resolution, area, store = placing(settings)
    data = read_path(args.file)  # refused unread when over the size limit of its kind
    suffix = args.file.suffix.lower()
    source = args.source or f"文件导入：{args.file.name}"
    try:
        if suffix in (".csv", ".xlsx", ".xlsm"):
            content = xlsx_to_csv_bytes(data, args.file.name) if suffix != ".csv" else data
            stored = import_positions(content, resolution, area, store, author=args.author,
                                      source=source, filename=args.file.name)
        else:
            stored = import_geometries(data, args.file.name, resolution, area, store,
                                       author=args.author, crs=args.crs)
    except (PositionCsvError, GeometryImportError) as exc:  # every problem, one a line (the message shows 10)
        print(f"错误：{args.file.name} 未导入（共 {len(exc.problems)} 处问题，须全部改正后再导入）：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    print(f"已导入 {len(stored)} 处位置：" + "、".join(r.entity_id for r in stored))
    return 0


def _geocode(args: argparse.Namespace, settings: Settings) -> int:
    provider = make_provider(args.provider, settings)
    outcomes = geocode_entities(build_register(settings), provider, CandidateStore(open_store(settings)),
                                only_unplaced=args.only_unplaced, limit=args.limit)
    for o in outcomes:
        print(f"{o.entity_id} “{o.query}”：" + (f"错误：{o.error}" if o.error else f"{o.candidates} 个候选"))
    found = sum(o.candidates for o in outcomes)
    print(f"共查询 {len(outcomes)} 条，得到 {found} 个候选；请在“定位与校核”页或 swmap candidates 中确认或否决。")
    return 2 if outcomes and outcomes[-1].error and not found else 0


def _candidates(args: argparse.Namespace, settings: Settings) -> int:
    store = CandidateStore(open_store(settings))
    if args.action == "list":
        for c in store.load():
            print(f"#{c.candidate_id} [{STATUS_ZH[c.status]}] {c.entity_id} ← {c.provider}：{c.name} {c.address} "
                  f"（{c.lon:.6f}, {c.lat:.6f}；查询“{c.query}”）")
        return 0
    if args.candidate_id is None or not args.author:
        print("错误：确认或否决需要候选编号和 --author", file=sys.stderr)
        return 2
    if args.action == "reject":
        store.decide(args.candidate_id, "rejected", args.author)
        print(f"已否决候选 #{args.candidate_id}")
        return 0
    resolution, area, positions = placing(settings)
    stored = confirm(store, args.candidate_id, by=args.author, resolution=resolution, area=area, positions=positions)
    print(f"已确认候选 #{args.candidate_id}：{stored.entity_id} 的位置已记录（地理编码）")
    return 0


def _annex(args: argparse.Namespace, settings: Settings) -> int:
    try:
        rows = read_annex_file(args.file)
        parse_rows(rows)
    except AnnexRowsError as exc:  # every bad cell of every row, in one pass; nothing applied
        print(f"错误：{exc}", file=sys.stderr)
        if args.format == "json":
            _print_json({"ok": False, "errors": exc.records()})
        return 1
    if args.action == "check":
        if args.format == "json":
            _print_json({"ok": True, "rows": len(rows), "errors": []})
        else:
            print(f"附件检查通过：{len(rows)} 行，全部可以识别。")
        return 0
    register = build_register(settings)
    current = active_annex(settings)
    registry = load_registry(settings.schools_path, settings.water_path,
                             district_adcode=settings.district_adcode).with_aliases(current.aliases)
    diff = diff_annex(register.resolution, rows, registry, district_adcode=settings.district_adcode)
    if args.action == "diff":
        if args.format == "json":
            _print_json(diff_as_dict(diff))
        else:
            sys.stdout.write(render_diff_text(diff))
        return 0
    if not args.author:
        print("错误：应用附件需要 --author（应用人）", file=sys.stderr)
        return 2
    save_active(settings, rows, {**current.aliases, **diff.aliases}, source=args.file.name, applied_by=args.author)
    sys.stdout.write(render_diff_text(diff))
    print(f"已应用新附件：{len(rows)} 行（原附件已存入历史）。")
    return 0


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
