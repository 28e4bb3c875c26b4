"""Shared by the map benchmarks: a Streamlit server on 127.0.0.1 with a fresh data directory, every school
placed (the heaviest map), and Debian's Chromium through Playwright (never ``playwright install``)."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from shapely.geometry import Point

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MAP_IFRAME = "iframe[title='学校周边危险水域地图']"  # the 地图 page's map (app_pages/map.py)
DRAWN = "path.leaflet-interactive"  # a vector layer Leaflet has drawn
LAST_DRAWN = "path.swm-school"  # the schools, the map's last layer (mapping.build_map): every layer drawn
START_TIMEOUT_S = 90


def place_every_school(data_dir: Path) -> int:
    """Record a position for each of the 40 schools (seeded points inside the district; not real positions)."""
    sys.path.insert(0, str(REPO))
    from school_water_map.domain.locate import LocateRequest, record
    from school_water_map.domain.register import build_register
    from school_water_map.geo.layers import load_context
    from school_water_map.settings import Settings
    from school_water_map.store.database import open_store

    settings = Settings.from_env({"SWMAP_DATA_DIR": str(data_dir)})
    register = build_register(settings)
    area = load_context(settings.geodata_dir).outline.union_all()
    minx, miny, maxx, maxy = area.bounds
    rnd = random.Random(2026)
    requests = []
    for school in register.schools.index:
        point = Point(rnd.uniform(minx, maxx), rnd.uniform(miny, maxy))
        while not area.contains(point):
            point = Point(rnd.uniform(minx, maxx), rnd.uniform(miny, maxy))
        requests.append(LocateRequest(entity=school, geometry=point, crs="WGS84", source="基准测试",
                                      author="基准测试", method="typed", precision="surveyed"))
    return len(record(requests, register.resolution, area, open_store(settings).positions))


class Server:
    """``streamlit run SCRIPT`` on a free 127.0.0.1 port (stopped by ``stop``)."""

    def __init__(self, script: str, data_dir: Path, log: Path) -> None:
        self.script, self.data_dir, self.log = script, data_dir, log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> Server:
        port = _free_port()
        env = {**os.environ, "SWMAP_DATA_DIR": str(self.data_dir)}
        env.pop("SWMAP_TIANDITU_KEY", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", self.script, "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--browser.gatherUsageStats", "false"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"streamlit exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)  # bounded by the deadline
        self.stop()
        raise SystemExit(f"streamlit did not answer within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
