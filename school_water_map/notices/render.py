"""Step two of every notice: a context rendered to PDF bytes with WeasyPrint and the shipped font.

``NoticeRenderer`` parses the stylesheet and loads the fonts once (reuse one per process: loading them
takes about a second); it lays each document out once, and ``merge`` writes a batch as one PDF with the
fonts subset once. It fills a Jinja template from the context and refuses any character
the shipped font cannot draw, since a missing glyph would silently print as an empty box. Templates
autoescape every value, and only ``data:`` URLs and the package's own files (fonts, templates) are
fetched: rendering never touches the network or any other file, whatever a name holds.
"""

from __future__ import annotations

import base64
import html
import io
import re
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import qrcode
import qrcode.constants
import qrcode.image.svg
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from school_water_map.domain.colour import BLACK, text_on_any
from school_water_map.errors import MissingGlyphError
from school_water_map.notices import PAGE_SIZES
from school_water_map.notices.context import SchoolLetter, SiteNotice, TownshipSheet
from school_water_map.notices.diagram import direction_svg
from school_water_map.notices.mapextract import map_svg
from school_water_map.notices.supervision import SupervisionNotice

PACKAGE_DIR = Path(__file__).resolve().parent
FONT_DIR = PACKAGE_DIR / "fonts"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
FONT_FAMILY = "SWM Noto Sans SC"
FONT_FILES = ((400, FONT_DIR / "NotoSansSC-Regular-uro.woff2"), (700, FONT_DIR / "NotoSansSC-Bold-uro.woff2"))
_BODY = re.compile(r"<body[^>]*>")
_TAG = re.compile(r"<[^>]*>")


class NoticeRenderer:
    """Renders notice contexts to PDF bytes; create once and reuse (fonts and CSS are parsed here).

    Each document is laid out once. ``*_document`` return the laid-out WeasyPrint document, and
    ``merge`` writes many of them as one PDF (the fonts subset and embedded once for the whole batch);
    ``school_letter`` … are the one-document shortcuts. ``staff=True`` appends the 说明 (rules, sources,
    precision) as a last page marked 内部资料; the public letter and sign print only the generation date.
    Safe to share between threads (the app's sessions): renders are serialised.
    """

    def __init__(self) -> None:
        self._fetcher = LocalFetcher()
        self._fonts = FontConfiguration()
        stylesheet = font_face_css() + (TEMPLATE_DIR / "notices.css").read_text(encoding="utf-8")
        self._css = CSS(string=stylesheet, font_config=self._fonts, url_fetcher=self._fetcher, base_url=str(FONT_DIR))
        self._cmap = font_coverage()
        self._env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                                       undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self._env.filters["light"] = is_light
        self._env.globals.update(direction_svg=direction_svg, map_svg=map_svg)
        self._lock = threading.RLock()  # one render at a time: the shared font configuration is not thread-safe

    def school_letter(self, letter: SchoolLetter, *, staff: bool = False) -> bytes:
        return self.merge([self.letter_document(letter, staff=staff)])

    def site_notice(self, notice: SiteNotice, *, size: str = "A4", staff: bool = False) -> bytes:
        return self.merge([self.site_document(notice, size=size, staff=staff)])

    def township_sheet(self, sheet: TownshipSheet) -> bytes:
        return self.merge([self.sheet_document(sheet)])

    def supervision_notice(self, notice: SupervisionNotice) -> bytes:
        """隐患整改督办通知单 (a staff document: it ends with the 说明)."""
        page = self._fill("supervision.html", title=f"隐患整改督办通知单 {notice.addressee}", c=notice, staff=True)
        return self.merge([self.html_document(page, document=f"{notice.addressee}的督办通知单")])

    def letter_document(self, letter: SchoolLetter, *, staff: bool = False) -> Document:
        page = self._fill("letter.html", title=f"{letter.school}致家长告知书", c=letter, staff=staff)
        return self.html_document(page, document=f"{letter.school}的致家长告知书")

    def site_document(self, notice: SiteNotice, *, size: str = "A4", staff: bool = False) -> Document:
        if size not in PAGE_SIZES:
            raise ValueError(f"纸张大小只能是 {'、'.join(PAGE_SIZES)}：“{size}”")
        qr = qr_data_uri(notice.url) if notice.url else None
        page = self._fill("site.html", title=f"危险水域警示告示 {notice.water}", c=notice, size=size, qr=qr,
                          staff=staff)
        return self.html_document(page, document=f"点位 {notice.site_id} 的警示告示")

    def sheet_document(self, sheet: TownshipSheet) -> Document:
        """A township's sheet: a staff document, so it always ends with the 说明."""
        page = self._fill("township.html", title=f"{sheet.township_label}危险水域巡查表", c=sheet, staff=True)
        return self.html_document(page, document=f"{sheet.township_label}的巡查表")

    def html_to_pdf(self, page: str, *, document: str = "文档") -> bytes:
        """Any HTML page with the notices' stylesheet and fonts (raises MissingGlyphError first)."""
        return self.merge([self.html_document(page, document=document)])

    def html_document(self, page: str, *, document: str = "文档") -> Document:
        """Any HTML page laid out (once) with the notices' stylesheet and fonts; MissingGlyphError first."""
        if missing := missing_glyphs(page, self._cmap):
            raise MissingGlyphError(missing, document=document)
        with self._lock:
            rendered = HTML(string=page, base_url=str(TEMPLATE_DIR), url_fetcher=self._fetcher).render(
                stylesheets=[self._css], font_config=self._fonts)
        assert isinstance(rendered, Document)
        return rendered

    def merge(self, documents: Sequence[Document]) -> bytes:
        """Laid-out documents as one PDF, in order (each keeps its own page numbers and 共 N 页).

        The metadata (title …) is the first document's; fonts are subset once for all pages.
        """
        if not documents:
            raise ValueError("没有可合并的文档")
        first = documents[0]
        whole = first if len(documents) == 1 else first.copy([page for doc in documents for page in doc.pages])
        with self._lock:
            pdf = whole.write_pdf()
        assert isinstance(pdf, bytes)
        return pdf

    def _fill(self, template: str, *, title: str, c: Any, **extra: Any) -> str:
        return self._env.get_template(template).render(title=title, author="school-water-map",
                                                       created=c.notes.generated_on.isoformat(), c=c, **extra)


class LocalFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """Fetches ``data:`` URLs and files inside the package; refuses everything else (a refusal stops the
    render: user text is autoescaped, so only a template could ask for another URL)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url[:5].lower() == "file:" and not is_package_file(url):
            raise ValueError(f"refused to fetch a file outside the package: {url}")
        return super().fetch(url, headers)


def is_package_file(url: str) -> bool:
    """Whether a ``file:`` URL names a file inside this package (its fonts and templates)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return False
    return Path(unquote(parts.path)).resolve().is_relative_to(PACKAGE_DIR)


@cache
def default_renderer() -> NoticeRenderer:
    """The process's renderer, created on first use (never at import)."""
    return NoticeRenderer()


def font_face_css() -> str:
    """@font-face rules binding the shipped files to the private family name."""
    return "".join(f"@font-face {{ font-family: '{FONT_FAMILY}'; src: url('{path.as_uri()}') format('woff2'); "
                   f"font-weight: {weight}; font-style: normal; }}\n" for weight, path in FONT_FILES)


@cache
def font_coverage() -> frozenset[int]:
    """Code points both shipped faces can draw."""
    sets = [frozenset(TTFont(str(path)).getBestCmap()) for _, path in FONT_FILES]
    return frozenset.intersection(*sets)


def missing_glyphs(page: str, coverage: frozenset[int]) -> str:
    """The characters of a page's visible text (body, SVG text included) that the font lacks, sorted."""
    match = _BODY.search(page)
    text = html.unescape(_TAG.sub("", page[match.end():] if match else page))
    return "".join(sorted({ch for ch in text if not ch.isspace() and ord(ch) not in coverage}))


def qr_data_uri(payload: str) -> str:
    """A QR code (error correction M) for ``payload`` as an SVG data URI."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def is_light(colour: str) -> bool:
    """True for a background on which black text reads better than white (WCAG contrast, as in the app)."""
    return text_on_any(colour) == BLACK


def preview_png(pdf: bytes, *, page: int = 1, dpi: int = 80) -> bytes:
    """A PNG of one page (1-based) of a PDF, for an on-screen preview (pypdfium2; no Debian package)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        if not 1 <= page <= len(document):
            raise ValueError(f"页码超出范围：第 {page} 页（共 {len(document)} 页）")
        bitmap = document[page - 1].render(scale=dpi / 72)
        buffer = io.BytesIO()
        bitmap.to_pil().save(buffer, format="PNG")
        return buffer.getvalue()
    finally:
        document.close()

