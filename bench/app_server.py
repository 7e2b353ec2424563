"""One `streamlit run dashboard/app.py` on a free loopback port, for the load test and the
browser bench, with its resident memory read from /proc."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 90
# Debian's Chromium, with what this machine's closed network and a root user need.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """The dashboard served headless on 127.0.0.1 against `database_url`, logging to `log_path`;
    `env` adds to the environment (e.g. `STREAMLIT_SERVER_COOKIE_SECRET`)."""

    def __init__(
        self, database_url: str, log_path: Path, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        environment = {**os.environ, **(env or {})}
        environment |= {"DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
        environment.setdefault("MALLOC_ARENA_MAX", "2")  # as `make run` and docs/operations.md
        # This checkout first on the path, ahead of any other checkout installed in the venv.
        paths = [str(PROJECT), environment.get("PYTHONPATH")]
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
        command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py"]
        command += ["--server.port", str(self.port), "--server.address", "127.0.0.1"]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        self.process = subprocess.Popen(
            command, cwd=PROJECT, env=environment, stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log_path}")
            with (
                suppress(OSError),
                urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as resp,
            ):
                if resp.status == 200:
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy; see {self.log_path}")

    def url(self, path: str = "") -> str:
        """The address of `path` on this server."""
        return f"{self.base}/{path.lstrip('/')}"

    def rss_mib(self) -> float:
        """The server's resident memory now, in MiB (VmRSS)."""
        return _status_kib(self.process.pid, "VmRSS") / 1024

    def anon_rss_mib(self) -> float:
        """The part of the RSS that is the server's own memory (RssAnon), in MiB: the rest is
        pages of the SQLite file mapped into memory (RssFile), which the kernel can drop."""
        return _status_kib(self.process.pid, "RssAnon") / 1024

    def peak_rss_mib(self) -> float:
        """The most resident memory the server has held since it started, in MiB (VmHWM)."""
        return _status_kib(self.process.pid, "VmHWM") / 1024

    def wait_idle(self, limit: float = 120.0, quiet: float = 0.05) -> None:
        """Wait (up to `limit` s) until the server uses under `quiet` s of CPU in a second: it has
        finished starting up (libraries imported, the expected-response fit made)."""
        deadline = time.monotonic() + limit
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = self.cpu_seconds()
            if now - used < quiet:
                return
            used = now

    def cpu_seconds(self) -> float:
        """CPU time the server has used since it started (user + system), in seconds."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Terminate the server (kill it after 10 s) and close its log."""
        stop_process(self.process)
        self._log.close()


def stop_process(process: subprocess.Popen) -> None:
    """Terminate `process`, killing it if it has not exited after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0
