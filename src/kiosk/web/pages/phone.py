"""The visitor's phone pages (public, no login): ``/t/<token>`` a ticket's live page, ``/t/<token>/events``
its Server-Sent Events, ``/t/<token>/rate`` its 好差评, ``/b/<code>`` a booking's page.

Rule: wiring only — what a page says is :mod:`kiosk.web.phone.present`, who may ask how often is
:mod:`kiosk.web.phone.guard`, live updates are :mod:`kiosk.web.phone.watch`. A token or code of the wrong
shape never reaches the hub; a wrong, expired or malformed one shows the same 404 page. Every answer says
``no-store`` and ``noindex``; nothing personal is on any of these pages.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from aiohttp import web

from ...core import evaluation as E
from ...halltime import hall_time
from .. import strings
from ..link import HubError
from ..phone import present
from ..phone.guard import Guard
from ..phone.strings import PHONE
from ..phone.watch import Watcher
from ..site import Ctx, Site, form_of, redirect

strings.add(PHONE)

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CODE = re.compile(r"^[A-Za-z0-9-]{4,16}$")
KEEPALIVE_S = 15.0
RETRY_MS = 15000  # what EventSource waits before it tries again; the page's plain refresh has the same pace
PHONE_KEY: web.AppKey["Phone"] = web.AppKey("phone", object)  # type: ignore[arg-type]
HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


class Phone:
    """What the phone pages share in one web process: the guard and the watcher."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.guard = Guard()
        self.watcher = Watcher(self._ask, strings.STRINGS, self._event)
        self.task: asyncio.Task | None = None

    async def _ask(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        return await self.site.link.request(op, args, timeout=self.site.settings.request_timeout_s)

    def _event(self, page: present.TicketPage | None) -> bytes:
        """A live event: the page's new live part, or (expired, served) a word to reload once."""
        if page is None or not page.live:
            data: dict[str, Any] = {"reload": True}
        else:
            updated = hall_time(self.site.clock(), self.site.tz, "%H:%M:%S")
            data = {"html": present.live_html(page, strings.STRINGS, updated), "state": page.state,
                    "called": page.called}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")

    async def start(self, app: web.Application) -> None:
        self.task = asyncio.ensure_future(self.watcher.run(self.site.link.listen()))

    async def stop(self, app: web.Application) -> None:
        if self.task is not None:
            self.task.cancel()


def _phone(request: web.Request) -> Phone:
    return request.app[PHONE_KEY]


def _page(ctx: Ctx, template: str, *, status: int = 200, **values: Any) -> web.Response:
    resp = ctx.render(template, status=status, big=ctx.request.query.get("big") == "1", **values)
    resp.headers.update(HEADERS)
    return resp


def _refused(ctx: Ctx, why: str) -> web.Response:
    """The friendly page of an overload (503) or of an address asking too fast (429)."""
    t = strings.STRINGS
    resp = _page(ctx, "phone_message.html", status=429 if why == "slow" else 503, title=t[f"ph_{why}_title"],
                 message=t[f"ph_{why}"], refresh=True)
    resp.headers["Retry-After"] = "15"
    return resp


def _live(ctx: Ctx, page: present.TicketPage) -> str:
    return present.live_html(page, strings.STRINGS, hall_time(ctx.now(), ctx.site.tz, "%H:%M:%S"))


def _not_found(ctx: Ctx, message_key: str = "ph_not_found") -> web.Response:
    return _page(ctx, "phone_message.html", status=404, title=strings.STRINGS["ph_not_found_title"],
                 message=strings.STRINGS[message_key], refresh=False)


async def _track(ctx: Ctx, token: str) -> dict[str, Any] | None | str:
    """The ticket's view, None when unknown, or why it cannot be answered now (``slow``/``busy``/``offline``)."""
    ph = _phone(ctx.request)
    now = time.monotonic()
    why = ph.guard.page(ctx.ip, now)
    if why:
        return why
    if not TOKEN.match(token):
        ph.guard.missed(ctx.ip, now)
        return None
    ph.guard.pending += 1
    try:
        view = await ph.watcher.lookup(token)
    except HubError:
        return "offline"
    finally:
        ph.guard.pending -= 1
    if view is None:
        ph.guard.missed(ctx.ip, now)
    return view


async def _found(ctx: Ctx, token: str) -> dict[str, Any] | web.Response:
    """The ticket's view, or the page to answer instead (busy, slow, offline, not found)."""
    view = await _track(ctx, token)
    if isinstance(view, str):
        return _refused(ctx, view)
    return _not_found(ctx) if view is None else view


async def ticket(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    token = request.match_info["token"]
    view = await _found(ctx, token)
    if isinstance(view, web.Response):
        return view
    t = strings.STRINGS
    page = present.ticket_page(view, t)
    notice = {"thanks": t["ph_rate_thanks"], "already": t["ph_rate_already"]}.get(request.query.get("rated", ""))
    return _page(ctx, "phone_ticket.html", p=page, token=token, form=present.rate_form() if page.rateable else None,
                 notice=notice, error=None, chosen=None, reasons_chosen=(), text="", live=_live(ctx, page))


async def events(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    """The ticket's page, live: an event with the new page whenever its ticket changed."""
    token = request.match_info["token"]
    ph = _phone(request)
    view = await _track(ctx, token)
    if isinstance(view, str) or view is None:
        return web.Response(status=404 if view is None else 503, text=f"retry: {RETRY_MS}\n\n",
                            content_type="text/event-stream", headers={**HEADERS, "Retry-After": "15"})
    if not ph.guard.streams.open(ctx.ip):
        return web.Response(status=503, text=f"retry: {RETRY_MS}\n\n", content_type="text/event-stream",
                            headers={**HEADERS, "Retry-After": "15"})
    q = ph.watcher.follow(token, view)
    try:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no", **HEADERS})
        await resp.prepare(request)
        await resp.write(f"retry: {RETRY_MS}\n: following\n\n".encode())
        while True:
            try:
                u = await asyncio.wait_for(q.get(), KEEPALIVE_S)
            except asyncio.TimeoutError:
                await resp.write(b": keepalive\n\n")
                continue
            await resp.write(u.event)
            if u.page is None or not u.page.live:
                break  # expired, or served: the page reloads itself once and stops following
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        ph.watcher.leave(token, q)
        ph.guard.streams.close(ctx.ip)
    return resp


async def rate(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    token = request.match_info["token"]
    view = await _found(ctx, token)
    if isinstance(view, web.Response):
        return view
    form = await form_of(request)
    big = "&big=1" if request.query.get("big") == "1" else ""
    t = strings.STRINGS
    level_text = form.get("level", "")
    reasons = tuple(r for r in (await request.post()).getall("reason", []) if isinstance(r, str))
    text = form.get("text", "").strip()
    error = None
    level = int(level_text) if level_text.isdigit() else None
    if view.get("rated"):
        return redirect(f"/t/{token}?rated=already{big}")
    if level is None:
        error = t["ph_rate_need_level"]
    else:
        try:
            E.validate(level=level, reasons=reasons if E.is_bad(level) else (), text=text, channel="qr")
        except E.EvaluationError as exc:
            error = exc.message
    if error is None:
        args: dict[str, Any] = {"ticket": view["ticket"], "token": token, "level": level, "channel": "qr",
                                "reasons": list(reasons) if E.is_bad(level) else []}
        if text:
            args["text"] = text
        try:
            await ctx.ask("evaluation.submit", **args)
            return redirect(f"/t/{token}?rated=thanks{big}")
        except HubError as exc:
            if exc.code == "already_rated":
                return redirect(f"/t/{token}?rated=already{big}")
            error = t["ph_rate_failed"].format(message=exc.message)
    page = present.ticket_page(view, t)
    return _page(ctx, "phone_ticket.html", status=400, p=page, token=token, form=present.rate_form(),
                 notice=None, error=error, chosen=level, reasons_chosen=reasons, text=text, live=_live(ctx, page))


async def booking(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    code = request.match_info["code"].upper()
    ph = _phone(request)
    now = time.monotonic()
    why = ph.guard.page(ctx.ip, now)
    if why:
        return _refused(ctx, why)
    if not CODE.match(code):
        ph.guard.missed(ctx.ip, now)
        return _not_found(ctx, "ph_booking_not_found")
    try:
        b = await ctx.ask("appointment.lookup", code=code)
    except HubError as exc:
        if exc.code in ("offline", "timeout"):
            return _refused(ctx, "offline")
        ph.guard.missed(ctx.ip, now)
        return _not_found(ctx, "ph_booking_not_found")
    t = strings.STRINGS
    return _page(ctx, "phone_booking.html", rows=present.booking_lines(b, t),
                 materials=present.booking_materials(b), code=code)


def routes(site: Site) -> None:
    phone = Phone(site)
    site.app[PHONE_KEY] = phone
    site.app.on_startup.append(phone.start)
    site.app.on_cleanup.append(phone.stop)
    site.get("/t/{token}", ticket, roles=None)
    site.get("/t/{token}/events", events, roles=None)
    site.post("/t/{token}/rate", rate, roles=None)
    site.get("/b/{code}", booking, roles=None)
