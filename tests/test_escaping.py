"""Output encoding: hostile text from people and files reaches the map's HTML/JavaScript, the app's
Markdown and the printed notices only as text (issue 9, items 1 and 4)."""

from __future__ import annotations

import html
import http.server
import re
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import folium
import pytest

from school_water_map.domain.register import Register
from school_water_map.geo.layers import load_context
from school_water_map.outputs.html_text import html_text
from school_water_map.outputs.mapping import MapView, build_map, candidate_layer, pending_layer
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from tests.hostile import ALL, HOSTILE, Seeded, seed_open

#: Markers of a hostile string that became live HTML or JavaScript in the map's page.
LIVE = ("<script>window", "<img src=x", "<svg onload", "${", "\\`", "</script><script>alert")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Seeded, Register]:
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path_factory.mktemp("hostile") / "data")})
    seeded = seed_open(settings)
    return settings, seeded, build_register(settings)


@pytest.mark.parametrize("text", HOSTILE)
def test_html_text_leaves_nothing_active_and_reads_back_as_the_text(text):
    escaped = html_text(text)
    assert not set(escaped) & set("<>\"'`$\\")
    assert html.unescape(escaped) == text


def test_html_text_of_a_non_string():
    assert html_text(3.5) == "3.5"
    assert html_text(None) == "None"


def _page(fmap: folium.Map) -> str:
    return fmap.get_root().render()


def test_the_map_holds_every_hostile_name_source_and_note_as_text_only(seeded):
    settings, seeded_ids, register = seeded
    fmap = build_map(register, load_context(settings.geodata_dir), view=MapView(notice_url="/notices"))
    page = _page(fmap)
    for marker in LIVE:
        assert marker not in page, marker
    # and each is still there, as text: the hostile school's tooltip and popup, a source, a note
    school = str(register.schools.at[seeded_ids.school_id, "name"])
    assert html_text(school) in page
    assert html_text(str(register.schools.at[seeded_ids.school_id, "source"])) in page
    assert html_text(HOSTILE[2]) in page  # row 83's water name and 板桥波浪渠小学's source


def test_tooltips_are_escaped_text(seeded):
    settings, seeded_ids, register = seeded
    page = _page(build_map(register, load_context(settings.geodata_dir)))
    tooltips = re.findall(r"bindTooltip\(\s*`<div>\s*(.*?)\s*</div>`", page, flags=re.S)
    shown = [html.unescape(t) for t in tooltips]
    school = str(register.schools.at[seeded_ids.school_id, "name"])
    assert any(t.startswith(school) for t in shown)  # the exact name, shown as text
    assert not [t for t in tooltips if set(t) & set("<>`$\\")]


def test_candidate_and_pending_markers_escape_their_text():
    fmap = folium.Map()
    candidate_layer([(106.2, 37.98, text) for text in HOSTILE], label=HOSTILE[0]).add_to(fmap)
    pending_layer(106.2, 37.98, label=ALL).add_to(fmap)
    page = _page(fmap)
    for marker in LIVE:
        assert marker not in page, marker
    assert html_text(HOSTILE[1]) in page


# --- printed notices: autoescaped templates, and a fetcher that reaches nothing outside the package ---

@pytest.fixture
def local_http():
    """A 127.0.0.1 HTTP server that records every request (nothing may reach it)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_the_notice_fetcher_refuses_the_network_and_files_outside_the_package(local_http):
    from weasyprint.urls import FatalURLFetchingError

    from school_water_map.notices.render import FONT_FILES, LocalFetcher, NoticeRenderer, is_package_file

    base, hits = local_http
    assert is_package_file(FONT_FILES[0][1].as_uri())
    assert not is_package_file(Path("/etc/hostname").as_uri())
    assert not is_package_file("file://10.0.0.1/share/x.png")
    with pytest.raises(ValueError, match="outside the package"):
        LocalFetcher().fetch(Path("/etc/hostname").as_uri())
    renderer = NoticeRenderer()
    for src in (f"{base}/remote.png", Path("/etc/hostname").as_uri()):
        with pytest.raises(FatalURLFetchingError):
            renderer.html_to_pdf(f'<html><body><p>说明</p><img src="{src}"></body></html>')
    assert hits == []


def test_hostile_names_print_as_text_and_fetch_nothing(seeded, local_http):
    import pypdfium2

    from school_water_map.notices.context import school_letter
    from school_water_map.notices.render import NoticeRenderer
    from school_water_map.pipeline.notices import load_config, site_pdf_bytes

    settings, seeded_ids, register = seeded
    base, hits = local_http
    letter = school_letter(register, load_config(settings), seeded_ids.school_id, today=date(2026, 6, 1))
    assert HOSTILE[1] in letter.school  # the applied annex's hostile name reached the letter
    remote = f'<img src="{base}/name.png"><link rel="stylesheet" href="{base}/s.css">'
    renderer = NoticeRenderer()
    for pdf in (renderer.school_letter(replace(letter, school=letter.school + remote)),
                site_pdf_bytes(settings, seeded_ids.site_id, register=register, renderer=renderer)):
        document = pypdfium2.PdfDocument(pdf)
        text = "".join(page.get_textpage().get_text_range() for page in document)
        document.close()
        assert "onerror" in text or "window.__xss" in text  # printed as text
    assert f'<imgsrc="{base}/name.png">' in text_of_first(renderer, letter, remote)  # (spaces dropped)
    assert hits == []


def text_of_first(renderer, letter, remote: str) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(renderer.school_letter(replace(letter, school=letter.school + remote)))
    try:
        return "".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()


# --- the app's Markdown: user text shown as typed ---

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@pytest.mark.parametrize("text", [*HOSTILE, "第1行\n# 标题\n- 列表\n1. 编号", "a\\b", "  \n"])
def test_md_escapes_every_markdown_character_and_keeps_the_text(text):
    from app_pages.parts.md_text import md

    escaped = md(text)
    # no ASCII punctuation left unescaped: nothing for Markdown, a Streamlit directive or LaTeX to act on
    assert not re.search(r"[!-/:-@\[-`{-~]", _UNESCAPE.sub("", escaped))
    assert _UNESCAPE.sub(r"\1", escaped).replace("  \n", "\n").replace("\u2060", "") == text


def test_md_breaks_links_images_and_autolinks():
    from app_pages.parts.md_text import md

    assert md("[点此](http://127.0.0.2:9/x)") == "\\[点此\\]\\(http\u2060\\:\\/\\/127\\.0\\.0\\.2\\:9\\/x\\)"
    assert md("![x](y)").startswith(r"\!\[")
    # GFM links bare addresses in the parsed text (after escapes): a word joiner stops each pattern
    for address in ("http://127.0.0.2:9/bare", "HTTPS://x.cn", "www.example.com", "a@example.com"):
        plain = _UNESCAPE.sub(r"\1", md(address))
        assert not re.search(r"(?i)https?://|www\.|[\w.+-]@", plain), plain
    assert md("第一行\n第二行") == "第一行  \n第二行"  # a person's line break stays a break
