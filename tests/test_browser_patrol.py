"""Issue 4's "Done when", in a real browser (Debian's Chromium through Playwright): an admin creates a
patrol user for 板桥乡 with the CLI; that user logs in on a tablet, sees only 板桥乡's sites (row 83's
first), and submits an inspection with a photo and a GPS position; the coverage page and the residual
risk change accordingly. No request leaves 127.0.0.1.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from school_water_map.settings import Settings
from school_water_map.store.database import open_store
from school_water_map.store.inspections import list_inspections
from tests.browser_support import (
    MAP_FRAME,
    StreamlitServer,
    chromium,
    fits_a_tablet,
    log_in,
    open_page,
    open_popup,
)
from tests.browser_support import external_requests as external
from tests.conftest import REPO
from tests.placing import place

pytestmark = pytest.mark.browser

ROW_83 = "640302-S37-W47"
W47 = (106.2500, 37.9500)  # where this test places 波浪渠 (not its real position)
AT_W47 = {"longitude": W47[0] + 0.0003, "latitude": W47[1], "accuracy": 5}  # about 26 m east of it
PASSWORDS = {"admin01": "admin-pass-1", "bq01": "reed-bank-2026"}
OTHER_TOWNSHIPS = ("金积", "高闸", "金银滩", "扁担沟", "古城", "上桥", "胜利", "金星", "东塔寺", "马莲渠", "郭家桥",
                   "孙家滩")

#: Chromium's synthetic camera, allowed without a prompt (the tablet camera in these tests).
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

def _swmap(data_dir: Path, *args: str, password: str) -> str:
    """``python -m school_water_map …`` as an admin at a terminal would run it."""
    result = subprocess.run([sys.executable, "-m", "school_water_map", *args, "--password-stdin"], cwd=REPO,
                            env={**os.environ, "SWMAP_DATA_DIR": str(data_dir)}, input=password + "\n",
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium(FAKE_CAMERA) as launched:
        yield launched


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[StreamlitServer]:
    """A clean install with accounts made by the CLI and 波浪渠 placed (so presence can be checked)."""
    root = tmp_path_factory.mktemp("patrol")
    data = root / "data"
    assert "已新增账号 admin01" in _swmap(data, "user", "add", "admin01", "--role", "admin", "--name", "王局",
                                        password=PASSWORDS["admin01"])
    assert "已新增账号 bq01" in _swmap(data, "user", "add", "bq01", "--township", "板桥乡", "--name", "李巡查",
                                     password=PASSWORDS["bq01"])
    place(Settings.from_env({"SWMAP_DATA_DIR": str(data)}), "640302-W47", *W47)
    running = StreamlitServer(data, root / "streamlit.log").start()
    yield running
    running.stop()


def _tablet(browser: Browser, size: tuple[int, int]) -> tuple[Page, list[str]]:
    """A touch tablet standing at 波浪渠, allowed to use its GPS and camera."""
    return open_page(browser, size, geolocation={"latitude": AT_W47["latitude"], "longitude": AT_W47["longitude"],
                                                 "accuracy": AT_W47["accuracy"]},
                     permissions=["geolocation", "camera"], has_touch=True)


def _fits_a_tablet(page: Page, name: str) -> None:
    """No horizontal scrolling, touch targets of 44 px (the checklist's too), no Streamlit English."""
    fits_a_tablet(page, name, ["[data-testid='stFileUploaderDropzone'] button", "[data-testid='stCameraInputButton']",
                               "textarea", "[data-testid='stCheckbox'] label"])


def _shoot(page: Page, shots: Path, name: str) -> None:
    """Screenshots of a tablet screen: the top of the page, and its bottom when it is longer."""
    scroll = """(top) => ['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]']
        .map(s => document.querySelector(s)).concat([document.scrollingElement])
        .forEach(e => { if (e) e.scrollTop = top ? 0 : e.scrollHeight; })"""
    page.evaluate(scroll, True)
    page.screenshot(path=str(shots / f"{name}.png"))
    page.evaluate(scroll, False)
    page.screenshot(path=str(shots / f"{name}_bottom.png"))


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "现场照片.jpg"
    Image.new("RGB", (2000, 1500), (30, 140, 90)).save(path, format="JPEG")
    return path


def test_a_patrol_logs_in_on_a_tablet_and_submits_an_inspection(server, browser, shots, tmp_path):
    page, requests = _tablet(browser, (768, 1024))
    log_in(page, server.url, "bq01", PASSWORDS["bq01"])
    expect(page.get_by_role("heading", name="巡查", level=1)).to_be_visible()
    expect(page.get_by_text("当前账号：李巡查（乡镇巡查员，板桥乡）")).to_be_visible()
    rows = page.locator("[class*='st-key-patrol_row_']").filter(has=page.get_by_role("button", name="开始巡查"))
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("波浪渠")
    expect(rows.first).to_contain_text("板桥波浪渠小学")
    expect(rows.first).to_contain_text("从未巡查")
    listed = page.locator("[data-testid='stMain']").inner_text()
    assert not [t for t in OTHER_TOWNSHIPS if t in listed]
    _fits_a_tablet(page, "patrol list 768")
    _shoot(page, shots, "patrol_list_768x1024")
    page.set_viewport_size({"width": 1024, "height": 768})
    _fits_a_tablet(page, "patrol list 1024")
    _shoot(page, shots, "patrol_list_1024x768")
    page.set_viewport_size({"width": 768, "height": 1024})

    rows.first.get_by_role("button", name="开始巡查").click()
    expect(page.get_by_role("heading", name="波浪渠（板桥波浪渠小学）")).to_be_visible()
    assert page.url.endswith(f"?site={ROW_83}")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(_photo(tmp_path)))
    expect(page.get_by_role("button", name="删除照片")).to_be_visible()  # re-encoded and kept in the draft
    for item, option in (("warning_sign", "有，清晰"), ("fence", "完好"), ("rescue_kit", "齐全"),
                         ("water_state", "平稳"), ("minors", "未发现")):
        group = page.locator(f".st-key-insp_{ROW_83}_{item}")
        group.get_by_role("radio", name=option, exact=True).click()
        expect(group.locator("[aria-checked='true']")).to_have_text(option)
    problems = page.get_by_label("发现的问题")
    problems.fill("救生绳老化，需更换")
    problems.blur()
    page.get_by_role("button", name="获取当前位置").click()
    expect(page.get_by_text("在现场", exact=False).first).to_be_visible()
    expect(page.get_by_text("距站点约 26 米，在现场")).to_be_visible()
    _fits_a_tablet(page, "checklist 768")
    _shoot(page, shots, "patrol_checklist_768x1024")
    page.set_viewport_size({"width": 1024, "height": 768})
    _fits_a_tablet(page, "checklist 1024")
    _shoot(page, shots, "patrol_checklist_1024x768")

    page.get_by_role("button", name="提交巡查记录").click()
    expect(page.get_by_text("已提交巡查记录 #1")).to_be_visible()
    expect(page.get_by_text("在现场（距站点 26 米").first).to_be_visible()
    expect(page.get_by_text("措施后风险：较高")).to_be_visible()  # 高 before: sign, fence and rescue kit in place
    _shoot(page, shots, "patrol_submitted_1024x768")
    (done,) = list_inspections(open_store(Settings.from_env({"SWMAP_DATA_DIR": str(server.data_dir)})))
    assert (done.site_id, done.inspector, done.presence, done.gps_accuracy_m) == (ROW_83, "李巡查", "at_site", 5.0)
    assert done.answers["fence"] == "ok" and done.problems == "救生绳老化，需更换"
    assert done.photo and Image.open(io.BytesIO((server.data_dir / done.photo).read_bytes())).format == "JPEG"

    page.get_by_role("button", name="返回今日清单").click()
    expect(rows).to_have_count(3)  # done for today
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    assert any("/media/" in url for url in requests)  # the photo came back from the app itself
    assert external(requests) == [], "requests left 127.0.0.1"
    page.context.close()


