"""登录 / 退出, and ``/``, which sends each login to its own console.

Rule: a wrong name, a wrong password and a disabled account get the same answer; a locked account is told
so (with how long). Each attempt is audited. ``next`` only ever leads to a path of this site.
"""

from __future__ import annotations

from aiohttp import web

from .. import sessions
from ..site import HOME, Ctx, Site, form_of, redirect, run_in_thread
from ..strings import STRINGS


async def index(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    return redirect("/login" if ctx.staff is None else HOME[ctx.staff.role])


def _next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


async def login_page(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    return ctx.render("login.html", error="", name="", next=_next(request.query.get("next")))


async def login(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    site = ctx.site
    form = await form_of(request)
    name, password = form.get("name", "").strip()[:64], form.get("password", "")[:200]
    nxt = _next(form.get("next"))
    now = ctx.now()
    if not site.logins.allowed(ctx.ip, now):
        ctx.audit("login_throttled", name)
        return ctx.render("login.html", status=429, error=STRINGS["login_throttled"], name=name, next=nxt)
    s = site.settings
    member, why = await run_in_thread(lambda: site.accounts.verify(
        name, password, now=now, limit=s.lockout_failures, lock_s=s.lockout_minutes * 60))
    if member is None:
        site.logins.failed(ctx.ip, now)
        ctx.audit("login_failed", name, reason=why)
        if why == "locked":
            msg = STRINGS["login_locked"].format(minutes=round(s.lockout_minutes))
            return ctx.render("login.html", status=403, error=msg, name=name, next=nxt)
        return ctx.render("login.html", status=401, error=STRINGS["login_wrong"], name=name, next=nxt)
    cookie, session = sessions.issue(site.secret, name=member.name, version=member.version, now=now,
                                     hours=s.session_hours)
    ctx.staff, ctx.session = member, session
    ctx.audit("login", member.name, role=member.role)
    resp = redirect(nxt if nxt != "/" else HOME[member.role])
    resp.set_cookie(sessions.COOKIE, cookie, httponly=True, samesite="Strict", secure=bool(s.tls_cert), path="/",
                    max_age=int(s.session_hours * 3600))
    return resp


async def logout(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    for hook in ctx.site.on_logout:
        hook(ctx)
    ctx.audit("logout")
    resp = redirect("/login")
    resp.del_cookie(sessions.COOKIE, path="/")
    return resp


async def healthz(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    """For monitoring and tests: ``ok`` once the broker link is up (nothing else is told)."""
    up = ctx.link.connected
    return web.Response(text="ok" if up else "offline", status=200 if up else 503)


async def favicon(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    return web.Response(status=204)


def routes(site: Site) -> None:
    site.get("/healthz", healthz, roles=None)
    site.get("/favicon.ico", favicon, roles=None)
    site.get("/", index, roles=None)
    site.get("/login", login_page, roles=None)
    site.post("/login", login, roles=None)
    site.post("/logout", logout, roles=("window", "desk", "director", "technician"))
