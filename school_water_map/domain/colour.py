"""Colour arithmetic (pure): WCAG 2.x relative luminance and contrast ratio, and the readable text colour
on a given background. Used to check the risk levels' colours (``risk_rules.toml``) wherever they colour
text or carry text."""

from __future__ import annotations

import re

WHITE = "#ffffff"
BLACK = "#000000"
#: WCAG 2.x level AA for normal text.
AA_TEXT = 4.5
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def check_hex(value: object, *, what: str) -> str:
    """``value`` if it is a ``#rrggbb`` colour; otherwise a Chinese error naming ``what``."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValueError(f"{what}“{value}”不是 #rrggbb 形式的颜色")
    return value


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb`` (0 = black, 1 = white)."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 (none) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(background: str) -> str:
    """White or black, whichever reads better on ``background`` (a badge's text colour)."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(BLACK, background) else BLACK


def text_on_any(background: str, *, default: str = WHITE) -> str:
    """:func:`text_on` for a colour that may not be ``#rrggbb`` (then ``default``)."""
    return text_on(background) if _HEX.fullmatch(background) else default
