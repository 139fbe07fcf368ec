"""The harness expands a unit's ExecStart as systemd does; if it did not, the unit tests would run
something else than systemd runs."""

from __future__ import annotations

import pytest

from .conftest import UNITS
from .units import Layout, VENV_KIOSK, exec_argv, parse_unit, service_environment


def test_braced_variables_stay_one_word_and_bare_ones_split():
    env = {"ONE": "a b", "EMPTY": "", "TWO": "--x 1"}
    assert exec_argv("/bin/p --n ${ONE} $TWO $EMPTY pre${ONE}post", env) == ["/bin/p", "--n", "a b", "--x", "1",
                                                                           "prea bpost"]
    assert exec_argv("-/bin/p %i %%", {}, instance="usb-kbd") == ["/bin/p", "usb-kbd", "%"]


def test_environment_file_wins_and_missing_optional_file_is_skipped(tmp_path):
    lay = Layout(etc=tmp_path / "etc", state=tmp_path / "state", cache=tmp_path / "cache")
    lay.etc.mkdir()
    unit = parse_unit(UNITS / "kiosk-terminal.service")
    env = service_environment(unit, lay)
    assert env["KIOSK_DEVICE_ID"] == "kiosk-1" and env["KIOSK_ARGS"] == ""
    assert env["XDG_CACHE_HOME"] == str(lay.cache) and env["STATE_DIRECTORY"] == str(lay.state)
    (lay.etc / "terminal.env").write_text('# per device\nKIOSK_DEVICE_ID=kiosk-2\nKIOSK_ARGS="--large --rotation 90"\n')
    env = service_environment(unit, lay)
    argv = exec_argv(unit["Service"][[k for k, _ in unit["Service"]].index("ExecStart")][1], env, layout=lay)
    assert argv == [VENV_KIOSK, "terminal", "--config", str(lay.etc / "site.toml"), "--device-id", "kiosk-2",
                    "--large", "--rotation", "90"]


def test_a_required_environment_file_must_exist(tmp_path):
    lay = Layout(etc=tmp_path / "etc", state=tmp_path / "state", cache=tmp_path / "cache")
    with pytest.raises(AssertionError, match="bridge-usb-kbd.env"):
        service_environment(parse_unit(UNITS / "kiosk-bridge@.service"), lay, instance="usb-kbd")
