"""The 告知书 page's batch printing, its warnings before printing, and its message when WeasyPrint cannot
load the system libraries (AppTest; the files handed out are read back from AppTest's media storage)."""

from __future__ import annotations

import io
import sys
import zipfile

import pytest

from school_water_map.domain.app_settings import contact_key
from school_water_map.domain.sites import sites
from school_water_map.pipeline.register import build_register
from school_water_map.store.app_settings import set_values
from school_water_map.store.database import open_store
from tests.app_support import media_file, new_app, run_page, shown, texts

NOTICES = "app_pages/notices.py"
BANQIAO_LETTERS = ["640302-S36_板桥中心学校_致家长告知书.pdf", "640302-S37_板桥波浪渠小学_致家长告知书.pdf",
                   "640302-S38_板桥早元小学_致家长告知书.pdf"]


class _NoPango:
    """Import WeasyPrint as on a machine without Pango: its cffi ``dlopen`` raises OSError."""

    def find_spec(self, name, *_):
        if name.split(".")[0] == "weasyprint":
            raise OSError("cannot load library 'libgobject-2.0-0': error 0x7e")


@pytest.fixture
def no_pango(monkeypatch):
    for name in [n for n in sys.modules if n.split(".")[0] == "weasyprint"
                 or n in ("school_water_map.notices.render", "school_water_map.pipeline.notices")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])


def test_without_pango_the_page_says_so_in_chinese(app_settings, no_pango):
    at = run_page(new_app(), NOTICES)
    assert at.title[0].value == "告知书与警示告示"
    (error,) = at.error
    assert error.value.startswith("无法生成 PDF：本机缺少 Pango 等系统库") and "README" in error.value
    assert not at.download_button and not at.get("image")


def test_a_townships_letters_come_as_one_zip_after_a_progress_bar(app_settings, media):
    at = run_page(new_app(), NOTICES)
    assert at.download_button(key="notice_download")  # the single document, as before
    assert not [b for b in at.download_button if b.key == "notice_batch_download"]
    at.selectbox(key="notice_batch_township").set_value("板桥乡")
    at.button_group(key="notice_batch_format").set_value("zip")
    run_page(at)
    button = at.button(key="notice_batch_make")
    assert button.label == "生成板桥乡的致家长告知书（3 份，ZIP（每份一个 PDF））"
    button.click()
    run_page(at)
    (bar,) = at.get("progress")
    assert bar.proto.value == 100 and bar.proto.text == "已生成 3 份"
    download = at.download_button(key="notice_batch_download")
    assert download.proto.label == "下载 板桥乡_致家长告知书.zip"
    made = media_file(media, download.proto.url)
    assert made.filename == "板桥乡_致家长告知书.zip"
    with zipfile.ZipFile(io.BytesIO(made.content)) as archive:
        assert archive.namelist() == BANQIAO_LETTERS
        assert all(archive.read(name).startswith(b"%PDF-") for name in BANQIAO_LETTERS)
    at.button_group(key="notice_batch_format").set_value("pdf")
    run_page(at)  # another choice: the file made for the last one is not offered for it
    assert not [b for b in at.download_button if b.key == "notice_batch_download"]


def test_a_staff_batch_of_signs_is_one_merged_pdf(app_settings, media):
    at = run_page(new_app(), NOTICES)
    at.button_group(key="notice_kind").set_value("site")
    run_page(at)
    at.selectbox(key="notice_batch_township").set_value("板桥乡")
    at.button_group(key="notice_batch_copy").set_value("staff")
    run_page(at)
    count = sum(s.township == "板桥乡" for s in sites(build_register(app_settings)))
    at.button(key="notice_batch_make").click()
    run_page(at)
    made = media_file(media, at.download_button(key="notice_batch_download").proto.url)
    assert made.filename == "板桥乡_警示告示.pdf" and made.content.startswith(b"%PDF-")
    assert f"共 {count} 份" in texts(at.caption)


def test_before_printing_the_page_says_what_is_missing(app_settings, monkeypatch):
    monkeypatch.delenv("SWMAP_APP_BASE_URL", raising=False)
    at = run_page(new_app(), NOTICES)
    at.button_group(key="notice_kind").set_value("site")
    run_page(at)
    warning = shown(at.warning[-1].value)  # the chosen sign's: its township's contact, no QR code
    assert "联系方式未填写" in warning and "的单位、联系人、电话" in warning
    assert "未设置应用网址：警示告示上不印二维码" in warning
    assert "（请在设置中填写）" in warning and "在“设置”页填写" in warning


def test_once_contacts_and_address_are_set_nothing_is_missing(app_settings, monkeypatch):
    monkeypatch.setenv("SWMAP_APP_BASE_URL", "https://swmap.example.cn")
    app_settings.data_dir.mkdir(parents=True, exist_ok=True)
    app_settings.notices_config_path.write_text(
        '[district]\nunit = "利通区教育局"\nperson = "李四"\nphone = "0953-2000000"\n'
        '[townships."板桥乡"]\nunit = "板桥乡人民政府"\nperson = "张三"\nphone = "0953-1000000"\n',
        encoding="utf-8")
    at = new_app()
    at.query_params["notice_site"] = "640302-S37-W47"  # 板桥波浪渠小学 · 波浪渠, in 板桥乡
    run_page(at, NOTICES)
    at.selectbox(key="notice_batch_township").set_value("板桥乡")
    run_page(at)
    assert not at.warning  # neither the sign nor 板桥乡's batch lacks anything
    at.selectbox(key="notice_batch_township").set_value("全部")
    run_page(at)
    (warning,) = at.warning  # the whole district's signs: the other townships' contacts are still unset
    assert warning.value.startswith("打印前请注意，这批文书还缺") and "联系方式未填写：" in warning.value
    assert "板桥乡" not in warning.value and "区教育局" not in warning.value and "二维码" not in warning.value


def test_contacts_stored_on_the_settings_page_count_as_filled_in(app_settings, monkeypatch):
    monkeypatch.setenv("SWMAP_APP_BASE_URL", "https://swmap.example.cn")
    parts = {"unit": "板桥乡人民政府", "person": "张三", "phone": "0953-1000000"}
    set_values(open_store(app_settings), {contact_key("板桥乡", part): value for part, value in parts.items()},
               actor="测试")
    at = new_app()
    at.query_params["notice_site"] = "640302-S37-W47"  # 板桥波浪渠小学 · 波浪渠, in 板桥乡
    run_page(at, NOTICES)
    at.selectbox(key="notice_batch_township").set_value("板桥乡")
    run_page(at)
    assert not at.warning  # the sign's and the batch's township contact come from the store
