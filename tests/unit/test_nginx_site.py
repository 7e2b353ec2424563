"""The nginx site in deploy/nginx (docs/operations.md, "More than one server") agrees with the
app's own settings, and its template cannot be rendered half-filled."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.e2e.nginx_proxy import ROOT, SITE_TEMPLATE, render_site

PLACEHOLDERS = {
    "APP_A": "127.0.0.1:8501",
    "APP_B": "127.0.0.1:8502",
    "LISTEN": "443",
    "HTTP_LISTEN": "80",
    "SERVER_NAME": "dashboard.example.org",
    "CERTIFICATE": "/etc/ssl/certs/between-sessions.crt",
    "CERTIFICATE_KEY": "/etc/ssl/private/between-sessions.key",
}


def test_nginx_accepts_every_upload_the_app_accepts():
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    app_limit_mb = streamlit["server"]["maxUploadSize"]
    nginx_limit = re.search(r"^\s*client_max_body_size (\d+)m;", SITE_TEMPLATE.read_text(), re.M)
    assert nginx_limit is not None
    assert int(nginx_limit.group(1)) >= app_limit_mb


def test_the_rendered_site_names_both_processes_and_the_certificate():
    site = render_site(PLACEHOLDERS)
    assert "server 127.0.0.1:8501 " in site and "server 127.0.0.1:8502 " in site
    assert "ssl_certificate_key /etc/ssl/private/between-sessions.key;" in site
    assert "hash $bs_route consistent;" in site
    assert "proxy_set_header Host $http_host;" in site


def test_a_placeholder_left_unfilled_is_refused():
    with pytest.raises(ValueError, match="placeholder"):
        render_site({k: v for k, v in PLACEHOLDERS.items() if k != "CERTIFICATE_KEY"})
