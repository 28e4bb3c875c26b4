"""Rendered notices: fonts embedded, text, page numbers, line breaking, QR codes, public and staff copies,
batches (merged PDF, ZIP), and every document generates."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from school_water_map.domain.sites import sites
from school_water_map.errors import MissingGlyphError
from school_water_map.notices import render as render_module
from school_water_map.notices.config import Contact, NoticeConfig
from school_water_map.notices.context import school_letter, site_notice, township_sheet, townships_for_sheets
from school_water_map.notices.render import NoticeRenderer, preview_png
from school_water_map.pipeline.notices import (
    batch_filename,
    batch_pdf,
    batch_zip,
    school_filename,
    school_pdf_bytes,
    site_pdf_bytes,
    write_all,
)
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from tests.conftest import REPO
from tests.notice_tools import empty_fontconfig, need_poppler, pdf_fonts, pdf_pages, pdf_text, run, squash

SHIPPED_FONTS = {"SWM-Noto-Sans-SC", "SWM-Noto-Sans-SC-Bold"}
TODAY = date(2026, 6, 1)
EXPECTED = REPO / "tests" / "expectations" / "notice_letter_板桥波浪渠小学.txt"
#: The engineers' 说明: on the staff copy and the township sheet, never on what parents or passers-by read.
NOTES_MARKERS = ("风险等级规则", "数据来源", "位置精度", "risk_rules.toml")
STAFF_HEADING = "附：说明（内部资料，不张贴、不发放）"
NO_LINE_START = set("。，、：；！？）》」』】”’…")
NO_LINE_END = set("（《「『【“‘")


@pytest.fixture(scope="module", autouse=True)
def _poppler() -> None:
    need_poppler()


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    return NoticeRenderer()


@pytest.fixture(scope="module")
def letter(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The done-when letter, made by the CLI on a machine whose fontconfig lists no font at all."""
    tmp = tmp_path_factory.mktemp("letter")
    env = {**empty_fontconfig(tmp), "SWMAP_DATA_DIR": str(tmp / "data")}
    if shutil.which("fc-list"):
        assert run("fc-list", env=env).strip() == "", "the test fontconfig should list no font"
    out = tmp / "x.pdf"
    command = [sys.executable, "-m", "school_water_map", "notice", "school", "板桥波浪渠小学", "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "已生成" in result.stdout
    return out, env


def _write(tmp_path: Path, pdf: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def assert_only_shipped_fonts(pdf: Path) -> None:
    rows = pdf_fonts(pdf)
    assert rows, "no font in the PDF"
    assert {row[0].split("+")[-1] for row in rows} == SHIPPED_FONTS
    assert all(row[-5] == "yes" for row in rows), rows  # the emb column


def test_letter_embeds_only_the_shipped_fonts(letter):
    assert_only_shipped_fonts(letter[0])


def test_letter_names_the_school_the_annex_water_and_distance(letter):
    text = pdf_text(letter[0])
    assert "板桥波浪渠小学" in text
    assert "波浪渠灌溉渠" in text
    assert "10 米" in text
    assert "\ufffd" not in text


def test_letter_text_follows_the_kept_expectation(letter):
    flat = squash(pdf_text(letter[0]))
    position = 0
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        found = flat.find(squash(line), position)
        assert found >= 0, f"expected, in order: {line!r} (after position {position})"
        position = found + len(squash(line))


def test_the_printed_letter_carries_no_engineers_notes(letter):
    flat = squash(pdf_text(letter[0]))
    assert not [marker for marker in NOTES_MARKERS if marker in flat]
    assert "生成日期：" in flat and "回执" in flat and "联系方式" in flat


def test_letter_has_page_numbers_on_every_page(letter):
    pages, size = pdf_pages(letter[0])
    assert "A4" in size
    flat = squash(pdf_text(letter[0]))
    assert all(f"第{n}页/共{pages}页" in flat for n in range(1, pages + 1))


def test_letter_renders_to_a_readable_page_without_any_system_font(letter, tmp_path):
    pdf, env = letter
    result = subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
                            capture_output=True, text=True, env=env, timeout=120, check=True)
    assert "font" not in result.stderr.lower()
    (png,) = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    assert abs(image.width - 661) <= 1 and abs(image.height - 935) <= 1  # A4 at 80 dpi
    dark = sum(image.histogram()[:128]) / (image.width * image.height)
    assert 0.01 < dark < 0.3  # text and drawing, neither blank nor a black page


def test_no_closing_punctuation_starts_a_line(renderer, tmp_path):
    # 20 characters per line: without the line-breaking rules each mark would fall at the start of line 2.
    base = "一二三四五六七八九十一二三四五六七八九十"
    paragraphs = [base + mark + "后面的文字用于换行测试，再多写一些文字。" for mark in "，。、：；！？）》”"]
    paragraphs += [base[:-1] + "“引号开头不应留在行尾”测试。", base[:-1] + "《书名开头不应留在行尾》测试。"]
    body = "".join(f'<p style="width: 20.02em; margin: 0 0 3mm 0">{p}</p>' for p in paragraphs)
    pdf = _write(tmp_path, renderer.html_to_pdf(f"<html><body>{body}</body></html>"))
    lines = [line.strip() for line in pdf_text(pdf, layout=True).splitlines() if line.strip()]
    assert len(lines) >= 2 * len(paragraphs)  # every paragraph did wrap
    assert not [line for line in lines if line[0] in NO_LINE_START]
    assert not [line for line in lines if line[-1] in NO_LINE_END]


def test_a_character_outside_the_font_is_refused(renderer):
    with pytest.raises(MissingGlyphError) as caught:
        renderer.html_to_pdf("<html><body><p>危险水域𠀀</p></body></html>", document="测试文档")
    assert "U+20000" in str(caught.value)
    assert caught.value.characters == "𠀀"


def test_a_character_outside_the_font_in_the_data_is_refused(register, renderer):
    config = NoticeConfig(townships={"板桥乡": Contact(unit="板桥乡人民政府", person="张𠀀", phone="0953-1")})
    letter = school_letter(register, config, "板桥波浪渠小学", today=TODAY)
    with pytest.raises(MissingGlyphError, match="板桥波浪渠小学"):
        renderer.school_letter(letter)


def test_unconfigured_contacts_print_placeholders_and_configured_ones_print_values(register, renderer, tmp_path):
    blank = school_letter(register, NoticeConfig(), "板桥波浪渠小学", today=TODAY)
    text = squash(pdf_text(_write(tmp_path, renderer.school_letter(blank), "blank.pdf")))
    assert text.count("（请在设置中填写）") >= 4
    config = NoticeConfig(townships={"板桥乡": Contact(unit="板桥乡人民政府", person="马某某", phone="0953-5551234")},
                          school_phones={"640302-S37": "0953-5550000"})
    filled = school_letter(register, config, "板桥波浪渠小学", today=TODAY)
    text = squash(pdf_text(_write(tmp_path, renderer.school_letter(filled), "filled.pdf")))
    assert "板桥乡人民政府" in text and "马某某" in text and "0953-5551234" in text and "0953-5550000" in text
    assert "（请在设置中填写）" not in text


@pytest.mark.parametrize("kind", ["letter", "site"])
def test_public_copies_leave_the_notes_to_the_staff_copys_appendix(register, renderer, tmp_path, kind):
    if kind == "letter":
        context = school_letter(register, NoticeConfig(), "板桥波浪渠小学", today=TODAY)
        public, staff = renderer.school_letter(context), renderer.school_letter(context, staff=True)
    else:
        context = site_notice(register, NoticeConfig(), "640302-S37-W47", today=TODAY, base_url="http://x")
        public, staff = renderer.site_notice(context), renderer.site_notice(context, staff=True)
    public_pdf, staff_pdf = _write(tmp_path, public, "public.pdf"), _write(tmp_path, staff, "staff.pdf")
    public_text, staff_text = squash(pdf_text(public_pdf)), squash(pdf_text(staff_pdf))
    assert not [marker for marker in NOTES_MARKERS if marker in public_text]
    assert "生成日期：2026年6月1日" in public_text and "板桥波浪渠小学" in public_text
    assert all(marker in staff_text for marker in NOTES_MARKERS)
    assert STAFF_HEADING in staff_text and STAFF_HEADING not in public_text
    public_pages, staff_pages = pdf_pages(public_pdf)[0], pdf_pages(staff_pdf)[0]
    assert staff_pages == public_pages + 1  # the 说明 is a page of its own, to keep back before printing
    last_page = squash(run("pdftotext", "-f", str(staff_pages), "-l", str(staff_pages), staff_pdf, "-"))
    assert STAFF_HEADING in last_page and "风险等级规则" in last_page


def test_site_notice_qr_opens_the_sites_page(register, renderer, tmp_path, monkeypatch):
    base = "https://swmap.example.cn/app"
    notice = site_notice(register, NoticeConfig(), "640302-S37-W47", today=TODAY, base_url=base)
    expected = f"{base}/?site=640302-S37-W47"
    assert notice.url == expected
    encoded: list[str] = []
    real = render_module.qr_data_uri
    monkeypatch.setattr(render_module, "qr_data_uri", lambda payload: encoded.append(payload) or real(payload))
    pdf = renderer.site_notice(notice, size="A4")
    assert encoded == [expected]
    try:
        import zxingcpp
    except ImportError:  # no decoder installed: the payload handed to qrcode was checked above
        return
    image = Image.open(BytesIO(preview_png(pdf, dpi=150)))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [expected]


def test_site_notice_without_a_base_url_says_so_and_has_no_qr(register, renderer, tmp_path, monkeypatch):
    notice = site_notice(register, NoticeConfig(), "640302-S37-W47", today=TODAY, base_url="")
    assert notice.url is None
    monkeypatch.setattr(render_module, "qr_data_uri", lambda payload: pytest.fail(f"QR made for {payload}"))
    pdf = _write(tmp_path, renderer.site_notice(notice))
    text = squash(pdf_text(pdf))
    assert "未设置应用网址" in text
    assert "危险水域" in text and "禁止游泳戏水" in text and "板桥波浪渠小学" in text


@pytest.mark.parametrize(("size", "points"), [("A4", "595.276 x 841.89"), ("A3", "841.89 x 1190.55")])
def test_site_notice_fits_one_page_of_either_size(register, tmp_path, size, points):
    settings = replace(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}), app_base_url="http://192.168.1.5:8501")
    pdf = _write(tmp_path, site_pdf_bytes(settings, "640302-S08-W07", size=size, register=register))
    pages, page_size = pdf_pages(pdf)
    assert (pages, page_size.split(" pts")[0]) == (1, points)
    assert_only_shipped_fonts(pdf)
    assert "危险水域" in squash(pdf_text(pdf))


