from __future__ import annotations

from school_water_map.cli import main

raise SystemExit(main())
