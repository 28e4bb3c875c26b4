"""Real-browser test of the 告知书 page's batch printing: 板桥乡's letters as a ZIP, at 1024×768.

The server, the browser and the checks come from ``tests/browser_support.py``; every wait is on a condition.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from school_water_map.domain.register import Register
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from tests.browser_support import choose_option, external_requests, open_page, tablet_layout

pytestmark = pytest.mark.browser


def _banqiao_letters(register: Register) -> list[str]:
    """The letters' file names of 板桥乡's schools, as the ZIP should hold them."""
    return [f"{i}_{register.schools['name'][i]}_致家长告知书.pdf" for i in register.schools.index
            if register.resolution.school(i).township == "板桥乡"]


def test_a_townships_letters_download_as_one_zip(server, browser, shots):
    page, requests = open_page(browser, (1024, 768), accept_downloads=True)
    page.goto(server.url + "/notices")
    expect(page.get_by_role("heading", name="告知书与警示告示", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="下载致家长告知书（PDF）")).to_be_visible()  # the single letter, as before
    page.get_by_text("批量打印致家长告知书（一个乡镇或全区）").click()
    make = page.get_by_role("button", name="生成板桥乡的致家长告知书")
    choose_option(page, "范围", "板桥乡", until=make)  # the township's rerun has finished before the next choice
    page.get_by_text("ZIP（每份一个 PDF）", exact=True).click()
    expect(make).to_contain_text("ZIP")
    expect(page.get_by_text("打印前请注意，这批文书还缺")).to_be_visible()
    page.screenshot(path=str(shots / "notices_batch_choices_1024x768.png"))
    make.click()
    expect(page.get_by_text("已生成 3 份")).to_be_visible()  # the progress bar, full
    with page.expect_download() as started:
        page.get_by_role("button", name="下载 板桥乡_致家长告知书.zip").click()
    download = started.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "板桥乡_致家长告知书.zip"
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        names = archive.namelist()
        assert all(archive.read(name).startswith(b"%PDF-") for name in names)
    register = build_register(Settings.from_env({"SWMAP_DATA_DIR": str(server.data_dir)}))
    assert names == _banqiao_letters(register) and len(names) == 3
    page.wait_for_load_state("networkidle")
    widths, small, english = tablet_layout(page)
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths
    assert small == [] and english == []
    page.screenshot(path=str(shots / "notices_batch_1024x768.png"))
    assert external_requests(requests) == []
    page.context.close()
