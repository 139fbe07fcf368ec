"""``kiosk staff`` as staff use it, and ``[web]`` config mistakes that stop ``kiosk web`` naming the key."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.config import load
from kiosk.errors import ConfigError
from kiosk.web.accounts import Accounts
from kiosk.web.settings import web_settings

from ..conftest import HALL_CONFIG, REPO


def kiosk(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, timeout=60)


def test_add_list_passwd_disable(tmp_path):
    st = ["--config", str(HALL_CONFIG), "--state", str(tmp_path)]
    r = kiosk("staff", "add", "wangfang", "--role", "window", "--windows", "w3,w5", "--full-name", "王芳",
              "--staff-no", "HT0307", *st, stdin="first-pass-1\n")
    assert r.returncode == 0 and "added wangfang (window w3,w5)" in r.stdout, r.stderr
    assert "first-pass-1" not in r.stdout + r.stderr
    r = kiosk("staff", "add", "wangfang", "--role", "desk", *st, stdin="another-pass\n")
    assert r.returncode == 3 and "exists already" in r.stderr
    r = kiosk("staff", "add", "lihua", "--role", "window", "--windows", "w42", *st, stdin="first-pass-1\n")
    assert r.returncode == 3 and "no window 'w42'" in r.stderr
    r = kiosk("staff", "add", "lihua", "--role", "desk", *st, stdin="short\n")
    assert r.returncode == 3 and "at least 8 characters" in r.stderr
    r = kiosk("staff", "add", "lihua", "--role", "window", *st, stdin="first-pass-1\n")
    assert r.returncode == 3 and "needs --windows" in r.stderr
    acc = Accounts.in_dir(tmp_path)
    try:
        assert acc.verify("wangfang", "first-pass-1", now=1e9, limit=5, lock_s=60)[0] is not None
        version = acc.require("wangfang").version
    finally:
        acc.close()
    assert kiosk("staff", "passwd", "wangfang", *st, stdin="second-pass-2\n").returncode == 0
    assert kiosk("staff", "disable", "wangfang", *st).returncode == 0
    r = kiosk("staff", "list", *st)
    assert r.returncode == 0 and "wangfang" in r.stdout and "disabled" in r.stdout and "HT0307" in r.stdout
    acc = Accounts.in_dir(tmp_path)
    try:
        m = acc.require("wangfang")
        assert m.version == version + 2 and m.disabled
        assert acc.verify("wangfang", "second-pass-2", now=1e9, limit=5, lock_s=60) == (None, "disabled")
    finally:
        acc.close()
    r = kiosk("staff", "audit", *st)
    assert "staff_add" in r.stdout and "staff_passwd" in r.stdout and "staff_disable" in r.stdout


@pytest.mark.parametrize("section, key, reason", [
    ("port = 0", "web.port", "between 1 and 65535"),
    ('bind = "hall"', "web.bind", "IP address"),
    ('base_url = "192.168.10.2"', "web.base_url", "http://"),
    ('tls_cert = "/nonexistent.crt"', "web.tls_key", "give both or neither"),
    ("lockout_failures = 0", "web.lockout_failures", "between 1 and 100"),
    ("prot = 8080", "web.prot", "unknown key"),
])
def test_broken_web_config_names_file_key_and_reason(tmp_path, section, key, reason):
    p = tmp_path / "site.toml"
    p.write_text(HALL_CONFIG.read_text(encoding="utf-8") + f"\n[web]\n{section}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        web_settings(load(p))
    assert err.value.key == key and reason in err.value.reason and err.value.path == p
    r = kiosk("web", "--config", str(p))
    assert r.returncode == 2 and str(p) in r.stderr and key in r.stderr
