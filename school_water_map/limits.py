"""Limits on everything a file brings in (uploads, imports, photos), in one place.

Each limit is checked before the expensive step it protects: a file's bytes before it is read or
parsed, an image's pixel count before it is decoded, a zip archive's members and their uncompressed
sizes before anything is extracted (and again while streaming, without trusting the header), a
table's rows and columns while its rows are read. A refusal names the file and the limit, in Chinese,
and nothing is written.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePath

from school_water_map.errors import DataFileError, InputLimitError

MiB = 1 << 20

PHOTO_BYTES = 15 * MiB  # an uploaded photo, before re-encoding
PHOTO_PIXELS = 40_000_000  # width × height, read from the header before decoding (a 40 MP camera)
TABLE_BYTES = 10 * MiB  # a CSV, XLSX or text table (positions, an annex), and pasted annex text
TABLE_ROWS = 10_000  # rows of a table, the header included (the 2021 annex has 89)
TABLE_COLUMNS = 50  # filled columns of a table row
GEOMETRY_BYTES = 20 * MiB  # a GeoJSON, KML, GPX or KMZ file, and the KML inside a KMZ
GEOMETRY_FEATURES = 20_000  # features of a geometry file, all layers together
GEOMETRY_LAYERS = 100  # layers (KML folders, GPX waypoints/routes/tracks) of a geometry file
TRACE_VERTICES = 20_000  # vertices of a water body traced on the map (a person's clicks; the browser is not trusted)
ZIP_MEMBERS = 1_000  # files inside a KMZ or XLSX
ZIP_MEMBER_BYTES = 20 * MiB  # one file inside a KMZ or XLSX, uncompressed
ZIP_TOTAL_BYTES = 100 * MiB  # all files inside a KMZ or XLSX, uncompressed
#: The largest upload any page accepts, in MB: Streamlit's ``server.maxUploadSize`` in .streamlit/config.toml.
UPLOAD_MB = max(PHOTO_BYTES, TABLE_BYTES, GEOMETRY_BYTES) // MiB

_TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt", ".tsv")
_CHUNK = 1 << 16
_DOCTYPE = b"<!DOCTYPE"


def size_text(size: int) -> str:
    """Bytes for people: ``12.3 MB``, ``850 KB``."""
    return f"{size / MiB:.1f} MB" if size >= MiB else f"{max(size, 1) / 1024:.0f} KB"


def file_limit(filename: str) -> int:
    """The byte limit of an import file, by its kind (tables, else geometry files)."""
    return TABLE_BYTES if PurePath(filename).suffix.lower() in _TABLE_SUFFIXES else GEOMETRY_BYTES


def check_size(size: int, limit: int, filename: str) -> None:
    """Refuse a file of ``size`` bytes over ``limit``, before it is parsed."""
    if size > limit:
        raise InputLimitError(f"{filename}：文件太大（{size_text(size)}），上限 {size_text(limit)}；未读取")


def read_path(path: Path, limit: int | None = None) -> bytes:
    """A file's bytes, refused before reading when it is larger than ``limit`` (default: by kind)."""
    limit = file_limit(path.name) if limit is None else limit
    try:
        check_size(path.stat().st_size, limit, path.name)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # a file that grows while read (or a pipe) is still capped
    except FileNotFoundError as exc:
        raise DataFileError(f"找不到文件：{path.name}") from exc
    except IsADirectoryError as exc:
        raise DataFileError(f"{path.name} 是文件夹，不是文件") from exc
    except PermissionError as exc:
        raise DataFileError(f"没有权限读取文件：{path.name}") from exc
    check_size(len(data), limit, path.name)
    return data


def check_rows(count: int, filename: str) -> None:
    """Refuse a table once it has more than :data:`TABLE_ROWS` rows (called while reading, so it stops early)."""
    if count > TABLE_ROWS:
        raise InputLimitError(f"{filename}：表格行数超过上限 {TABLE_ROWS:,} 行；未读取")


