"""Streamlit's own English in Chinese, without a browser (``tests/test_browser_chinese.py`` checks the pages):
every selectbox says its placeholder in Chinese, and ``app_pages/parts/zh_ui.js`` is sendable inline and
knows the texts issue 12 found."""

from __future__ import annotations

import ast
import re

import pytest

from app_pages.parts import zh_ui
from tests.helpers import REPO

FOUND_IN_ISSUE_12 = ("Page not found", "No results", "Choose an option", "Choose options", "Download as CSV",
                     "Search", "Fullscreen", "Show/hide columns", "Add row", "Delete row(s)", "Running...", "Stop")
CHOOSERS = {"selectbox", "multiselect"}


def _choosers_without_placeholder() -> list[str]:
    missing = []
    for path in sorted((REPO / "app_pages").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CHOOSERS
                    and not any(k.arg == "placeholder" for k in node.keywords)):
                missing.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return missing


def test_every_selectbox_has_a_chinese_placeholder():
    """Streamlit's default is "Choose an option" (shown in an empty box and while typing a search)."""
    assert _choosers_without_placeholder() == []


def test_the_script_can_be_sent_inline():
    assert "</" not in zh_ui.script()
    assert zh_ui.script().lstrip().startswith("/*")


@pytest.mark.parametrize("english", FOUND_IN_ISSUE_12)
def test_the_script_says_in_chinese_what_issue_12_found(english):
    translation = re.search(rf'"{re.escape(english)}": "([^"]+)"', zh_ui.script())
    assert translation is not None, english
    assert re.search(r"[\u4e00-\u9fff]", translation.group(1)), translation.group(1)
