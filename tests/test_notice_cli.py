"""``swmap notice …`` and ``swmap notices``: files written, Chinese errors with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO
from tests.notice_tools import need_poppler, pdf_text, squash

STAFF_HEADING = "附：说明（内部资料，不张贴、不发放）"  # as in tests/test_notice_pdf.py


def swmap(*args, data_dir, cwd=REPO, env_extra=None):
    env = {**os.environ, "SWMAP_DATA_DIR": str(data_dir), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "school_water_map", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, check=False, timeout=300)


@pytest.mark.parametrize(("args", "message"), [
    (("notice", "school", "不存在的学校"), "错误：找不到学校：“不存在的学校”"),
    (("notice", "site", "640302-S01-W99"), "错误：找不到水域点位：“640302-S01-W99”"),
    (("notice", "township", "火星乡"), "错误：找不到乡镇：“火星乡”"),
])
def test_unknown_school_site_or_township_is_a_chinese_error(tmp_path, args, message):
    result = swmap(*args, "-o", str(tmp_path / "x.pdf"), data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert not (tmp_path / "x.pdf").exists()


def test_malformed_notices_config_is_a_chinese_error(tmp_path):
    (tmp_path / "notices.toml").write_text('[townships."板桥乡"]\nphone = ["x"]\n', encoding="utf-8")
    result = swmap("notice", "school", "板桥波浪渠小学", "-o", str(tmp_path / "x.pdf"), data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("错误：告知书设置文件格式错误")


def test_a_configured_character_the_font_lacks_is_a_chinese_error(tmp_path):
    (tmp_path / "notices.toml").write_text('[townships."板桥乡"]\nperson = "张𠀀"\n', encoding="utf-8")
    result = swmap("notice", "school", "板桥波浪渠小学", "-o", str(tmp_path / "x.pdf"), data_dir=tmp_path)
    assert result.returncode == 2
    assert "字体无法显示的字符：“𠀀”（U+20000）" in result.stderr


def test_township_sheet_is_written_under_its_suggested_name(tmp_path):
    result = swmap("notice", "township", "板桥", data_dir=tmp_path / "data", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("已生成：板桥乡_巡查表.pdf")
    assert (tmp_path / "板桥乡_巡查表.pdf").read_bytes()[:5] == b"%PDF-"


def test_site_notice_size_is_checked_by_the_parser(tmp_path):
    result = swmap("notice", "site", "640302-S37-W47", "--size", "A5", data_dir=tmp_path)
    assert result.returncode == 2 and "A5" in result.stderr


def test_notices_batch_needs_all_or_a_kind(tmp_path):
    result = swmap("notices", "-o", str(tmp_path), data_dir=tmp_path)
    assert result.returncode == 2 and "--all" in result.stderr and "--kind" in result.stderr


def test_help_lists_the_notice_commands(tmp_path):
    result = swmap("--help", data_dir=tmp_path)
    assert "notice" in result.stdout and "notices" in result.stdout


#: ``swmap`` with WeasyPrint's import failing as it does on a machine without Pango.
NO_PANGO = """
import sys
class NoPango:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "weasyprint":
            raise OSError("cannot load library 'libgobject-2.0-0': error 0x7e")
sys.meta_path.insert(0, NoPango())
from school_water_map.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("args", [
    ("notice", "school", "板桥波浪渠小学"),
    ("notice", "site", "640302-S37-W47", "--staff"),
    ("notices", "--kind", "letter", "--zip", "x.zip"),
])
def test_without_pango_a_notice_is_a_chinese_error(tmp_path, args):
    env = {**os.environ, "SWMAP_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-c", NO_PANGO, *args], capture_output=True, text=True, env=env,
                            cwd=tmp_path, check=False, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("错误：无法生成 PDF：本机缺少 Pango 等系统库"), result.stderr
    assert "README" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.glob("*.pdf")) == list(tmp_path.glob("*.zip")) == []


def test_a_townships_letters_come_as_one_zip_with_a_progress_line(tmp_path):
    out = tmp_path / "板桥.zip"
    result = swmap("notices", "--kind", "letter", "--township", "板桥", "--zip", str(out), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"已生成：{out}（ZIP")
    assert result.stderr.strip().endswith("正在生成致家长告知书：3/3")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert all(archive.read(n).startswith(b"%PDF-") for n in names)
    assert names == ["640302-S36_板桥中心学校_致家长告知书.pdf", "640302-S37_板桥波浪渠小学_致家长告知书.pdf",
                     "640302-S38_板桥早元小学_致家长告知书.pdf"]


def test_a_staff_copy_carries_the_notes_the_public_one_does_not(tmp_path):
    need_poppler()
    public, staff = tmp_path / "public.pdf", tmp_path / "staff.pdf"
    for args in (("-o", str(public)), ("-o", str(staff), "--staff")):
        result = swmap("notice", "site", "640302-S37-W47", *args, data_dir=tmp_path / "data")
        assert result.returncode == 0, result.stderr
    assert STAFF_HEADING not in squash(pdf_text(public))
    assert STAFF_HEADING in squash(pdf_text(staff))


def test_merged_letters_of_a_township_are_one_pdf(tmp_path):
    need_poppler()
    out = tmp_path / "merged.pdf"
    result = swmap("notices", "--kind", "letter", "--township", "板桥乡", "--merged", str(out), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "板桥中心学校" in pdf_text(out) and "板桥早元小学" in pdf_text(out)


@pytest.mark.parametrize(("args", "message"), [
    (("notices", "--kind", "letter"), "--merged FILE.pdf 或 --zip FILE.zip"),
    (("notices", "--all"), "-o DIR"),
    (("notices", "--kind", "site", "--township", "火星乡", "--merged", "x.pdf"), "错误：找不到乡镇：“火星乡”"),
])
def test_a_batch_without_its_output_or_place_is_a_chinese_error(tmp_path, args, message):
    result = swmap(*args, data_dir=tmp_path, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "x.pdf").exists()
