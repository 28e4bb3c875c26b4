"""Printable notices: 致家长告知书 (per school), 危险水域警示告示 (per site), 乡镇巡查表 (per township).

Each is made in two steps: ``context`` builds a frozen dataclass from the register and the notice
configuration, and ``render`` turns it into PDF bytes (WeasyPrint, shipped Noto Sans SC font).
``documents`` holds the calls the CLI and the app make (``school_pdf_bytes`` …), ``render.preview_png``
the on-screen preview. Nothing heavy is imported here, so ``swmap`` starts fast.
"""

from __future__ import annotations

#: Paper sizes offered for the site warning notice.
PAGE_SIZES = ("A4", "A3")
