"""A PostgreSQL cluster of the test's own, to stop and start: never the machine's shared server.

Runs as `nobody` when the tests run as root (PostgreSQL refuses to run as root), in a folder
under /tmp that user can enter, on a free port on 127.0.0.1 with trust authentication.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.app_server import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


def available() -> bool:
    """True when this machine has PostgreSQL 15's server programs."""
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()


class PrivateCluster:
    """initdb on creation; `start()`, `stop()`, `url`, and `remove()` when done."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="bs-pg-", dir="/tmp"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.port = free_port()
        self.up = False
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.base, "nobody", "nogroup")
            self.as_user = ["runuser", "-u", "nobody", "--"]
        self._run(BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: object) -> None:
        subprocess.run(
            [*self.as_user, *map(str, command)], check=True, capture_output=True, timeout=120
        )

    def start(self) -> None:
        """Start the server (a no-op when it runs) and wait until it accepts connections."""
        if self.up:
            return
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.base / "server.log"
        self._run(BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start")
        self.up = True

    def stop(self) -> None:
        """Stop the server at once, as a crash or a network cut would (no clean shutdown)."""
        if self.up:
            self._run(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        self.up = False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
