"""school-water-map: a hazard register of the water near 利通区's schools."""

from __future__ import annotations

__version__ = "0.1.0"
