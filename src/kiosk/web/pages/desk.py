"""导办台: help calls arriving live (with a chime), acknowledged from here; home-visit registrations.

Rule: the list comes from the hub (``alert.list``, phones masked) and is re-read whenever an ``alert``
arrives (Server-Sent Events). The full phone, name and address of a registration are shown only to the
desk and director roles, one registration at a time, after a deliberate click (``help.contact``); each
reveal is written to the audit log. ``by`` of an acknowledgement is the login.
"""

from __future__ import annotations

from aiohttp import web

from .. import strings
from ..link import HubError
from ..site import Ctx, Site, hub_error_text

strings.add({
    "desk_title": "导办台", "desk_calls": "求助呼叫", "desk_none": "暂无待响应的求助",
    "desk_ack": "响应", "desk_acked": "已响应 {id}", "desk_kind_desk": "请求帮办", "desk_kind_home_visit": "上门服务登记",
    "desk_reveal": "查看完整联系方式", "desk_contact": "联系方式（已记录查看）", "desk_place": "位置",
    "desk_note": "备注", "desk_phone": "电话", "desk_name": "姓名", "desk_address": "地址", "desk_group": "人群",
    "desk_at": "时间", "desk_sound": "有新的求助时将播放提示音",
})
T = strings.STRINGS
ROLES = ("desk", "director")
REVEAL_ROLES = ("desk", "director")


async def desk(request: web.Request, ctx: Ctx, flash: tuple[str, str] | None = None, contact: dict | None = None,
               status: int = 200) -> web.StreamResponse:
    calls: list[dict] = []
    try:
        calls = (await ctx.ask("alert.list")).get("help", [])
    except HubError as exc:
        flash = flash or ("bad", hub_error_text(exc))
    calls.sort(key=lambda c: c.get("at") or 0)
    return ctx.render("desk.html", status=status, calls=calls, flash=flash, contact=contact,
                      may_reveal=ctx.staff.role in REVEAL_ROLES)


async def ack(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    hid = request.match_info["id"][:64]
    try:
        await ctx.ask("help.ack", alert=hid, by=ctx.staff.shown)  # the kiosk shows it to the visitor
    except HubError as exc:
        ctx.audit("help_ack", hid, refused=exc.code)
        return await desk(request, ctx, ("bad", hub_error_text(exc)), status=409)
    ctx.audit("help_ack", hid)
    return await desk(request, ctx, ("good", T["desk_acked"].format(id=hid)))


async def reveal(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    hid = request.match_info["id"][:64]
    if ctx.staff.role not in REVEAL_ROLES:
        ctx.audit("help_reveal_refused", hid)
        return ctx.render("message.html", status=403, message=T["forbidden"])
    try:
        contact = await ctx.ask("help.contact", alert=hid, by=ctx.staff.name)
    except HubError as exc:
        return await desk(request, ctx, ("bad", hub_error_text(exc)), status=409)
    ctx.audit("help_reveal", hid)
    return await desk(request, ctx, contact=contact)


def routes(site: Site) -> None:
    site.get("/desk", desk, roles=ROLES, menu=T["desk_title"])
    site.post("/desk/{id}/ack", ack, roles=ROLES)
    site.post("/desk/{id}/reveal", reveal, roles=ROLES)