def test_the_coverage_page_and_the_residual_risk_follow(server, browser, shots):
    page, requests = _tablet(browser, (1024, 768))
    # a notice's QR code, opened by the bureau
    log_in(page, server.url + f"/?site={ROW_83}", "admin01", PASSWORDS["admin01"])
    expect(page.get_by_role("heading", name="波浪渠（板桥波浪渠小学）")).to_be_visible()
    expect(page.get_by_text("措施后 较高")).to_be_visible()
    expect(page.get_by_text("巡查 #1（")).to_be_visible()  # the residual risk's basis
    page.get_by_role("link", name="巡查概况").click()  # a reload would be a new session: log in again
    expect(page.get_by_role("heading", name="巡查概况", level=1)).to_be_visible()
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text="未解决的问题")).to_contain_text("1")  # the worn rope, written down
    expect(metrics.filter(has_text="不在现场的巡查")).to_contain_text("0")
    expect(metrics.filter(has_text="无定位的巡查")).to_contain_text("0")
    expect(metrics.filter(has_text="按期巡查率")).to_contain_text("1%")  # 1 of 88 sites
    expect(metrics.filter(has_text="从未巡查")).to_contain_text("87")  # not counted as 逾期
    expect(metrics.filter(has_text="逾期站点")).to_contain_text("0")
    expect(page.get_by_test_id("stMetricDelta")).to_have_count(0)  # no trend arrow on a count
    expect(page.get_by_text("板桥乡", exact=True)).to_be_attached()  # a grid cell
    _fits_a_tablet(page, "coverage 1024")
    _shoot(page, shots, "coverage_1024x768")
    page.get_by_role("link", name="隐患清单").click()
    expect(page.get_by_role("heading", name="隐患清单", level=1)).to_be_visible()
    search = page.get_by_label("搜索学校或水体名称")
    search.fill("波浪渠")
    search.press("Enter")
    expect(page.get_by_text("当前显示 1 行")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame")
    expect(grid.get_by_text("高", exact=True)).to_be_attached()  # 风险 (reported)
    expect(grid.get_by_text("较高", exact=True)).to_be_attached()  # 措施后风险
    page.get_by_role("link", name="地图").click()
    frame = page.frame_locator(MAP_FRAME).first
    popup = open_popup(frame, "path.swm-water-640302-W47")  # 波浪渠 (黄河's map line is drawn too)
    expect(popup).to_contain_text("上报风险 高，措施后 较高（巡查 #1（")
    page.screenshot(path=str(shots / "map_residual_1024x768.png"))
    assert external(requests) == [], "requests left 127.0.0.1"
    page.context.close()


def test_the_tablet_camera_takes_the_photo(server, browser, shots):
    page, requests = _tablet(browser, (768, 1024))
    log_in(page, server.url + "/?site=640302-S38-W48", "bq01", PASSWORDS["bq01"])
    expect(page.get_by_role("heading", name="南干沟人工湖（板桥早元小学）")).to_be_visible()
    page.get_by_text("用相机拍照").click()
    camera = page.get_by_test_id("stCameraInputButton")
    expect(camera).to_be_enabled()  # the (synthetic) camera is streaming
    _fits_a_tablet(page, "camera 768")
    camera.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "patrol_camera_768x1024.png"))
    camera.click()
    expect(page.get_by_role("button", name="删除照片")).to_be_visible()  # taken, re-encoded, kept in the draft
    expect(page.get_by_test_id("stCameraInput")).to_have_count(0)
    assert external(requests) == [], "requests left 127.0.0.1"
    page.context.close()
