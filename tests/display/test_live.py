"""The display against a real mosquitto and a real hub: late join, broker loss and return, content tools."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.bus.broker import PrivateBroker
from kiosk.bus.client import BusClient, BusSettings
from kiosk.config import add_common  # noqa: F401  (the CLI passes it to register)
from kiosk.demo import busy_hall as scene
from kiosk.display.runtime import subscriptions
from kiosk.protocol import Topics
from kiosk.tools import content_tools

from ..mqtt_helpers import wait_until
from .conftest import SHOTS, make_pilot


def attach(pilot, port: int, device: str = "display-t") -> BusClient:
    topics = Topics("huangtan")
    return BusClient(BusSettings(host="127.0.0.1", port=port, device_id=device, topics=topics,
                                 subscriptions=subscriptions(topics)), pilot.app.inbox).start()


def test_late_joiner_draws_the_whole_board_on_its_first_frame(hub, recorder, broker):
    r = recorder("call")
    cats = "ABCDEEEE"  # w5–w8 all serve E (专线限制 keeps A–D at their domain windows)
    for i in range(80):
        r.call("ticket.issue", category=cats[i % len(cats)])
    windows = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]
    for i in range(50):
        r.press(windows[i % len(windows)], "next")
    wait_until(lambda: len(r.on("call")) >= 50, 20, "50 call events")
    calls = r.on("call")
    expected = {}
    for c in calls:
        expected[c["window"]] = c["number"]
    pilot, screen, _ = make_pilot()
    with pilot:
        bus = attach(pilot, broker.port)
        try:
            # run frames until the first one that has hall data in it
            wait_until(lambda: pilot.frames(1) >= 0 and screen.state.has_data, 10, "retained state")
            drawn = {w: pilot.text_of(f"win-{w}-number") for w in expected}
            assert drawn == expected
            assert pilot.text_of("call-number") == calls[-1]["number"]
            assert pilot.check_layout() == []
            pilot.screenshot(SHOTS / "late-joiner.png")
        finally:
            bus.stop()


def test_offline_marker_follows_the_broker(tmp_path):
    broker = PrivateBroker(tmp_path / "b", persistence=True).start()
    port = broker.port
    pilot, screen, wall = make_pilot()
    pilot.app.clock = pilot.clock  # FakeClock: advance it with real time below
    with pilot:
        bus = attach(pilot, port)
        try:
            import time as _t

            def run_real(pred, timeout, what):
                def step():
                    pilot.clock.now = _t.monotonic() + 1000
                    pilot.app.step()
                    return pred()
                return wait_until(step, timeout, what)

            run_real(lambda: screen.state.link.connected, 10, "connected")
            assert not pilot.exists("offline")
            broker.stop()
            run_real(lambda: pilot.exists("offline"), 10, "offline marker")
            assert "离线" in pilot.text_of("offline")
            assert pilot.check_layout() == []
            broker = PrivateBroker(tmp_path / "b", port=port, persistence=True).start()
            run_real(lambda: not pilot.exists("offline"), 20, "marker cleared after reconnect")
        finally:
            bus.stop()
            broker.stop()


def _args(broker, **kw) -> argparse.Namespace:
    base = dict(config=str(scene.CONFIG), broker=f"127.0.0.1:{broker.port}", zc_interfaces=None)
    base.update(kw)
    return argparse.Namespace(**base)


def test_content_publish_list_remove_round_trip(broker, tmp_path, capsys, topics):
    page = tmp_path / "tingdian.md"
    page.write_text("# 停电通知\n\n因线路检修，12月3日下午大厅暂停自助服务。\n\n- 窗口业务照常办理\n", encoding="utf-8")
    pic = tmp_path / "flow.png"
    pic.write_bytes(scene.flow_chart_png())
    table = tmp_path / "quanze.toml"
    table.write_text('title = "权责清单"\nkind = "list"\ncolumns = ["序号", "事项"]\n'
                     'rows = [["1", "临时救助审批"], ["2", "高龄津贴发放"]]\n', encoding="utf-8")
    pilot, screen, _ = make_pilot(layout="disclosure")
    with pilot:
        bus = attach(pilot, broker.port)
        try:
            assert content_tools.cmd_publish(_args(broker, file=str(page), id=None, kind=None, title=None,
                                                   dwell=20)) == 0
            assert content_tools.cmd_publish(_args(broker, file=str(pic), id="flow", kind=None, title="办事流程图",
                                                   dwell=None)) == 0
            assert content_tools.cmd_publish(_args(broker, file=str(table), id=None, kind=None, title=None,
                                                   dwell=None)) == 0
            wait_until(lambda: pilot.frames(1) >= 0 and len(screen.state.content) == 3, 5, "three pages")
            p = screen.state.content["tingdian"]
            assert (p.kind, p.title, p.dwell_s) == ("notice", "停电通知", 20.0)
            assert "· 窗口业务照常办理" in pilot.text_of("disclosure")
            assert screen.state.content["flow"].mime == "image/png"
            assert "| 1 | 临时救助审批 |" in screen.state.content["quanze"].body

            capsys.readouterr()
            assert content_tools.cmd_list(_args(broker, wait=0.3, json=True)) == 0
            listed = json.loads(capsys.readouterr().out)
            assert set(listed) == {"tingdian", "flow", "quanze"} and "image_b64" not in listed["flow"]

            assert content_tools.cmd_remove(_args(broker, id="tingdian")) == 0
            wait_until(lambda: pilot.frames(1) >= 0 and "tingdian" not in screen.state.content, 2, "removed")
            assert pilot.check_layout() == []
        finally:
            bus.stop()


def test_content_files_are_checked_before_publishing(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 2000)
    fake = tmp_path / "fake.png"
    fake.write_text("not a picture")
    bad_toml = tmp_path / "x.toml"
    bad_toml.write_text('title = "t"\nbogus = 1\n', encoding="utf-8")
    chinese = tmp_path / "通知.md"
    chinese.write_text("正文", encoding="utf-8")
    for path, kw, words in [(big, dict(max_bytes=1000), "limit is 1,000"), (fake, {}, "not a PNG"),
                            (bad_toml, {}, "unknown key 'bogus'"), (chinese, {}, "--id"),
                            (big, dict(kind="notice"), "kind can only be image")]:
        try:
            content_tools.read_page(path, **kw)
        except content_tools.PageError as exc:
            assert words in str(exc), (path, exc)
        else:
            raise AssertionError(f"{path} was accepted")
    page = content_tools.read_page(chinese, page_id="tongzhi", now=5.0)
    assert page == {"id": "tongzhi", "kind": "notice", "title": "", "body": "正文", "published_at": 5.0}


def test_register_adds_the_content_command():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    content_tools.register(sub, add_common)
    args = parser.parse_args(["content", "publish", "a.md", "--kind", "policy", "--dwell", "30"])
    assert args.func is content_tools.cmd_publish and args.kind == "policy" and args.dwell == 30
    assert Path(args.file).name == "a.md"
