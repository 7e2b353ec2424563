"""nginx from Debian's package in front of app processes, for the browser tests: renders
deploy/nginx/between-sessions.conf (the file docs/operations.md documents), makes a
self-signed certificate, and runs nginx in the foreground with everything in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import ssl
import subprocess
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

from bench.app_server import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
SITE_TEMPLATE = ROOT / "deploy" / "nginx" / "between-sessions.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROUTE_COOKIE = "bs_route"
STARTUP_SECONDS = 20
# Each request's routing cookie, the process that answered, and the request line.
LOG_FORMAT = "'$cookie_bs_route $upstream_addr $status \"$request\"'"


def nginx_installed() -> bool:
    """True when Debian's nginx (or one on PATH) is there to run."""
    return Path(NGINX).is_file() and os.access(NGINX, os.X_OK)


def render_site(values: dict[str, str], template: Path = SITE_TEMPLATE) -> str:
    """The site template with each @NAME@ replaced; refuses a placeholder left unfilled."""
    text = template.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError(f"{template} has a placeholder not given in {sorted(values)}")
    return text


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A one-day certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "test.crt", folder / "test.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _main_config(folder: Path, site: Path) -> str:
    """A whole nginx.conf around the site: foreground, pid, logs and temp files in `folder`."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would switch to an unprivileged user that cannot read `folder`.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    log_format routed {LOG_FORMAT};\n"
        f"    access_log {folder / 'access.log'} routed;\n"
        f"{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


class NginxProxy:
    """nginx on a free loopback port, TLS with a test certificate, in front of `upstreams`."""

    def __init__(self, upstreams: list[str], folder: Path) -> None:
        self.port = free_port()
        self.base = f"https://127.0.0.1:{self.port}"
        self.http_port = free_port()  # plain HTTP, which only redirects to HTTPS
        self.folder = folder
        cert, key = self_signed_certificate(folder)
        self.certificate = cert
        values = {
            "APP_A": upstreams[0],
            "APP_B": upstreams[1],
            "LISTEN": f"127.0.0.1:{self.port}",
            "HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "SERVER_NAME": "localhost",
            "CERTIFICATE": str(cert),
            "CERTIFICATE_KEY": str(key),
        }
        site = folder / "between-sessions.conf"
        site.write_text(render_site(values))
        self.config = folder / "nginx.conf"
        self.config.write_text(_main_config(folder, site))
        self.access_log = folder / "access.log"
        command = [NGINX, "-p", str(folder), "-c", str(self.config), "-e", str(folder / "err")]
        subprocess.run([*command, "-t", "-q"], check=True, capture_output=True)
        self._stderr = (folder / "stderr.log").open("w")
        self.process = subprocess.Popen(command, stderr=self._stderr)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited early; see {self.folder}/error.log")
            with suppress(OSError):
                self.upstream_for("probe")
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"nginx did not answer; see {self.folder}/error.log")

    def url(self, path: str = "") -> str:
        """The address of `path` through the proxy."""
        return f"{self.base}/{path.lstrip('/')}"

    def upstream_for(self, route: str) -> str:
        """The app process (host:port) nginx sends a browser with routing cookie `route` to."""
        request = urllib.request.Request(
            self.url("_stcore/health"), headers={"Cookie": f"{ROUTE_COOKIE}={route}"}
        )
        trusting = ssl.create_default_context(cafile=self.certificate)  # ours, verified
        with urllib.request.urlopen(request, timeout=5, context=trusting) as response:
            return response.headers["X-Upstream"]

    def websockets(self, route: str, least: int, wait_seconds: float = 10) -> list[str]:
        """The process of each websocket nginx logged for routing cookie `route` (a websocket
        is logged when it closes), waiting up to `wait_seconds` for `least` of them."""
        deadline = time.monotonic() + wait_seconds
        while True:
            upstreams = []
            for line in self.access_log.read_text().splitlines():
                cookie, upstream, status, request = line.split(" ", 3)
                if cookie == route and status == "101" and "/_stcore/stream " in request:
                    upstreams.append(upstream)
            if len(upstreams) >= least or time.monotonic() > deadline:
                return upstreams
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop nginx (fast shutdown; killed after 10 s)."""
        stop_process(self.process)
        self._stderr.close()
