"""Printable notices: 致家长告知书 (per school), 危险水域警示告示 (per site), 乡镇巡查表 (per township).

Each is made in two steps: ``context`` builds a frozen dataclass from the register and the notice
configuration, and ``render`` turns it into PDF bytes (WeasyPrint, shipped Noto Sans SC font).
``school_water_map.pipeline.notices`` holds the calls the CLI and the app make (``school_pdf_bytes``,
``batch_pdf``, ``batch_zip`` …), ``render.preview_png`` the on-screen preview. The letter and the sign are
public copies; ``staff=True`` adds the 说明 as an appendix page for staff. Nothing heavy is imported
here, so ``swmap`` starts fast.
"""

from __future__ import annotations

#: Paper sizes offered for the site warning notice.
PAGE_SIZES = ("A4", "A3")
