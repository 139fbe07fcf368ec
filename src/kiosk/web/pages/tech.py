"""技术员: every device the hall has heard of, with its version, last seen and printer state; a test ticket.

Rule: read from the retained ``device/<id>/availability`` and ``status`` messages and the hub's summary
(``hub/status``), re-read live when any of them changes. The technician sends nothing to the hub from here.
打印测试票 publishes a ``test_ticket`` command (not retained) on ``device/<id>/command`` for one online
terminal with a printer; only the staff roles of ``COMMAND_ROLES`` may (the web identity is the only one the
broker lets write those topics). The terminal prints the slip and reports ``last_test`` in its status, which
this page shows; until then the page says it was sent. ``by`` is the login; each send is audited.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ...protocol import ProtocolError, valid_id
from ...protocol.device_commands import command
from ...protocol.roles import may_command
from .. import strings
from ..site import Ctx, Site
from ..views import devices as device_list, hall_now

strings.add({
    "tech_title": "设备", "tech_device": "设备", "tech_kind": "类型", "tech_version": "版本",
    "tech_last_seen": "最近消息", "tech_printer": "打印机", "tech_online": "在线", "tech_none": "尚未收到任何设备的消息",
    "tech_store_bad": "叫号主机的数据库无法写入",
    "tech_test": "测试票", "tech_test_send": "打印测试票", "tech_test_sent": "已发送",
    "tech_test_sent_to": "已向 {device} 发送测试票（编号 {id}），结果见列表", "tech_test_none": "-",
    "tech_test_unknown": "没有设备 {device}", "tech_test_no_printer": "{device} 没有打印机，不能打印测试票",
    "tech_test_offline": "{device} 离线，测试票未发送", "tech_test_link": "与消息服务器的连接中断，测试票未发送",
    "test_printing": "打印中", "test_printed": "已打印", "test_paper_out": "缺纸", "test_offline": "打印机脱机",
    "test_error": "打印失败", "test_no_printer": "没有打印机",
})
T = strings.STRINGS
ROLES = ("technician", "director")
TEST = "test_ticket"
SENT_KEY: web.AppKey[dict[str, dict[str, Any]]] = web.AppKey("tech_sent", dict)  # device -> last command sent


def _rows(ctx: Ctx) -> list[dict[str, Any]]:
    """The devices, each with what the page shows about its test ticket (``test``: sent or the result)."""
    sent = ctx.site.app[SENT_KEY]
    out = []
    for d in hall_now(ctx.link)["devices"]:
        status = ctx.link.get(f"device/{d['id']}/status") or {}
        last = status.get("last_test") if isinstance(status.get("last_test"), dict) else None
        mine = sent.get(d["id"])
        if mine and (last is None or last.get("id") != mine["id"]):
            test = {"result": "sent", "at": mine["at"], "id": mine["id"]}
        else:
            test = last
        out.append({**d, "test": test, "printable": _printable(d)})
    return out


def _printable(d: dict[str, Any]) -> bool:
    return d["kind"] == "terminal" and bool(d["printer"]) and d["printer"] != "none"


async def devices(request: web.Request, ctx: Ctx, flash: tuple[str, str] | None = None,
                  status: int = 200) -> web.StreamResponse:
    return ctx.render("tech.html", status=status, now=hall_now(ctx.link), rows=_rows(ctx), flash=flash,
                      may_test=may_command(ctx.staff.role, TEST))


async def test_ticket(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    dev = request.match_info["device"][:64]
    if not may_command(ctx.staff.role, TEST):
        ctx.audit("test_ticket_refused", dev, reason="role")
        return ctx.render("message.html", status=403, message=T["forbidden"])
    known = {d["id"]: d for d in device_list(ctx.link)} if valid_id(dev) else {}
    d = known.get(dev)
    problem = ("tech_test_unknown" if d is None else "tech_test_no_printer" if not _printable(d)
               else "tech_test_offline" if not d["online"] else "tech_test_link" if not ctx.link.connected else "")
    if problem:
        ctx.audit("test_ticket_refused", dev, reason=problem)
        return await devices(request, ctx, ("bad", T[problem].format(device=dev)), status=409)
    try:
        cmd = command(TEST, secrets.token_hex(8), ctx.staff.name, ctx.now(), name=ctx.staff.full_name[:20])
    except ProtocolError:  # a display name the printer cannot take (control characters): the login only
        cmd = command(TEST, secrets.token_hex(8), ctx.staff.name, ctx.now())
    ctx.link.command(dev, cmd.body())
    ctx.site.app[SENT_KEY][dev] = {"id": cmd.id, "at": cmd.at}
    ctx.audit("test_ticket", dev, id=cmd.id)
    return await devices(request, ctx, ("good", T["tech_test_sent_to"].format(device=dev, id=cmd.id)))


def routes(site: Site) -> None:
    site.app[SENT_KEY] = {}
    site.get("/tech", devices, roles=ROLES, menu=T["tech_title"])
    site.post("/tech/{device}/test", test_ticket, roles=ROLES)
