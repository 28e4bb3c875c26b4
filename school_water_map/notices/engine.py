"""Whether the PDF engine can start. WeasyPrint draws with the system's Pango, HarfBuzz and fontconfig
(README "Set up and go" names the packages); without them its import raises OSError (``cannot load
library …``). ``engine_problem()`` says so in Chinese, for the 告知书 page and ``swmap notice``, instead
of a traceback.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

#: What a person reads when the system libraries are missing.
LIBRARIES_MISSING = ("无法生成 PDF：本机缺少 Pango 等系统库（WeasyPrint 需要 Pango、HarfBuzz 和 fontconfig），"
                     "请按 README“Set up and go”一节安装后重新启动")


def engine_problem() -> str | None:
    """None when WeasyPrint loads; else the Chinese reason (the system's own message goes to the log)."""
    try:
        import weasyprint  # noqa: F401  (the import is the check: it loads Pango through cffi)
    except OSError as exc:
        log.warning("WeasyPrint cannot load its system libraries: %s", exc)
        return LIBRARIES_MISSING
    return None
