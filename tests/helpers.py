"""Plain helpers and constants shared by several test modules (the shared fixtures are in conftest.py).

Test modules import from here, never from each other. The subprocesses that tests/test_limits.py
measures import the archive builders from here too, so this module loads no Streamlit and no pytest.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from school_water_map.domain.patrol import PatrolRules
from school_water_map.domain.sites import Site
from school_water_map.outputs import mapping

REPO = Path(__file__).resolve().parent.parent

# -- the `swmap` command ---------------------------------------------------------------------------------------------


def swmap(*args: str, data_dir: Path | str, check: bool = True, env: dict[str, str] | None = None,
          input: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m school_water_map ARGS`` on ``data_dir`` (asserting success unless ``check=False``)."""
    env = {**os.environ, **(env or {}), "SWMAP_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, "-m", "school_water_map", *args], capture_output=True, text=True,
                            env=env, cwd=REPO, check=False, input=input)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def cli_user(data_dir: Path | str, *args: str, password: str = "secret-123") -> subprocess.CompletedProcess[str]:
    """``swmap user ARGS --password-stdin``, the password typed on standard input (not checked)."""
    return swmap("user", *args, "--password-stdin", data_dir=data_dir, check=False, input=password + "\n")


# -- a site and a patrol's answers -----------------------------------------------------------------------------------

#: 板桥波浪渠小学 · 波浪渠 (row 83): the riskiest site of 板桥乡.
ROW_83 = "640302-S37-W47"
#: A checklist with problems (a missing fence, high water, minors sent away).
ANSWERS = {"warning_sign": "ok", "fence": "missing", "rescue_kit": "partial", "water_state": "high",
           "minors": "dissuaded"}
#: A checklist of a site in order but for a partial rescue kit (the app tests' patrol).
APP_ANSWERS = {"warning_sign": "ok", "fence": "ok", "rescue_kit": "partial", "water_state": "normal",
               "minors": "none"}
#: Row 83's site as the store receives it (values written here, not read from the register).
SITE_83 = Site(site_id=ROW_83, row=83, rows=(83,), school_id="640302-S37", school="板桥波浪渠小学",
               water_id="640302-W47", water="波浪渠", water_text="波浪渠灌溉渠", water_kind_label="支渠",
               distance_text="10 米", township="板桥乡", township_label="板桥乡", risk_level="high",
               risk_level_label="高", risk_rank=1, risk_score=70.0)
RULES = PatrolRules(max_distance_m=150)
#: The app's test accounts (made by conftest's ``accounts`` fixture) and their passwords.
PASSWORDS = {"admin01": "admin-pass-1", "bq01": "reed-bank-2026", "look01": "look-pass-2026", "jj01": "jinji-pass-2026"}

#: The map's layers, bottom to top, as the layer control lists them.
MAP_LAYERS = (mapping.LAYER_OUTLINE, mapping.LAYER_RIVER, mapping.LAYER_ANCHORS, mapping.LAYER_ZONES,
              mapping.LAYER_WATER_OWN, mapping.LAYER_WATER_DERIVED, mapping.LAYER_SCHOOLS)

# -- memory, measured in a fresh interpreter -------------------------------------------------------------------------


def memory_growth_mb(code: str, *, timeout: int = 300) -> tuple[list[str], int]:
    """Run ``code`` (it defines ``data`` and ``run()``) in a fresh interpreter: (the lines it printed, the
    error ``run()`` raised or ``accepted`` last; MB the peak resident size grew during ``run()``)."""
    script = (f"import resource\n{code}\n"
              "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              "try:\n    run()\n    print('accepted')\n"
              "except ValueError as exc:\n    print(str(exc).replace('\\n', ' '))\n"
              "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True,
                         timeout=timeout).stdout.splitlines()
    return out[:-1], int(out[-1])


# -- hostile archives, built in memory -------------------------------------------------------------------------------

KML = b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document></Document></kml>'
ANNEX_HEADER = ["序号", "学校名称", "河湖名称", "距离学校距离", "备注"]


def zeros_member(archive: zipfile.ZipFile, name: str, megabytes: int) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        chunk = b"\0" * (1 << 20)
        for _ in range(megabytes):
            member.write(chunk)


def kmz_bomb(megabytes: int = 500) -> bytes:
    """A KMZ of about 0.5 MB whose doc.kml is 500 MB of zeros (honest headers)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        zeros_member(archive, "doc.kml", megabytes)
    return buffer.getvalue()


def lying_kmz() -> bytes:
    """A KMZ whose headers say doc.kml has 200 bytes while its data inflates to 300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("doc.kml", "w") as member:
        member.write(KML)
        chunk = b" " * (1 << 20)
        for _ in range(300):
            member.write(chunk)
    data = bytearray(buffer.getvalue())
    real = (len(KML) + 300 * (1 << 20)).to_bytes(4, "little")
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size fields
        at = data.find(signature)
        assert data[at + offset:at + offset + 4] == real
        data[at + offset:at + offset + 4] = (200).to_bytes(4, "little")
    return bytes(data)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes | None = None, *, zeros_mb: int = 0) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.namelist():
            if member != name:
                archive.writestr(member, source.read(member))
            elif zeros_mb:
                zeros_member(archive, member, zeros_mb)
            else:
                archive.writestr(member, content or b"")
    return buffer.getvalue()


def huge_sheet_xlsx(rows: int = 1_500_000) -> bytes:
    """An annex XLSX of 1.5 M rows (a few MB compressed, about 100 MB of sheet XML)."""
    template = xlsx_bytes([ANNEX_HEADER])
    source = zipfile.ZipFile(io.BytesIO(template))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.namelist():
            if not member.startswith("xl/worksheets/"):
                archive.writestr(member, source.read(member))
                continue
            with archive.open(member, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
                            b'org/spreadsheetml/2006/main"><sheetData>')
                for start in range(1, rows + 1, 10_000):
                    sheet.write(b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n)
                                         for n in range(start, min(start + 10_000, rows + 1))))
                sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()
