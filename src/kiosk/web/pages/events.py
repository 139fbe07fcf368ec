"""``/events``: Server-Sent Events that tell an open page something it shows has changed.

Rule: an event carries only what changed (its kind, the window or device, and for an alert its kind), never
the payload: the page re-reads itself, through the same login and role checks as any page. ``alert`` events
go only to roles that see alerts. A comment every 15 s keeps proxies and the browser from closing the
stream.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from ..link import LIVE
from ..site import STAFF, Ctx, Site

KEEPALIVE_S = 15.0
ALERT_ROLES = ("desk", "director", "technician")


async def events(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    wanted = {k for k in request.query.get("kinds", "").split(",") if k in LIVE or k == "link"}
    if ctx.staff is not None and ctx.staff.role not in ALERT_ROLES:
        wanted.discard("alert")
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    q = ctx.link.listen()
    try:
        await resp.write(b": connected\n\n")
        while True:
            try:
                ev = await asyncio.wait_for(q.get(), KEEPALIVE_S)
            except asyncio.TimeoutError:
                await resp.write(b": keepalive\n\n")
                continue
            if ev.kind not in wanted and ev.kind not in ("link", "reload"):
                continue
            data = {"kind": ev.kind, "arg": ev.arg}
            if ev.kind == "alert" and ev.body:
                data["alert"] = str(ev.body.get("kind", ""))[:32]
            await resp.write(f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8"))
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        ctx.link.unlisten(q)
    return resp


def routes(site: Site) -> None:
    site.get("/events", events, roles=STAFF)