def test_township_sheet_is_landscape_with_the_checklist_columns(register, renderer, tmp_path):
    sheet = township_sheet(register, NoticeConfig(), "扁担沟镇", today=TODAY)
    pdf = _write(tmp_path, renderer.township_sheet(sheet))
    pages, size = pdf_pages(pdf)
    assert size.startswith("841.89 x 595.276")
    flat = squash(pdf_text(pdf))
    columns = ("警示标牌", "隔离带/防护栏", "救生杆/绳/圈", "水情", "发现未成年人及劝阻", "问题及处理", "巡查人/时间")
    assert all(column in flat for column in columns)
    assert "☐" not in flat
    assert all(f"第{n}页/共{pages}页" in flat for n in range(1, pages + 1))
    assert all(marker in flat for marker in NOTES_MARKERS)  # the sheet is for staff: it keeps the 说明
    assert_only_shipped_fonts(pdf)


def test_sheet_for_schools_whose_township_is_unconfirmed_is_marked(register, renderer, tmp_path):
    sheet = township_sheet(register, NoticeConfig(), "待确认", today=TODAY)
    flat = squash(pdf_text(_write(tmp_path, renderer.township_sheet(sheet))))
    assert "危险水域巡查表（乡镇待确认）" in flat
    assert "乡镇待确认：以下学校的属地乡镇尚未确认" in flat
    assert "利通区黄沙窝学校" in flat


