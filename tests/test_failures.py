"""Every failure a person can meet names its cause in Chinese; the details go to the log, never a
traceback or a server path to the person (the CLI's stderr, the app's page)."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from school_water_map import failures
from school_water_map.domain.positions import PositionRecord
from school_water_map.errors import SettingsError, StoredTextError
from school_water_map.settings import Settings, database_url
from school_water_map.store.database import open_store
from tests.app_support import new_app
from tests.conftest import REPO
from tests.helpers import swmap
from tests.local_streamlit import free_port

#: ``swmap`` with SQLite limited to one page: creating the schema meets SQLITE_FULL ("database or disk is full").
FULL_SQLITE = ("import sys, school_water_map.store.database as s\n"
               "pragmas = s._sqlite_pragmas\n"
               "def full(connection, record):\n"
               "    pragmas(connection, record)\n"
               "    connection.execute('PRAGMA max_page_count=1')\n"
               "s._sqlite_pragmas = full\n"
               "from school_water_map.cli.main import main\n"
               "sys.exit(main(sys.argv[1:]))\n")
SCHOOL = "利通区第十一小学"


def _refused_in_chinese(result: subprocess.CompletedProcess[str], *, says: str, data_dir: Path) -> None:
    """Exit 2, ``错误：…`` naming the cause, no traceback, no server path."""
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("错误："), result.stderr
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert str(data_dir.parent) not in result.stderr + result.stdout
    assert str(REPO) not in result.stderr + result.stdout


def _closed_port_url(scheme: str = "postgresql") -> str:
    return f"{scheme}://swmap@127.0.0.1:{free_port()}/swmap"  # nothing listens there


@contextmanager
def _tmpfs(path: Path, *, size: str, read_only: bool = False) -> Iterator[Path]:
    """A small RAM disk at ``path`` (root only: a real full or read-only disk), unmounted afterwards."""
    path.mkdir(parents=True)
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a full or read-only disk needs root")


# --- the translation itself -------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "says"), [(errno.ENOSPC, "磁盘空间不足"), (errno.EACCES, "没有读写权限"),
                                            (errno.EROFS, "只读"), (errno.ECONNREFUSED, "连接被拒绝")])
def test_os_errors_are_named_in_chinese(code, says):
    assert says in failures.describe(OSError(code, os.strerror(code), "/srv/secret/swmap.db"))


def test_a_missing_file_is_named_by_its_name_not_its_path():
    message = failures.describe(FileNotFoundError(errno.ENOENT, "No such file", "/srv/secret/annex.csv"))
    assert message == "找不到文件“annex.csv”"


def test_sqlite_result_codes_are_named(tmp_path):
    with pytest.raises(sqlite3.OperationalError) as cannot_open:
        sqlite3.connect(tmp_path / "no" / "such" / "dir.db")
    assert "无法打开数据库文件" in failures.describe(cannot_open.value)
    connection = sqlite3.connect(tmp_path / "full.db")
    connection.execute("PRAGMA max_page_count=1")
    with pytest.raises(sqlite3.OperationalError) as full:
        connection.execute("CREATE TABLE t (x)")
    assert failures.describe(full.value) == failures.DISK_FULL


def test_a_refused_postgresql_connection_is_named():
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(f"host=127.0.0.1 port={free_port()} user=swmap dbname=swmap connect_timeout=5")
    assert failures.describe(refused.value) == failures.REFUSED


def test_an_unknown_failure_says_the_log_has_the_details():
    assert failures.describe(RuntimeError("something internal")) == failures.UNKNOWN


# --- database URLs -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "opened"), [
    ("postgres://u:p@db:5432/swmap", "postgresql+psycopg://u:p@db:5432/swmap"),
    ("postgresql://u@db/swmap", "postgresql+psycopg://u@db/swmap"),
    ("postgresql+psycopg://u@db/swmap", "postgresql+psycopg://u@db/swmap"),
    ("sqlite:////var/lib/swmap/swmap.db", "sqlite:////var/lib/swmap/swmap.db"),
    ("", "")])
def test_database_urls_are_normalised(given, opened):
    assert database_url(given) == opened


@pytest.mark.parametrize("given", ["mysql://u:s3cret@db/swmap", "s3cret@db/swmap", "postgresql+psycopg2://u:s3cret@db/x"])
def test_an_unusable_database_url_is_refused_in_chinese_without_echoing_it(given):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"SWMAP_DATA_DIR": "/tmp/x", "SWMAP_DATABASE_URL": given})
    assert "SWMAP_DATABASE_URL" in str(refused.value) and "s3cret" not in str(refused.value)


def test_the_cli_refuses_an_unknown_scheme_in_chinese(tmp_path):
    data = tmp_path / "data"
    result = swmap("check", data_dir=data, check=False, env={"SWMAP_DATABASE_URL": "mysql://u:s3cret@db/swmap"})
    _refused_in_chinese(result, says="数据库类型“mysql”不受支持", data_dir=data)
    assert "s3cret" not in result.stderr


def test_a_postgres_scheme_url_opens_the_store(postgres, tmp_path):
    from tests.databases import fresh_database

    url = fresh_database(postgres, "t_postgres_scheme").replace("postgresql+psycopg://", "postgres://")
    data = tmp_path / "data"
    env = {"SWMAP_DATABASE_URL": url}
    swmap("locate", SCHOOL, "--lon", "106.2", "--lat", "37.98", "--source", "现场", "--author", "张", data_dir=data,
          env=env)
    history = swmap("history", SCHOOL, data_dir=data, env=env)
    assert "106.2" in history.stdout and not (data / "swmap.db").exists()


# --- the CLI -----------------------------------------------------------------------------------------

def test_database_down_names_the_refused_connection(tmp_path):
    data = tmp_path / "data"
    for url in (_closed_port_url(), _closed_port_url("postgres")):
        result = swmap("check", data_dir=data, check=False, env={"SWMAP_DATABASE_URL": url})
        _refused_in_chinese(result, says="连接被拒绝，请检查数据库服务是否运行", data_dir=data)
        assert result.stderr.startswith("错误：无法打开数据库（PostgreSQL 127.0.0.1:")


def test_a_full_database_on_first_open_names_the_full_disk(tmp_path):
    data = tmp_path / "data"
    result = subprocess.run([sys.executable, "-c", FULL_SQLITE, "check"], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "SWMAP_DATA_DIR": str(data)}, check=False)
    _refused_in_chinese(result, says="无法打开数据库（数据目录中的 swmap.db）：磁盘空间不足", data_dir=data)
    assert "database or disk is full" in (data / "swmap.log").read_text(encoding="utf-8")  # details: the log


@needs_root
def test_a_full_disk_names_its_cause_on_open_and_on_a_write(tmp_path):
    with _tmpfs(tmp_path / "small", size="200k") as small:
        result = swmap("check", data_dir=small / "data", check=False)
        _refused_in_chinese(result, says="无法打开数据库（数据目录中的 swmap.db）：磁盘空间不足",
                            data_dir=small / "data")
    with _tmpfs(tmp_path / "disk", size="4m") as disk:
        swmap("check", data_dir=disk / "data")  # the store, created while there is room
        with (disk / "filler").open("wb") as filler, pytest.raises(OSError):
            while True:
                filler.write(b"\0" * 65536)  # ends when the disk is full (ENOSPC): bounded by its 4 MB
        result = swmap("locate", SCHOOL, "--lon", "106.2", "--lat", "37.98", "--source", "现场", "--author", "张",
                       data_dir=disk / "data", check=False)
        _refused_in_chinese(result, says="磁盘空间不足", data_dir=disk / "data")


def test_a_data_dir_without_write_permission_names_it(tmp_path):
    if os.geteuid() == 0:  # root ignores permission bits: a read-only disk instead
        with _tmpfs(tmp_path / "ro", size="1m", read_only=True) as read_only:
            result = swmap("check", data_dir=read_only / "data", check=False)
            _refused_in_chinese(result, says="没有写入权限", data_dir=read_only / "data")
        return
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    result = swmap("check", data_dir=locked / "data", check=False)
    _refused_in_chinese(result, says="没有读写权限", data_dir=locked / "data")


@pytest.mark.parametrize("command", [("import", "nosuchfile", "--author", "张"), ("annex", "check", "nosuchfile")])
def test_a_missing_file_given_to_the_cli_is_named(tmp_path, command):
    data = tmp_path / "data"
    result = swmap(*command, data_dir=data, check=False)
    _refused_in_chinese(result, says="找不到文件", data_dir=data)
    assert "nosuchfile" in result.stderr
    assert "FileNotFoundError" in (data / "swmap.log").read_text(encoding="utf-8")


def test_debug_shows_the_traceback(tmp_path):
    result = swmap("--debug", "annex", "check", "nosuchfile", data_dir=tmp_path / "data", check=False)
    assert result.returncode != 0 and "Traceback" in result.stderr and "FileNotFoundError" in result.stderr
    quiet = swmap("annex", "check", "nosuchfile", data_dir=tmp_path / "data", check=False,
                  env={"SWMAP_DEBUG": "1"})
    assert "Traceback" in quiet.stderr


# --- NUL characters ----------------------------------------------------------------------------------

def _position(source: str) -> PositionRecord:
    return PositionRecord(entity_id="640302-S01", wkt="POINT (106.2 37.98)", precision="surveyed", source=source,
                          author="张", method="typed", recorded_at="2026-12-01T10:00:00+08:00", input_crs="WGS84")


def test_a_nul_character_is_refused_naming_the_field_and_nothing_is_written(db_settings):
    positions = open_store(db_settings).positions
    with pytest.raises(StoredTextError) as refused:
        positions.add([_position("现场"), _position("现场\x00GPS")])
    assert str(refused.value).startswith("“来源”（640302-S01）中含有空字符")
    assert positions.load() == []


def test_a_nul_character_in_an_imported_file_is_refused_on_postgresql(postgres, tmp_path):
    from tests.databases import fresh_database

    data = tmp_path / "data"
    csv = tmp_path / "positions.csv"
    csv.write_bytes(f"编号或名称,经度,纬度,坐标系,来源\n{SCHOOL},106.2,37.98,WGS84,现场\x00GPS\n".encode())
    env = {"SWMAP_DATABASE_URL": fresh_database(postgres, "t_nul_import")}
    result = swmap("import", str(csv), "--author", "张", data_dir=data, check=False, env=env)
    _refused_in_chinese(result, says="“来源”（640302-S01）中含有空字符", data_dir=data)
    assert "尚无位置记录" in swmap("history", SCHOOL, data_dir=data, env=env).stdout


# --- the app -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "says"), [(_closed_port_url(), "连接被拒绝，请检查数据库服务是否运行"),
                                           ("mysql://u:s3cret@db/swmap", "数据库类型“mysql”不受支持")])
def test_the_app_shows_a_broken_database_in_chinese(app_settings, monkeypatch, url, says):
    monkeypatch.setenv("SWMAP_DATABASE_URL", url)
    at = new_app()
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and says in at.error[0].value
    assert "s3cret" not in at.error[0].value and "Traceback" not in at.error[0].value


def test_the_app_shows_no_error_details_in_the_browser():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # false would still show tracebacks


def test_a_failure_on_a_page_is_shown_in_chinese_without_a_traceback(app_settings, monkeypatch):
    from app_pages.parts import state

    def disk_full(_settings):
        raise OSError(errno.ENOSPC, "No space left on device", str(app_settings.data_dir / "swmap.db"))

    monkeypatch.setattr(state, "build_register", disk_full)  # the register is built inside the page
    at = new_app()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [failures.DISK_FULL]


def test_a_failure_before_the_page_while_signing_in_is_shown_in_chinese(app_settings, monkeypatch):
    from app_pages.parts import access

    def database_gone(_settings):
        raise OSError(errno.ENOSPC, "No space left on device", str(app_settings.data_dir / "swmap.db"))

    monkeypatch.setattr(access, "accounts_exist", database_gone)  # read on every run, before any page
    at = new_app()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [failures.DISK_FULL]
