"""The back-office commands as real processes against a real broker and hub."""

from __future__ import annotations

from tests.test_voice_cli import PHONE, run
from tests.test_voice_disclosure import FORM, ID_OK
from tests.conftest import HALL_CONFIG


def test_application_visit_hotline_and_appeal_from_the_command_line(hub, broker, recorder):
    b = ["--broker", f"127.0.0.1:{broker.port}", "--config", str(HALL_CONFIG)]
    r = recorder("window/w1/state")
    number = r.call("disclosure.apply", **FORM)["result"]["application"]
    p = run("application", number, "extend", "--by", "王主任", *b)
    assert p.returncode == 1 and "missing_field" in p.stdout
    p = run("application", number, "extend", "--by", "王主任", "--note", "需征求第三方意见", *b)
    assert p.returncode == 0 and "已延期" in p.stdout and "延期答复 王主任：需征求第三方意见" in p.stdout, p.stdout
    p = run("application", number, "answer", "--by", "刘", *b)
    assert p.returncode == 2 and "--kind" in p.stderr
    p = run("application", number, "answer", "--by", "刘", "--kind", "not_exist", *b)
    assert p.returncode == 0 and "信息不存在（按期）" in p.stdout
    p = run("application", number, "--reveal", "--by", "王主任", *b)
    assert p.returncode == 2
    p = run("application", number, "--reveal", "--by", "王主任", "--note", "邮寄答复书", *b)
    assert p.returncode == 0 and ID_OK in p.stdout and PHONE in p.stdout
    p = run("application", number, *b)
    assert p.returncode == 0 and "查看完整信息" in p.stdout and "邮寄答复书" in p.stdout and ID_OK not in p.stdout

    hid = r.call("help.request", kind="home_visit", phone=PHONE, address="黄潭镇杨场村", group="残疾人",
                 note="代办残疾人补贴")["result"]["alert"]
    p = run("visits", *b)
    assert p.returncode == 0 and hid in p.stdout and "代办残疾人补贴" in p.stdout and PHONE not in p.stdout
    p = run("visit", hid, "schedule", "--by", "刘", "--day", "2099-01-05", "--staff", "小周", *b)
    assert p.returncode == 0 and "已安排" in p.stdout and "2099-01-05 小周" in p.stdout
    p = run("visit", hid, "done", "--by", "小周", "--outcome", "handled", *b)
    assert p.returncode == 0 and "已上门" in p.stdout
    assert "没有待办" in run("visits", *b).stdout

    p = run("hotline", "GD2099010500001", "--content", "反映医保窗口排队久", "--deadline", "2099-01-09",
            "--by", "刘", "--category", "D", *b)
    assert p.returncode == 0 and "12345工单 GD2099010500001" in p.stdout and "待核实" in p.stdout

    t = r.call("ticket.issue", category="A")["result"]
    r.press("w1", "next")
    r.wait_for("window/w1/state", lambda s: (s["ticket"] or {}).get("number") == t["number"])
    r.press("w1", "complete")
    r.wait_for("window/w1/state", lambda s: s["ticket"] is None and s["served"] == 1)
    cid = r.call("evaluation.submit", ticket=t["number"], level=1, reasons=["attitude"])["result"]["case"]
    p = run("case", cid, "appeal", "--by", "小李", "--grounds", "malicious", "--note", "同一人多次恶意差评", *b)
    assert p.returncode == 0 and "申诉复核中" in p.stdout and "恶意差评" in p.stdout
    p = run("case", cid, "decide", "--by", "王主任", "--decision", "rejected", "--note", "证据不足", *b)
    assert p.returncode == 0 and "申诉不成立：证据不足" in p.stdout and "待核实" in p.stdout