def test_sheet_prints_filled_inspections_through_its_extension_point(register, renderer, tmp_path):
    from school_water_map.notices.context import SheetEntry

    first = next(s for s in sites(register) if s.township == "板桥乡")
    entry = SheetEntry(when="6月2日 9:30", inspector="巡查员甲", answers={"warning_sign": "missing"},
                       problems="无警示牌，已上报乡政府")
    sheet = township_sheet(register, NoticeConfig(), "板桥乡", today=TODAY, inspections={first.site_id: [entry]},
                           period=(date(2026, 6, 1), date(2026, 6, 7)))
    flat = squash(pdf_text(_write(tmp_path, renderer.township_sheet(sheet))))
    assert "板桥乡危险水域巡查记录（2026年6月1日至2026年6月7日）" in flat
    assert "巡查员甲" in flat and "无警示牌，已上报乡政府" in flat


def test_preview_is_a_png_of_the_first_page(register, tmp_path):
    pdf = school_pdf_bytes(Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}), "640302-S01", register=register)
    png = preview_png(pdf, dpi=80)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = Image.open(BytesIO(png)).size
    assert abs(width - 661) <= 1 and abs(height - 935) <= 1
    with pytest.raises(ValueError, match="页码超出范围"):
        preview_png(pdf, page=9)


