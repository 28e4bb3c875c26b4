"""The notices' edge: read settings, configuration and layers, build a context, render it to PDF bytes.

These are the calls the CLI and the app make (``school_pdf_bytes(settings, "板桥波浪渠小学")``); pass a
``register`` you already hold to skip rebuilding it. ``staff=True`` makes the staff copy of a letter or
sign (the 说明 appended as a page marked 内部资料); the public copy is the default.

Batches: ``batch_pdf(settings, "letter", "板桥乡")`` is every letter of one township (or of all, with
``township=None``) as one merged PDF, ``batch_zip`` the same as a ZIP of one PDF per school, site or
township; both call ``progress(done, total)`` after each document, and share the batch between this
process and the worker processes of ``notices.batch`` (``parallel=False``: this process alone).
``write_all`` is the batch behind ``swmap notices --all`` (one process, one file at a time).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from school_water_map.domain.inspections import LOCAL_TIME
from school_water_map.domain.patrol import PRESENCE_ZH
from school_water_map.domain.register import Register
from school_water_map.domain.sites import sites
from school_water_map.errors import DataFileError, TaskError
from school_water_map.geo.layers import ContextLayers, load_context
from school_water_map.notices.batch import Job, Progress, each_pdf, merged_pdf
from school_water_map.notices.config import NoticeConfig
from school_water_map.notices.context import (
    SheetEntry,
    resolve_township,
    school_letter,
    site_notice,
    township_sheet,
    townships_for_sheets,
)
from school_water_map.notices.render import NoticeRenderer, default_renderer
from school_water_map.notices.supervision import supervision_notice
from school_water_map.pipeline.app_settings import notice_config
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.inspections import list_inspections
from school_water_map.store.tasks import list_tasks

_UNSAFE = str.maketrans(dict.fromkeys('/\\:*?"<>|', "_"))

#: What a batch holds: every school's letter, every site's sign, or every township's sheet.
BatchKind = Literal["letter", "site", "township"]
BATCH_KINDS: dict[str, str] = {"letter": "致家长告知书", "site": "警示告示", "township": "巡查表"}


@dataclass(frozen=True)
class Written:
    kind: str      # letter, site or township
    path: Path
    size: int


def load_config(settings: Settings) -> NoticeConfig:
    """``notices.toml``, with the contacts set on the 设置 page over it and the 责任人 from the store."""
    return notice_config(settings)


def school_pdf_bytes(settings: Settings, school: str, *, register: Register | None = None,
                     today: date | None = None, renderer: NoticeRenderer | None = None,
                     staff: bool = False) -> bytes:
    """致家长告知书 of one school (id, name or alias) as PDF bytes (``staff``: with the 说明 appendix)."""
    register = register or build_register(settings)
    letter = school_letter(register, load_config(settings), school, today=today or date.today(),
                           layers=_layers_if_located(settings, register))
    return (renderer or default_renderer()).school_letter(letter, staff=staff)


def site_pdf_bytes(settings: Settings, site: str, *, size: str = "A4", register: Register | None = None,
                   today: date | None = None, renderer: NoticeRenderer | None = None,
                   staff: bool = False) -> bytes:
    """危险水域警示告示 of one site (by site id), A4 or A3, as PDF bytes (``staff``: with the 说明 appendix)."""
    register = register or build_register(settings)
    notice = site_notice(register, load_config(settings), site, today=today or date.today(),
                         base_url=settings.app_base_url)
    return (renderer or default_renderer()).site_notice(notice, size=size, staff=staff)


def township_pdf_bytes(settings: Settings, township: str, *, register: Register | None = None,
                       today: date | None = None, renderer: NoticeRenderer | None = None,
                       period: tuple[date, date] | None = None) -> bytes:
    """乡镇巡查表 of one township (name, short name, or 待确认) as PDF bytes: blank, or with ``period``
    (first and last day, inclusive) the filled report of the inspections recorded in those days."""
    register = register or build_register(settings)
    entries = _sheet_entries(settings, period) if period else None
    sheet = township_sheet(register, load_config(settings), township, today=today or date.today(),
                           inspections=entries, period=period)
    return (renderer or default_renderer()).township_sheet(sheet)


def supervision_pdf_bytes(settings: Settings, *, township: str | None = None, unit: str | None = None,
                          register: Register | None = None, today: date | None = None,
                          renderer: NoticeRenderer | None = None) -> bytes:
    """隐患整改督办通知单 for one township (name or short name) or one responsible unit, as PDF bytes:
    its 整改任务 past their deadline and not verified on ``today`` (China's date by default)."""
    register = register or build_register(settings)
    town = None
    if township is not None:
        town = resolve_township(township)
        if town is None:
            raise TaskError("乡镇待确认的点位由区教育局组织整改：请按责任单位生成督办通知单")
    notice = supervision_notice(register, load_config(settings), list_tasks(open_store(settings)),
                                {s.site_id: s for s in sites(register)}, township=town, unit=unit,
                                today=today or datetime.now(LOCAL_TIME).date())
    return (renderer or default_renderer()).supervision_notice(notice)


def supervision_filename(name: str) -> str:
    return _safe(f"{name}_隐患整改督办通知单.pdf")


def _sheet_entries(settings: Settings, period: tuple[date, date]) -> dict[str, list[SheetEntry]]:
    """Every inspection recorded in ``period`` (local dates), by site, as filled sheet entries."""
    start, end = period
    if end < start:
        raise DataFileError(f"日期范围无效：{start.isoformat()} 晚于 {end.isoformat()}")
    entries: dict[str, list[SheetEntry]] = {}
    for item in list_inspections(open_store(settings)):
        if start <= item.day <= end:
            local = item.created_at.astimezone(LOCAL_TIME)
            presence = "" if item.presence == "at_site" else f"【{PRESENCE_ZH[item.presence]}】"
            problems = "；".join(p for p in (item.problems, item.action_taken and f"处理：{item.action_taken}") if p)
            entries.setdefault(item.site_id, []).append(SheetEntry(
                when=local.strftime("%m-%d %H:%M"), inspector=item.inspector, answers=item.answers,
                problems=presence + problems))
    return entries


def school_filename(register: Register, school: str) -> str:
    found = register.resolution.school(school)
    return _safe(f"{found.school_id}_{found.name}_致家长告知书.pdf")


def site_filename(site_id: str, size: str = "A4") -> str:
    return _safe(f"{site_id}_警示告示_{size}.pdf")


def township_filename(label: str) -> str:
    return _safe(f"{label}_巡查表.pdf")


def write_all(settings: Settings, out_dir: Path, *, letters_only: bool = False, size: str = "A4",
              today: date | None = None, renderer: NoticeRenderer | None = None,
              progress: Callable[[Written], None] | None = None, staff: bool = False) -> list[Written]:
    """Every school's letter into ``out_dir``; unless ``letters_only``, every site's notice into
    ``out_dir/sites`` and every township's sheet into ``out_dir/townships`` (``staff``: staff copies)."""
    register = build_register(settings)
    config, day = load_config(settings), today or date.today()
    layers = _layers_if_located(settings, register)
    render = renderer or default_renderer()
    written: list[Written] = []

    def save(kind: str, path: Path, pdf: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
        written.append(Written(kind, path, len(pdf)))
        if progress is not None:
            progress(written[-1])

    for school_id in register.schools.index:
        letter = school_letter(register, config, school_id, today=day, layers=layers)
        save("letter", out_dir / school_filename(register, school_id), render.school_letter(letter, staff=staff))
    if letters_only:
        return written
    for site in sites(register):
        notice = site_notice(register, config, site.site_id, today=day, base_url=settings.app_base_url)
        save("site", out_dir / "sites" / site_filename(site.site_id, size),
             render.site_notice(notice, size=size, staff=staff))
    for key in townships_for_sheets(register):
        sheet = township_sheet(register, config, key, today=day)
        save("township", out_dir / "townships" / township_filename(sheet.township_label),
             render.township_sheet(sheet))
    return written


def batch_pdf(settings: Settings, kind: BatchKind, township: str | None = None, *, size: str = "A4",
              staff: bool = False, register: Register | None = None, today: date | None = None,
              renderer: NoticeRenderer | None = None, progress: Progress | None = None,
              parallel: bool = True) -> bytes:
    """Every letter, sign or sheet of one township (name, short name or 待确认; None for all) as one PDF,
    each document keeping its own page numbers. ``progress(done, total)`` follows each document laid out.
    ``parallel``: the worker processes render part of it (``notices.batch``); False renders it all here."""
    count, job, _ = _batch_jobs(settings, kind, township, size=size, staff=staff, register=register, today=today)
    return merged_pdf(count, job, renderer=renderer, progress=progress, parallel=parallel)


def batch_zip(settings: Settings, kind: BatchKind, township: str | None = None, *, size: str = "A4",
              staff: bool = False, register: Register | None = None, today: date | None = None,
              renderer: NoticeRenderer | None = None, progress: Progress | None = None,
              parallel: bool = True) -> bytes:
    """The same documents as ``batch_pdf``, as a ZIP of one PDF each under its suggested (Chinese) name."""
    count, job, names = _batch_jobs(settings, kind, township, size=size, staff=staff, register=register,
                                    today=today)
    pdfs = each_pdf(count, job, renderer=renderer, progress=progress, parallel=parallel)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed
        for n, pdf in enumerate(pdfs):
            archive.writestr(names[n], pdf)
    return buffer.getvalue()


def batch_filename(kind: BatchKind, township: str | None, suffix: str = "pdf") -> str:
    """``板桥乡_致家长告知书.pdf``, ``全区_警示告示.zip`` …"""
    place = "全区" if township is None else (resolve_township(township) or "乡镇待确认")
    return _safe(f"{place}_{BATCH_KINDS[kind]}.{suffix}")


def _batch_jobs(settings: Settings, kind: BatchKind, township: str | None, *, size: str, staff: bool,
                register: Register | None, today: date | None) -> tuple[int, Callable[[int], Job], dict[int, str]]:
    """How many documents a batch holds, in the register's order; the call building the n-th one's
    context (in this process); and the file names of those built so far, by number."""
    if kind not in BATCH_KINDS:
        raise ValueError(f"批量打印只能是 {'、'.join(BATCH_KINDS)}：“{kind}”")
    register = register or build_register(settings)
    config, day = load_config(settings), today or date.today()
    wanted = resolve_township(township) if township is not None else None
    whole = township is None
    names: dict[int, str] = {}
    make: Callable[[int], tuple[str, Job]]
    if kind == "letter":
        ids = [i for i in register.schools.index if whole or register.resolution.school(i).township == wanted]
        layers = _layers_if_located(settings, register) if ids else None
        total = len(ids)

        def make(n: int) -> tuple[str, Job]:
            letter = school_letter(register, config, ids[n], today=day, layers=layers)
            return school_filename(register, ids[n]), Job(letter, staff=staff)
    elif kind == "site":
        chosen = [s for s in sites(register) if whole or s.township == wanted]
        total = len(chosen)

        def make(n: int) -> tuple[str, Job]:
            notice = site_notice(register, config, chosen[n].site_id, today=day, base_url=settings.app_base_url)
            return site_filename(chosen[n].site_id, size), Job(notice, size=size, staff=staff)
    else:
        keys = townships_for_sheets(register) if township is None else [township]
        total = len(keys)

        def make(n: int) -> tuple[str, Job]:
            sheet = township_sheet(register, config, keys[n], today=day)
            return township_filename(sheet.township_label), Job(sheet)
    if total == 0:
        raise DataFileError(f"没有可打印的{BATCH_KINDS[kind]}：{batch_filename(kind, township).rsplit('_', 1)[0]}"
                            "没有登记的学校或点位")

    def job(n: int) -> Job:
        names[n], built = make(n)
        return built
    return total, job, names


def _layers_if_located(settings: Settings, register: Register) -> ContextLayers | None:
    """The map extract's layers, read only when some school is located (they are drawn only then)."""
    return load_context(settings.geodata_dir) if register.schools.geometry.notna().any() else None


def _safe(name: str) -> str:
    return name.translate(_UNSAFE)
