"""``streamlit run SCRIPT`` on a free 127.0.0.1 port with its own data directory, and how Debian's Chromium is
started. Shared by the real-browser tests (tests/browser_support.py) and the map benchmarks
(benchmarks/map_support.py), so it loads neither pytest nor Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Self

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class LocalStreamlit:
    """``streamlit run SCRIPT`` on a free 127.0.0.1 port with its own data directory (stopped by ``stop``).

    A subclass may say what a failed start raises, how long a start may take and which further
    ``streamlit run`` options it uses."""

    failure: type[BaseException] = RuntimeError
    start_timeout_s = 60
    options: tuple[str, ...] = ("--server.fileWatcherType", "none")

    def __init__(self, data_dir: Path, log: Path, script: str = "app.py") -> None:
        self.data_dir, self.log, self.script = data_dir, log, script
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> Self:
        port = free_port()
        env = {**os.environ, "SWMAP_DATA_DIR": str(self.data_dir)}
        env.pop("SWMAP_TIANDITU_KEY", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", self.script, "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true", *self.options,
                 "--browser.gatherUsageStats", "false"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.failure(f"streamlit exited ({self.process.returncode}): {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)  # polling the health endpoint, bounded by the deadline
        self.stop()
        raise self.failure(f"streamlit did not answer within {self.start_timeout_s} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
