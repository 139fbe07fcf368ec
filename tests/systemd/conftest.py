"""Fixtures of the unit tests: the production folders of a unit, moved below the test's tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import HALL_CONFIG, REPO
from .units import Layout, NotifySocket

UNITS = REPO / "systemd"


def site_toml(port: int, state: Path) -> str:
    """The always-open test hall, with its broker on loopback and its state in the test's folder."""
    text = HALL_CONFIG.read_text(encoding="utf-8")
    text = text.replace('host = ""\nport = 1883', f'host = "127.0.0.1"\nport = {port}', 1)
    text = text.replace('state_dir = "/var/lib/kiosk"', f'state_dir = "{state}"', 1)
    assert f"port = {port}" in text and str(state) in text
    return text


@pytest.fixture
def layout(tmp_path) -> Layout:
    lay = Layout(etc=tmp_path / "etc" / "kiosk", state=tmp_path / "var" / "lib" / "kiosk",
                 cache=tmp_path / "var" / "cache")
    for d in (lay.etc, lay.state, lay.cache / "kiosk"):
        d.mkdir(parents=True)
    return lay


def write_site(layout: Layout, port: int, extra: str = "") -> Path:
    p = layout.etc / "site.toml"
    p.write_text(site_toml(port, layout.state) + extra, encoding="utf-8")
    return p


@pytest.fixture
def notify_socket():
    s = NotifySocket()
    yield s
    s.close()
