"""Inspection photos: re-encoded from bounded input, and kept as evidence that nobody else's failure deletes.

A photo is re-encoded as JPEG (≤ 1600 px, no metadata) from JPEG, PNG or HEIC only, its size and pixel
count checked before it is decoded. It is stored by content hash under ``photos/YYYY/MM/`` in the data
directory: written to a temporary file of its own in the same folder, then published under its hash
name atomically (a hard link, which fails when another submission published the same photo first).

Submissions hold a shared lock on ``photos/.lock`` from publishing their photo until their inspection
is committed or refused. A refused submission then removes the photo only if it alone published it,
and only under the exclusive lock (so no submission of the same photo is half-way) when no committed
inspection references it: evidence of a committed inspection is never deleted.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from school_water_map import limits
from school_water_map.errors import PhotoError
from school_water_map.failures import describe

log = logging.getLogger(__name__)

PHOTO_MAX_SIDE = 1600
PHOTO_QUALITY = 82
STALE_PART_S = 3600  # a temporary photo file older than this was left by a killed process
#: The Pillow formats a photo may be in (an MPO, a JPEG with extra frames, opens as JPEG); anything else
#: is refused before it is decoded.
FORMATS = ("JPEG", "PNG", "HEIF")
#: Signatures of image formats that are refused, to name them in the message.
_REFUSED = ((b"GIF87a", "GIF"), (b"GIF89a", "GIF"), (b"II*\0", "TIFF"), (b"MM\0*", "TIFF"), (b"BM", "BMP"),
            (b"\0\0\1\0", "ICO"), (b"8BPS", "PSD"), (b"\0\0\0\x0cjP  ", "JPEG 2000"), (b"%PDF", "PDF"))
_UNREADABLE = "上传的文件不是可识别的图片（请拍照或选择 JPG、PNG 或 HEIC 照片）"


@dataclass(frozen=True)
class SavedPhoto:
    path: str  # relative to the data directory, as the inspection records it
    created: bool  # this call published the file (no other submission had)


def reencode(data: bytes) -> bytes:
    """An uploaded photo as JPEG, at most 1600 px on its long side, upright, without its metadata."""
    if len(data) > limits.PHOTO_BYTES:
        raise PhotoError(f"照片太大（{limits.size_text(len(data))}），上限 {limits.size_text(limits.PHOTO_BYTES)}")
    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, from the header
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        with image:
            _check_pixels(image.size)
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", _target(image.size))  # decode at 1/2, 1/4 or 1/8 scale when that suffices
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoError:
        raise
    except UnidentifiedImageError as exc:
        raise PhotoError(_unsupported(data)) from exc
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise PhotoError(_UNREADABLE) from exc
    upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=PHOTO_QUALITY, optimize=True)
    return out.getvalue()


@contextmanager
def writing(data_dir: Path) -> Iterator[None]:
    """Hold the shared lock from publishing a photo until its inspection is committed or refused."""
    with _lock(data_dir, fcntl.LOCK_SH):
        yield


def save(data_dir: Path, jpeg: bytes, *, now: datetime | None = None) -> SavedPhoto:
    """Keep ``jpeg`` under its content hash (call inside :func:`writing`). On a write failure (a full
    disk …) no temporary file remains and :class:`PhotoError` names the cause."""
    digest = hashlib.sha256(jpeg).hexdigest()
    relative = Path("photos") / (now or datetime.now(UTC)).strftime("%Y/%m") / f"{digest}.jpg"
    path = data_dir / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path.parent)
        if path.is_file():
            return SavedPhoto(str(relative), created=False)  # the same evidence is already kept
        return SavedPhoto(str(relative), created=_publish(path, jpeg, prefix=f".{digest[:16]}-"))
    except OSError as exc:
        log.warning("cannot save photo %s: %s", relative, exc)
        raise PhotoError(f"照片无法保存：{describe(exc)}；巡查记录未提交") from exc


def discard(data_dir: Path, saved: SavedPhoto, *, referenced: Callable[[str], bool]) -> bool:
    """After a refused submission (outside :func:`writing`): remove its photo if it alone published it
    and no committed inspection references it (``referenced``, asked under the exclusive lock).
    Returns whether the file was removed; when in doubt it is kept."""
    if not saved.created:
        return False
    try:
        with _lock(data_dir, fcntl.LOCK_EX):
            if referenced(saved.path):
                return False
            (data_dir / saved.path).unlink(missing_ok=True)
            return True
    except (OSError, PhotoError) as exc:
        log.warning("kept photo %s of a refused submission: %s", saved.path, exc)
        return False


def _publish(path: Path, data: bytes, *, prefix: str) -> bool:
    """Write ``data`` to a temporary file of this call's own, then give it ``path``'s name atomically.
    False when another submission published the same content first."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".part")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            _write(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        try:
            os.link(tmp, path)  # fails if the name exists: only one submission publishes a given photo
            created = True
        except FileExistsError:
            created = False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            created = not path.exists()  # no hard links here (some network shares): rename instead
            tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return created


def _sweep(folder: Path) -> None:
    """Remove temporary files a killed process left behind (a live write lasts milliseconds, not an hour)."""
    cutoff = time.time() - STALE_PART_S
    for leftover in folder.glob("*.part"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:
            continue  # another submission swept it


def _write(handle: BinaryIO, data: bytes) -> None:
    handle.write(data)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _lock(data_dir: Path, mode: int) -> Iterator[None]:
    folder = data_dir / "photos"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / ".lock").open("a")
    except OSError as exc:
        raise PhotoError(f"照片无法保存：{describe(exc)}；巡查记录未提交") from exc
    with handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > limits.PHOTO_PIXELS:
        raise PhotoError(f"照片像素过多（{width}×{height}，约 {width * height / 1e6:.0f} 百万像素），"
                         f"上限 {limits.PHOTO_PIXELS / 1e6:.0f} 百万像素；请用相机正常拍照")


def _target(size: tuple[int, int]) -> tuple[int, int]:
    scale = PHOTO_MAX_SIDE / max(size)
    return (max(1, int(size[0] * scale)), max(1, int(size[1] * scale))) if scale < 1 else size


def _unsupported(data: bytes) -> str:
    head = data[:32]
    name = next((label for magic, label in _REFUSED if head.startswith(magic)), None)
    if name is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        name = "WebP"
    if name is None and head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        name = "AVIF"
    if name is None and (b"<svg" in data[:1024] or head.lstrip().startswith(b"<?xml")):
        name = "SVG"
    if name is None or name == "PDF":
        return _UNREADABLE
    return f"不支持 {name} 格式的图片：请拍照或选择 JPG、PNG 或 HEIC 照片"


@cache
def _register_heif() -> None:
    """Let Pillow open HEIC photos (iPads and many Android tablets take them), once per process."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
