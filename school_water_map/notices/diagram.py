"""The letter's direction diagram: the school at the centre, each water at its reported direction and distance.

A schematic, not a map (it needs no coordinates): rings at 200 m, 1 km and 3 km, and a square-root radial
scale so that 10 m and 3 km are both readable (``radius``). A water with no direction is a dashed ring at
its distance; 南北 gives two marks; a range (最近…最远) is a segment or a band; beyond 3 km a mark sits at
the edge with an arrow; an unknown distance is not drawn (the letter lists it as 距离待核查).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from school_water_map.domain.colour import text_on_any

FONT_FAMILY = "SWM Noto Sans SC"
RINGS_M = ((200.0, "200 米"), (1000.0, "1 公里"), (3000.0, "3 公里"))
OUTER_M = 3000.0
SIZE = 300.0                 # SVG user units (the viewBox is SIZE × SIZE)
CENTRE = SIZE / 2
OUTER_R = 104.0              # radius of the 3 km ring
INNER_R = 9.0                # radius of 0 m: the edge of the school symbol
BADGE_R = 7.0
COMPASS_LABELS = (("北", 0.0), ("东", 90.0), ("南", 180.0), ("西", 270.0))
# Where ring marks put their number: between the compass points, so no direction mark is hidden.
_RING_LABEL_AZIMUTHS = (67.5, 292.5, 112.5, 247.5, 22.5, 337.5, 157.5, 202.5)
_SCALE_LABEL_AZIMUTH = 135.0


@dataclass(frozen=True)
class DiagramMark:
    """One water on the diagram (the context's view; no geometry)."""

    number: int
    azimuths: tuple[float, ...]     # degrees clockwise from north; () = no direction reported
    distance_m: float | None        # None = unknown: not drawn
    distance_max_m: float | None
    colour: str


def radius(distance_m: float) -> float:
    """Radius in SVG units for a distance: square-root scale from the school's edge to the 3 km ring."""
    clipped = min(max(distance_m, 0.0), OUTER_M)
    return INNER_R + (OUTER_R - INNER_R) * math.sqrt(clipped / OUTER_M)


def position(azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    """SVG x, y of a mark (y grows downward, north is up)."""
    r = radius(distance_m)
    angle = math.radians(azimuth_deg)
    return CENTRE + r * math.sin(angle), CENTRE - r * math.cos(angle)


def direction_svg(marks: Sequence[DiagramMark], *, width_mm: float = 78.0) -> str:
    """The diagram as an inline SVG element."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="direction-diagram" viewBox="0 0 {SIZE:g} {SIZE:g}" '
             f'width="{width_mm:g}mm" height="{width_mm:g}mm" font-family="{FONT_FAMILY}">']
    parts += _background()
    ring_counts: dict[int, int] = {}
    ring_index = 0
    placed: list[tuple[float, float]] = []  # badges drawn so far, to keep them apart
    for mark in marks:
        if mark.distance_m is None:
            continue
        if mark.azimuths:
            parts += _point_mark(mark, placed)
        else:
            offset = ring_counts.get(round(radius(mark.distance_m)), 0)
            ring_counts[round(radius(mark.distance_m))] = offset + 1
            parts += _ring_mark(mark, label_azimuth=_RING_LABEL_AZIMUTHS[ring_index % len(_RING_LABEL_AZIMUTHS)],
                                nudge=1.8 * offset, placed=placed)
            ring_index += 1
    parts += _school()
    parts.append("</svg>")
    return "".join(parts)


def _background() -> list[str]:
    out = [f'<circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="{OUTER_R + 16:g}" fill="#ffffff" stroke="none"/>',
           f'<line x1="{CENTRE:g}" y1="{CENTRE - OUTER_R - 8:g}" x2="{CENTRE:g}" y2="{CENTRE + OUTER_R + 8:g}" '
           'stroke="#9a9a9a" stroke-width="0.6"/>',
           f'<line x1="{CENTRE - OUTER_R - 8:g}" y1="{CENTRE:g}" x2="{CENTRE + OUTER_R + 8:g}" y2="{CENTRE:g}" '
           'stroke="#9a9a9a" stroke-width="0.6"/>']
    for metres, label in RINGS_M:
        r = radius(metres)
        out.append(f'<circle class="scale-ring" data-m="{metres:g}" cx="{CENTRE:g}" cy="{CENTRE:g}" r="{r:.2f}" '
                   'fill="none" stroke="#555555" stroke-width="0.8"/>')
        angle = math.radians(_SCALE_LABEL_AZIMUTH)
        x, y = CENTRE + r * math.sin(angle), CENTRE - r * math.cos(angle)
        out.append(f'<text x="{x + 2:.1f}" y="{y + 9:.1f}" font-size="8.5" fill="#444444">{label}</text>')
    for label, azimuth in COMPASS_LABELS:
        angle = math.radians(azimuth)
        r = OUTER_R + 32
        x, y = CENTRE + r * math.sin(angle), CENTRE - r * math.cos(angle) + 6
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="17" font-weight="bold" text-anchor="middle" '
                   f'fill="#000000">{label}</text>')
    return out


def _school() -> list[str]:
    return [f'<rect class="school" x="{CENTRE - INNER_R + 2:g}" y="{CENTRE - INNER_R + 2:g}" '
            f'width="{2 * INNER_R - 4:g}" height="{2 * INNER_R - 4:g}" fill="#0b4f9c"/>',
            f'<text x="{CENTRE - INNER_R - 2:g}" y="{CENTRE - INNER_R - 2:g}" font-size="9" font-weight="bold" '
            'text-anchor="end" fill="#0b4f9c">学校</text>']


def _point_mark(mark: DiagramMark, placed: list[tuple[float, float]]) -> list[str]:
    assert mark.distance_m is not None
    out = []
    for azimuth in mark.azimuths:
        attrs = f'class="mark" data-number="{mark.number}" data-azimuth="{azimuth:g}" data-m="{mark.distance_m:g}"'
        out.append(f"<g {attrs}>")
        if mark.distance_max_m is not None and mark.distance_max_m > mark.distance_m:
            x1, y1 = position(azimuth, mark.distance_m)
            x2, y2 = position(azimuth, mark.distance_max_m)
            out.append(f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" stroke="{_c(mark.colour)}" '
                       'stroke-width="4" stroke-linecap="round" opacity="0.6"/>')
        beyond = mark.distance_m > OUTER_M
        if beyond:
            out += _arrow(azimuth, mark.colour, mark.distance_m)
        x, y = position(azimuth, mark.distance_m)
        bx, by = _free_spot(x, y, azimuth, placed)
        if (bx, by) != (x, y):  # moved aside: a dot at the true place and a leader to the number
            out.append(f'<line x1="{x:.2f}" y1="{y:.2f}" x2="{bx:.2f}" y2="{by:.2f}" stroke="{_c(mark.colour)}" '
                       'stroke-width="1"/>')
            out.append(f'<circle class="spot" cx="{x:.2f}" cy="{y:.2f}" r="2.6" fill="{_c(mark.colour)}"/>')
        out += _badge(bx, by, mark.number, mark.colour)
        placed.append((bx, by))
        out.append("</g>")
    return out


def _ring_mark(mark: DiagramMark, *, label_azimuth: float, nudge: float,
               placed: list[tuple[float, float]]) -> list[str]:
    assert mark.distance_m is not None
    beyond = mark.distance_m > OUTER_M
    r = (OUTER_R + 7 if beyond else radius(mark.distance_m)) + nudge
    colour = _c(mark.colour)
    out = [f'<g class="ring-mark" data-number="{mark.number}" data-m="{mark.distance_m:g}">']
    if mark.distance_max_m is not None and mark.distance_max_m > mark.distance_m:
        r2 = radius(mark.distance_max_m) + nudge
        out.append(f'<path d="{_annulus(r, r2)}" fill="{colour}" fill-opacity="0.15" fill-rule="evenodd" '
                   f'stroke="{colour}" stroke-width="1.2" stroke-dasharray="4 3"/>')
    else:
        out.append(f'<circle class="ring" cx="{CENTRE:g}" cy="{CENTRE:g}" r="{r:.2f}" fill="none" stroke="{colour}" '
                   'stroke-width="1.8" stroke-dasharray="5 3"/>')
    azimuth = next((a for a in (label_azimuth + k * 11.25 for k in (0, 1, -1, 2, -2, 3, -3))
                    if _clear(*_on_ring(r, a), placed)), label_azimuth)
    x, y = _on_ring(r, azimuth)
    out += _badge(x, y, mark.number, mark.colour)
    placed.append((x, y))
    out.append("</g>")
    return out


def _free_spot(x: float, y: float, azimuth: float, placed: list[tuple[float, float]]) -> tuple[float, float]:
    """The true spot if no badge is there, else the nearest free one sideways (tangential to the ring)."""
    angle = math.radians(azimuth)
    tx, ty = math.cos(angle), math.sin(angle)
    for step in (0, 1, -1, 2, -2, 3, -3):
        spot = (x + step * (2 * BADGE_R + 2) * tx, y + step * (2 * BADGE_R + 2) * ty)
        if _clear(*spot, placed):
            return spot
    return x, y


def _clear(x: float, y: float, placed: list[tuple[float, float]]) -> bool:
    return all(math.hypot(x - px, y - py) >= 2 * BADGE_R + 1 for px, py in placed)


def _on_ring(r: float, azimuth: float) -> tuple[float, float]:
    angle = math.radians(azimuth)
    return CENTRE + r * math.sin(angle), CENTRE - r * math.cos(angle)


def _arrow(azimuth: float, colour: str, distance_m: float) -> list[str]:
    """An outward arrow past the 3 km ring, labelled with the distance beside it."""
    angle = math.radians(azimuth)
    sin, cos = math.sin(angle), math.cos(angle)
    r0, r1 = OUTER_R + BADGE_R, OUTER_R + BADGE_R + 11
    x0, y0 = CENTRE + r0 * sin, CENTRE - r0 * cos
    x1, y1 = CENTRE + r1 * sin, CENTRE - r1 * cos
    px, py = cos, sin  # perpendicular to the outward direction (sin, -cos), clockwise
    head = [(x1 + 5 * sin, y1 - 5 * cos), (x1 + 3.5 * px, y1 + 3.5 * py), (x1 - 3.5 * px, y1 - 3.5 * py)]
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in head)
    # the label sits beside the arrow, on its clockwise side, clear of the compass letters
    lx, ly = (x0 + x1) / 2 + 11 * px, (y0 + y1) / 2 + 11 * py + 3
    return [f'<line class="beyond" x1="{x0:.2f}" y1="{y0:.2f}" x2="{x1:.2f}" y2="{y1:.2f}" stroke="{_c(colour)}" '
            'stroke-width="1.6"/>',
            f'<polygon points="{points}" fill="{_c(colour)}"/>',
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="8.5" text-anchor="middle" fill="#222222">'
            f"{distance_m / 1000:g} 公里</text>"]


def _badge(x: float, y: float, number: int, colour: str) -> list[str]:
    return [f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{BADGE_R:g}" fill="{_c(colour)}" stroke="#ffffff" '
            'stroke-width="1"/>',
            f'<text x="{x:.2f}" y="{y + 3.3:.2f}" font-size="9.5" font-weight="bold" text-anchor="middle" '
            f'fill="{text_on_any(colour)}">{number}</text>']  # white or black, whichever reads (WCAG)


def _annulus(r1: float, r2: float) -> str:
    def circle(r: float) -> str:
        return (f"M {CENTRE - r:.2f} {CENTRE:g} a {r:.2f} {r:.2f} 0 1 0 {2 * r:.2f} 0 "
                f"a {r:.2f} {r:.2f} 0 1 0 {-2 * r:.2f} 0 Z")
    return f"{circle(r1)} {circle(r2)}"


def _c(colour: str) -> str:
    return escape(colour, quote=True)
