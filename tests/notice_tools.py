"""Helpers for the notice tests: poppler's command-line tools and a fontconfig that lists no font at all."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

POPPLER = ("pdffonts", "pdftotext", "pdftoppm", "pdfinfo")


def need_poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"poppler-utils missing ({', '.join(missing)}): .ci/run installs it "
                    "(apt-get install poppler-utils)")


def run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True, env=env, timeout=120)
    return result.stdout


def pdf_fonts(pdf: Path) -> list[list[str]]:
    """pdffonts rows (name … emb sub uni object-id), header dropped."""
    return [line.split() for line in run("pdffonts", pdf).splitlines()[2:] if line.strip()]


def pdf_text(pdf: Path, *, layout: bool = False) -> str:
    return run("pdftotext", *(["-layout"] if layout else []), pdf, "-")


def pdf_pages(pdf: Path) -> tuple[int, str]:
    info = run("pdfinfo", pdf)
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def squash(text: str) -> str:
    """Text without any whitespace (pdftotext spacing varies with the layout)."""
    return "".join(text.split())


def empty_fontconfig(tmp: Path) -> dict[str, str]:
    """An environment whose fontconfig knows no font at all (so nothing but the embedded font can draw)."""
    fonts, cache = tmp / "nofonts", tmp / "fccache"
    fonts.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    conf = tmp / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>\n", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}
