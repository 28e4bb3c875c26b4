"""``app_pages/`` holds exactly the pages ``app.py`` registers; what they share is in ``app_pages/parts``."""

from __future__ import annotations

import ast

from tests.conftest import REPO


def test_app_pages_holds_only_the_registered_pages():
    state = ast.parse((REPO / "app_pages" / "parts" / "state.py").read_text(encoding="utf-8"))
    pages = {node.value.value for node in ast.walk(state) if isinstance(node, ast.Assign)
             and isinstance(node.value, ast.Constant) and any(isinstance(t, ast.Name) and t.id.startswith("PAGE_")
                                                              for t in node.targets)}
    app = (REPO / "app.py").read_text(encoding="utf-8")
    registered = {page for page in pages if f"state.{_name(state, page)}" in app}
    files = {f"app_pages/{p.name}" for p in (REPO / "app_pages").glob("*.py") if p.name != "__init__.py"}
    assert files == registered == pages


def _name(tree: ast.Module, value: str) -> str:
    return next(t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant) and node.value.value == value
                for t in node.targets if isinstance(t, ast.Name))
