from __future__ import annotations

from school_water_map.cli.main import main

raise SystemExit(main())
