"""``kiosk alerts`` and ``kiosk ack`` (kiosk.tools.help_tools) against a real hub, and the
``kiosk terminal`` command line."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading

from kiosk.config import add_common
from kiosk.tools.help_tools import cmd_ack, cmd_alerts, register

from ..conftest import HALL_CONFIG, REPO


def parse(port: int, *argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command")
    register(sub, add_common)
    return p.parse_args([*argv, "--config", str(HALL_CONFIG), "--broker", f"127.0.0.1:{port}"])


def test_alerts_lists_open_requests_and_ack_answers_the_terminal(broker, hub, recorder, capsys):
    kiosk = recorder(device="kiosk-9")
    assert cmd_alerts(parse(broker.port, "alerts")) == 0
    assert "没有待处理的求助" in capsys.readouterr().out
    txn = kiosk.request("help.request", kind="home_visit", phone="13812345678", address="黄潭村", group="老年人",
                        where="自助区")
    first = kiosk.reply(txn)
    assert first["ok"]
    alert_id = first["result"]["alert"]
    assert cmd_alerts(parse(broker.port, "alerts")) == 0
    out = capsys.readouterr().out
    assert alert_id in out and "上门服务登记" in out and "138****5678" in out and "13812345678" not in out

    assert cmd_ack(parse(broker.port, "ack", alert_id, "--by", "李明")) == 0
    assert "李明" in capsys.readouterr().out
    notice = kiosk.wait_for("device/kiosk-9/reply", lambda m: m.get("txn") == txn
                            and m.get("result", {}).get("state") == "acknowledged")
    assert notice["result"]["by"] == "李明"
    assert cmd_ack(parse(broker.port, "ack", alert_id)) == 1  # already acknowledged: refused
    assert "already_acknowledged" in capsys.readouterr().out


def test_alerts_follow_prints_new_alerts(broker, hub, recorder, capsys):
    kiosk = recorder(device="kiosk-8")
    rc: list[int] = []
    th = threading.Thread(target=lambda: rc.append(cmd_alerts(parse(broker.port, "alerts", "--follow",
                                                                     "--duration", "2.5"))))
    th.start()
    try:
        import time
        deadline = time.monotonic() + 5
        while "没有待处理的求助" not in capsys.readouterr().out and time.monotonic() < deadline:
            time.sleep(0.02)  # polling the captured output, not timing the test
        kiosk.call("help.request", kind="desk", where="自助区2号机")
    finally:
        th.join(10)
    assert rc == [0]
    assert "请求帮办（自助区2号机）" in capsys.readouterr().out


def test_terminal_command_is_registered():
    out = subprocess.run([sys.executable, "-m", "kiosk", "terminal", "--help"], capture_output=True, text=True,
                         cwd=REPO, timeout=30)
    assert out.returncode == 0
    for opt in ("--windowed", "--device-id", "--large", "--orientation", "--rotation", "--broker", "--config"):
        assert opt in out.stdout