def _schools_of(register, township: str) -> list[str]:
    return [i for i in register.schools.index if register.resolution.school(i).township == township]


def test_a_townships_letters_merge_into_one_pdf_with_a_progress_count(register, tmp_path):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})
    schools = _schools_of(register, "板桥乡")
    assert len(schools) >= 2
    seen: list[tuple[int, int]] = []
    pdf = _write(tmp_path, batch_pdf(settings, "letter", "板桥乡", register=register, today=TODAY,
                                     progress=lambda done, total: seen.append((done, total))), "merged.pdf")
    assert seen == [(n, len(schools)) for n in range(1, len(schools) + 1)]
    flat = squash(pdf_text(pdf))
    assert flat.count("回执") == flat.count("尊敬的家长：") == len(schools)  # one letter per school
    assert flat.count("第1页/共") == len(schools)  # each letter keeps its own page numbers
    names = [register.resolution.school(i).name for i in schools]
    assert [flat.find(f"《{name}致家长告知书》") >= 0 for name in names] == [True] * len(schools)
    assert not [marker for marker in NOTES_MARKERS if marker in flat]
    assert_only_shipped_fonts(pdf)
    assert batch_filename("letter", "板桥") == "板桥乡_致家长告知书.pdf"


def test_a_townships_letters_as_a_zip_hold_one_pdf_per_school_under_chinese_names(register, tmp_path):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})
    schools = _schools_of(register, "板桥乡")
    archive = zipfile.ZipFile(BytesIO(batch_zip(settings, "letter", "板桥", register=register, today=TODAY)))
    assert archive.namelist() == [school_filename(register, i) for i in schools]
    assert "640302-S37_板桥波浪渠小学_致家长告知书.pdf" in archive.namelist()
    assert all(info.flag_bits & 0x800 for info in archive.infolist())  # names marked UTF-8 for unzip tools
    one = _write(tmp_path, archive.read("640302-S37_板桥波浪渠小学_致家长告知书.pdf"), "one.pdf")
    assert "板桥波浪渠小学周边危险水域告知" in squash(pdf_text(one))


def test_a_townships_sheet_batch_and_an_unknown_kind(register, tmp_path):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})
    archive = zipfile.ZipFile(BytesIO(batch_zip(settings, "township", "板桥", register=register, today=TODAY)))
    assert archive.namelist() == ["板桥乡_巡查表.pdf"]
    with pytest.raises(ValueError, match="批量打印只能是"):
        batch_pdf(settings, "poster", register=register)  # type: ignore[arg-type]


def test_every_letter_site_notice_and_township_sheet_generates(tmp_path):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "data")})
    register = build_register(settings)
    written = write_all(settings, tmp_path / "out", size="A3", today=TODAY)
    kinds = [w.kind for w in written]
    assert kinds.count("letter") == len(register.schools) == 40
    assert kinds.count("site") == len(sites(register)) == 88
    assert kinds.count("township") == len(townships_for_sheets(register))
    assert all(w.path.read_bytes()[:5] == b"%PDF-" and w.size > 10_000 for w in written)
    assert (tmp_path / "out" / "townships" / "乡镇待确认_巡查表.pdf").exists()
