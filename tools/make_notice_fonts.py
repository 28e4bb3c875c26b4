"""Re-create the notices' shipped fonts: Noto Sans CJK SC, subset, as WOFF2.

Source: Debian ``fonts-noto-cjk`` (1:20220127+repack1-1, Noto Sans CJK 2.004), the ``.ttc`` collections'
face index 2 (SC). Kept: all of U+4E00–9FFF (CJK Unified Ideographs) plus GB 2312, ASCII, Latin-1,
general punctuation, letterlike symbols, arrows, circled numbers, box drawing, geometric shapes, CJK
punctuation and full-width forms; every OpenType layout feature is kept (``locl``, ``vert``, ``palt``…).

    apt-get install fonts-noto-cjk && pip install fonttools brotli
    python tools/make_notice_fonts.py            # writes school_water_map/notices/fonts/*.woff2 (~2 min)

Licence: SIL Open Font License 1.1 (school_water_map/notices/fonts/OFL.txt). Never use split-font
(fontsource) files instead: their glyphs do not match their cmap.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCES = {"Regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
           "Bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")}
SC_INDEX = 2  # face order in the collection: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
OUT_DIR = Path(__file__).resolve().parent.parent / "school_water_map" / "notices" / "fonts"

BASE_RANGES = ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2600),
               (0x3000, 0x3040), (0xFE30, 0xFE50), (0xFF00, 0xFFF0))


def gb2312() -> set[int]:
    out = set()
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                out.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return out


def wanted() -> set[int]:
    base = {cp for lo, hi in BASE_RANGES for cp in range(lo, hi)} | {0x2610, 0x2611, 0x2612, 0x2713, 0x2714}
    return set(range(0x4E00, 0xA000)) | gb2312() | base


def build(weight: str, out_dir: Path) -> Path:
    font = TTCollection(str(SOURCES[weight])).fonts[SC_INDEX]
    cmap = font.getBestCmap()
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = True
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[cp for cp in wanted() if cp in cmap])
    subsetter.subset(font)
    path = out_dir / f"NotoSansSC-{weight}-uro.woff2"
    font.flavor = "woff2"
    font.save(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    for weight in SOURCES:
        start = time.perf_counter()
        path = build(weight, args.out)
        print(f"{path}: {path.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
