"""HTTPS with the hall CA: ``[web] tls_cert``/``tls_key`` (the certificate ``kiosk provision --tls`` issues
for the hub machine) serve the consoles over TLS; a browser trusting the hall CA connects, the session cookie
is marked Secure, and plain HTTP is not served on that port."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kiosk.bus.broker import PrivateBroker, free_port
from kiosk.tools.hallca import broker_cert, utcnow

from ..mqtt_helpers import wait_until
from .conftest import WebProcess, web_site_toml


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_consoles_over_https_with_the_hall_ca(tmp_path):
    cert = broker_cert(tmp_path / "ca", tmp_path / "tls", "huangtan", ["127.0.0.1"], utcnow(),
                       write_private=_write, write_public=_write)
    broker = PrivateBroker(tmp_path / "broker").start()
    port = free_port()
    config = tmp_path / "site.toml"
    config.write_text(web_site_toml(broker.port, tmp_path / "state", port,
                                    f'tls_cert = "{cert.crt}"\ntls_key = "{cert.key}"\n'), encoding="utf-8")
    web = WebProcess(config, tmp_path / "web.log").start()
    trusted = ssl.create_default_context(cafile=str(cert.ca_crt))
    try:
        def up() -> bool:
            assert web.proc.poll() is None, (tmp_path / "web.log").read_text()
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=trusted, timeout=2) as r:
                    return r.read() == b"ok"
            except OSError:
                return False
        wait_until(up, timeout=30, what="the web over TLS")
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/login", context=trusted, timeout=5) as r:
            assert r.status == 200
            assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
        with pytest.raises(urllib.error.URLError):  # a machine that does not trust the hall CA is told so
            urllib.request.urlopen(f"https://127.0.0.1:{port}/login", context=ssl.create_default_context(), timeout=5)
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).read()
    finally:
        web.stop()
        broker.stop()
