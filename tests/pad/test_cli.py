"""``kiosk pad`` and ``kiosk display --layout window`` from the command line: a broken config or option
stops with file, key and reason (exit 2); a good one starts without a broker and stops cleanly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.bus.broker import free_port
from kiosk.cli import main

from ..conftest import HALL_CONFIG, REPO


def config_with(tmp_path, extra: str):
    p = tmp_path / "site.toml"
    p.write_text(HALL_CONFIG.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return p


@pytest.mark.parametrize("argv, words", [
    (["pad", "--window", "w99"], ["--window", "no window 'w99'"]),
    (["pad", "--window", "W3!"], ["--window", "no window"]),
    (["display", "--layout", "window"], ["--window", "needs the window"]),
    (["display", "--layout", "window", "--window", "w99"], ["--window", "no window 'w99'"]),
    (["display", "--layout", "window", "--window", "w3", "--size", "1280x200"], ["--size", "at least 240"]),
])
def test_bad_options_stop_with_a_reason(argv, words, capsys):
    assert main([*argv, "--config", str(HALL_CONFIG), "--broker", f"127.0.0.1:{free_port()}"]) == 2
    err = capsys.readouterr().err
    assert "configuration error" in err and all(w in err for w in words), err


@pytest.mark.parametrize("extra, key, reason", [
    ('\n[pad]\nsizes = "1280x800"\n', "pad.sizes", "unknown key"),
    ('\n[pad]\nsize = "320x200"\n', "pad.size", "not a 7–10 inch pad panel"),
    ('\n[pad]\nprint = "huge"\n', "pad.print", "must be one of"),
    ('\n[pad]\nquiet_s = 1.0\n', "pad.quiet_s", "10 to 600"),
])
def test_broken_pad_config_names_file_key_and_reason(tmp_path, capsys, extra, key, reason):
    cfg = config_with(tmp_path, extra)
    assert main(["pad", "--window", "w3", "--config", str(cfg), "--broker", f"127.0.0.1:{free_port()}"]) == 2
    err = capsys.readouterr().err
    assert str(cfg) in err and key in err and reason in err, err


@pytest.mark.parametrize("argv", [["pad", "--window", "w3"], ["display", "--layout", "window", "--window", "w3"]])
def test_starts_without_a_broker_and_stops(argv, tmp_path):
    cfg = config_with(tmp_path, "").read_text(encoding="utf-8").replace(
        'state_dir = "/var/lib/kiosk"', f'state_dir = "{tmp_path / "state"}"')
    (tmp_path / "site.toml").write_text(cfg, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kiosk", *argv, "--config", str(tmp_path / "site.toml"), "--broker",
                        f"127.0.0.1:{free_port()}", "--windowed", "--duration", "2"], cwd=REPO, capture_output=True,
                       text=True, timeout=60, env={"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
                                                   "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert "w3" in r.stderr
