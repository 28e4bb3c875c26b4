"""``swmap notice …`` and ``swmap notices``: files written, Chinese errors with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


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


def test_notices_batch_needs_all_and_an_output_dir(tmp_path):
    result = swmap("notices", "-o", str(tmp_path), data_dir=tmp_path)
    assert result.returncode == 2 and "--all" in result.stderr


def test_help_lists_the_notice_commands(tmp_path):
    result = swmap("--help", data_dir=tmp_path)
    assert "notice" in result.stdout and "notices" in result.stdout