def check_columns(count: int, row: int, filename: str) -> None:
    if count > TABLE_COLUMNS:
        raise InputLimitError(f"{filename}：第 {row} 行有 {count} 列，超过上限 {TABLE_COLUMNS} 列；未读取")


def check_text(text: str, source: str) -> None:
    """Refuse pasted or decoded text longer than the table limit."""
    if len(text) > TABLE_BYTES:
        raise InputLimitError(f"{source}：内容太长（{len(text):,} 个字符），上限 {TABLE_BYTES:,} 个字符；未读取")


def open_zip(data: bytes, filename: str, *, kind: str) -> zipfile.ZipFile:
    """The archive, after its declared member count and uncompressed sizes are checked (nothing extracted)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DataFileError(f"{filename}：不是有效的 {kind} 文件（压缩包已损坏）") from exc
    members = archive.infolist()
    if len(members) > ZIP_MEMBERS:
        raise InputLimitError(f"{filename}：{kind} 压缩包内有 {len(members):,} 个文件，"
                              f"超过上限 {ZIP_MEMBERS:,} 个；未读取")
    for info in members:
        _check_member(info.file_size, info.filename, filename, kind)
    total = sum(info.file_size for info in members)
    if total > ZIP_TOTAL_BYTES:
        raise InputLimitError(f"{filename}：{kind} 解压后共 {size_text(total)}，超过上限 {size_text(ZIP_TOTAL_BYTES)}"
                              "（可能是压缩炸弹）；未读取")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, filename: str, *, kind: str,
                limit: int = ZIP_MEMBER_BYTES) -> bytes:
    """One member's bytes, decompressed in chunks and refused as soon as they pass ``limit``."""
    out = bytearray()
    for chunk in _chunks(archive, name, filename, kind):
        out += chunk
        if len(out) > limit:
            raise InputLimitError(f"{filename}：{kind} 内的 {name} 解压后超过上限 {size_text(limit)}"
                                  "（可能是压缩炸弹）；未读取")
    return bytes(out)


def scan_zip(archive: zipfile.ZipFile, filename: str, *, kind: str, forbid_doctype: bool = False) -> None:
    """Decompress every member (discarding the bytes) to check its real size against the limits, and
    refuse XML with a document type declaration (``<!DOCTYPE``, never in a genuine XLSX) when asked."""
    total = 0
    for info in archive.infolist():
        size, tail = 0, b""
        for chunk in _chunks(archive, info.filename, filename, kind):
            size += len(chunk)
            total += len(chunk)
            _check_member(size, info.filename, filename, kind)
            if total > ZIP_TOTAL_BYTES:
                raise InputLimitError(f"{filename}：{kind} 解压后超过上限 {size_text(ZIP_TOTAL_BYTES)}"
                                      "（可能是压缩炸弹）；未读取")
            if forbid_doctype and _DOCTYPE in tail + chunk:
                raise InputLimitError(f"{filename}：{kind} 内的 {info.filename} 含有文档类型声明（<!DOCTYPE>），"
                                      "正常的 Excel 文件不会有；出于安全原因未读取，"
                                      "请在 Excel/WPS 中另存为 .xlsx 后再试")
            tail = chunk[-len(_DOCTYPE):]


def _check_member(size: int, member: str, filename: str, kind: str) -> None:
    if size > ZIP_MEMBER_BYTES:
        raise InputLimitError(f"{filename}：{kind} 内的 {member} 解压后超过上限 {size_text(ZIP_MEMBER_BYTES)}"
                              "（可能是压缩炸弹）；未读取")


def _chunks(archive: zipfile.ZipFile, name: str, filename: str, kind: str) -> Iterator[bytes]:
    """A member's decompressed bytes in 64 KB chunks; a damaged member (or a lying header: its CRC
    fails) is a Chinese error."""
    try:
        with archive.open(name) as member:
            while chunk := member.read(_CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError) as exc:
        raise DataFileError(f"{filename}：{kind} 内的 {name} 已损坏，无法解压") from exc
