"""The command topic and payload of a staff console's command to one device (the test ticket)."""

from __future__ import annotations

import json

import pytest

from kiosk.protocol import ProtocolError, Topics, encode
from kiosk.protocol.device_commands import COMMANDS, TEST_RESULTS, command, decode_command, last_test
from kiosk.protocol.roles import COMMAND_ROLES, access, may_command

T = Topics("huangtan")
GOOD = {"v": 1, "cmd": "test_ticket", "id": "a1b2c3d4e5f60718", "by": "zhaolei", "name": "赵磊", "at": 1796100000.5}


def test_the_command_topic_is_built_and_parsed_by_topics():
    assert T.command("kiosk-1") == "hall/huangtan/device/kiosk-1/command"
    assert T.parse(T.command("kiosk-1")) == ("command", "kiosk-1")


def test_a_good_command_decodes_and_round_trips():
    c = decode_command(json.dumps(GOOD, ensure_ascii=False).encode())
    assert (c.cmd, c.id, c.by, c.name, c.at) == ("test_ticket", "a1b2c3d4e5f60718", "zhaolei", "赵磊", 1796100000.5)
    assert c.shown_by == "赵磊（zhaolei）"
    assert decode_command(encode(c.body())) == c
    assert command("test_ticket", c.id, "zhaolei", c.at).shown_by == "zhaolei"


@pytest.mark.parametrize("change, code", [
    ({"cmd": "reboot"}, "bad_value"),                      # only the commands of COMMANDS
    ({"id": "short"}, "bad_value"),
    ({"id": None}, "missing_field"),
    ({"by": "赵磊"}, "bad_value"),                         # a login, never a display name
    ({"by": None}, "missing_field"),
    ({"name": "赵\x1b@磊"}, "bad_value"),                  # no printer control bytes onto the paper
    ({"name": "长" * 21}, "too_long"),
    ({"at": "now"}, "bad_value"),
    ({"at": True}, "bad_value"),
    ({"at": -1}, "bad_value"),
    ({"extra": 1}, "unknown_field"),
    ({"v": 2}, "bad_version"),
])
def test_bad_commands_are_refused_with_a_code_naming_the_problem(change, code):
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(ProtocolError) as e:
        decode_command(json.dumps(body, ensure_ascii=False).encode())
    assert e.value.code == code


@pytest.mark.parametrize("payload", [b"", b"\xff\xfe", b"[]", b"{", b"x" * 2000, b'{"v":1}'])
def test_junk_is_a_protocol_error_never_another_exception(payload):
    with pytest.raises(ProtocolError):
        decode_command(payload)


def test_last_test_carries_only_known_results():
    assert last_test("a1b2c3d4", "paper_out", 1.23456) == {"id": "a1b2c3d4", "result": "paper_out", "at": 1.235}
    assert "printed" in TEST_RESULTS
    with pytest.raises(ValueError):
        last_test("a1b2c3d4", "fine", 0)


def test_only_the_web_writes_commands_and_only_a_technician_may_have_it_send_a_test_ticket():
    assert set(COMMAND_ROLES) == set(COMMANDS)
    writers = [r for r in ("hub", "button", "kiosk", "display", "pad", "web", "window", "desk", "director",
                           "technician") if "device/+/command" in access(r, window="w1").write]
    assert writers == ["web"]
    assert may_command("technician", "test_ticket") and may_command("monitor", "test_ticket")
    assert not any(may_command(r, "test_ticket") for r in ("window", "desk", "director", "kiosk", "web"))
    assert not may_command("technician", "reboot")
