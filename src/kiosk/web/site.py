"""The web application: how a page is registered, who may open it, CSRF on every form, templates.

Rule: a page module never checks logins or CSRF itself. It registers its handlers through
:meth:`Site.page` naming the staff roles that may open them (``roles=None`` for a public page such as the
phone pages under ``/t/``), and this module's wrapper and middleware do the rest for every route alike:
the session cookie is verified (signature, expiry, account version, not disabled), the role is checked,
and every request that is not GET/HEAD must carry the CSRF token of its session (or of the anonymous
cookie before a login), else it is refused before any handler runs. A handler gets ``(request, ctx)``;
``ctx.staff`` is the logged-in member (None on a public page), ``ctx.render`` fills a template, and
``ctx.audit`` writes the audit log. Every ``by`` sent to the hub comes from ``ctx.staff``, never a form.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape
from aiohttp import web

from ..config import SiteConfig
from ..halltime import hall_time
from . import sessions
from .accounts import Accounts, StaffMember
from .link import HubError, Link
from .settings import WebSettings
from .throttle import LoginThrottle
from .strings import STRINGS, role_name

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SAFE_METHODS = ("GET", "HEAD")
HOME = {"window": "/window", "desk": "/desk", "director": "/director", "technician": "/tech"}
STAFF = ("window", "desk", "director", "technician")

Handler = Callable[[web.Request, "Ctx"], Awaitable[web.StreamResponse]]
SITE_KEY: web.AppKey["Site"] = web.AppKey("site", object)  # type: ignore[arg-type]


# a quoted term (“预约签到”) or a short bracketed note (（原件）) is one word to a reader: never split by a wrap
_TERM = re.compile(r"“[^”]{1,12}”|（[^）]{1,8}）")


def keep_terms(text: str) -> Markup:
    """Escape ``text`` and keep its quoted terms and bracketed notes on one line (``<span class="nw">``)."""
    out, last = [], 0
    for m in _TERM.finditer(text):
        out += [escape(text[last:m.start()]), Markup('<span class="nw">'), escape(m.group()), Markup("</span>")]
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@dataclass
class Site:
    cfg: SiteConfig
    settings: WebSettings
    link: Link
    accounts: Accounts
    clock: Callable[[], float] = time.time
    secret: bytes = b""
    # a 政务公开 picture may be up to the retained-state limit (2 MiB) before base64; aiohttp's default is 1 MiB
    app: web.Application = field(default_factory=lambda: web.Application(client_max_size=3 * 1024 * 1024))
    menus: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # role -> [(path, label)]
    logins: LoginThrottle = field(default_factory=LoginThrottle)  # failed logins per address
    on_logout: list[Callable[["Ctx"], None]] = field(default_factory=list)  # e.g. clear window/<w>/staff
    on_duty: dict[str, str] = field(default_factory=dict)  # session id -> the window it is on duty at

    def __post_init__(self) -> None:
        self.secret = self.secret or self.accounts.secret()
        self.tz = ZoneInfo(self.cfg.timezone)
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                                      autoescape=True, undefined=jinja2.StrictUndefined,
                                      trim_blocks=True, lstrip_blocks=True)
        self.env.filters["hall_time"] = lambda ts, fmt="%H:%M": hall_time(ts, self.tz, fmt)
        self.env.filters["minutes"] = lambda s: "-" if s is None else f"{max(0, round(float(s) / 60))}"
        self.env.filters["keep_terms"] = keep_terms
        self.app[SITE_KEY] = self
        self.app.middlewares.append(self._middleware)
        self.app.router.add_static("/static/", HERE / "static", append_version=True)

    # ------------------------------------------------------------------ registration (page modules)
    def page(self, method: str, path: str, handler: Handler, *, roles: tuple[str, ...] | None,
             menu: str | None = None) -> None:
        """Add a route. ``roles``: the staff roles that may open it (None = public, no login).
        ``menu``: a label for the navigation bar of those roles (GET pages only)."""
        self.app.router.add_route(method, path, self._wrap(handler, roles))
        if menu and roles:
            for r in roles:
                self.menus.setdefault(r, []).append((path, menu))

    def get(self, path: str, handler: Handler, *, roles: tuple[str, ...] | None, menu: str | None = None) -> None:
        self.page("GET", path, handler, roles=roles, menu=menu)

    def post(self, path: str, handler: Handler, *, roles: tuple[str, ...] | None) -> None:
        self.page("POST", path, handler, roles=roles)

    # ------------------------------------------------------------------ per request
    def _wrap(self, handler: Handler, roles: tuple[str, ...] | None) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            ctx = self.context(request)
            if roles is not None:
                if ctx.staff is None:
                    if request.method in SAFE_METHODS and "text/event-stream" not in request.headers.get("Accept", ""):
                        return redirect(f"/login?next={quote(request.rel_url.path_qs)}")
                    raise web.HTTPUnauthorized(text="login required")
                if ctx.staff.role not in roles:
                    ctx.audit("forbidden", request.path)
                    return ctx.render("message.html", status=403, message=STRINGS["forbidden"])
            return await handler(request, ctx)
        return wrapped

    def context(self, request: web.Request) -> "Ctx":
        ctx = request.get("ctx")
        if ctx is None:
            ctx = request["ctx"] = Ctx(self, request, *self._session(request))
        return ctx

    def _session(self, request: web.Request) -> tuple[StaffMember | None, sessions.Session | None]:
        s = sessions.read(self.secret, request.cookies.get(sessions.COOKIE), now=self.clock())
        if s is None:
            return None, None
        m = self.accounts.get(s.name)
        if m is None or m.disabled or m.version != s.version:
            return None, None  # a password change or disable ends every session given out before it
        return m, s

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        ctx = self.context(request)
        fresh_anon = None
        if ctx.session is None and not request.cookies.get(sessions.ANON_COOKIE):
            fresh_anon = sessions.new_anonymous_id()
            ctx.anon = fresh_anon
        if request.method not in SAFE_METHODS and not request.path.startswith("/static/"):
            token = request.headers.get(sessions.CSRF_HEADER)
            if token is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                try:
                    form = await request.post()
                except web.HTTPRequestEntityTooLarge:  # over client_max_size: say so, in words
                    resp = ctx.render("message.html", status=413, message=STRINGS["upload_too_large"])
                    return self._finish(resp, fresh_anon)
                value = form.get(sessions.CSRF_FIELD)
                token = value if isinstance(value, str) else None
            if not sessions.csrf_ok(self.secret, ctx.sid if not fresh_anon else None, token):
                ctx.audit("csrf_refused", request.path)
                resp = ctx.render("message.html", status=403, message=STRINGS["csrf_refused"])
                return self._finish(resp, fresh_anon)
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            if exc.status == 404 and request.method in SAFE_METHODS:
                resp = ctx.render("message.html", status=404, message=STRINGS["not_found"])
            else:
                raise
        return self._finish(resp, fresh_anon)

    def _finish(self, resp: web.StreamResponse, fresh_anon: str | None) -> web.StreamResponse:
        if fresh_anon and not resp.prepared:
            resp.set_cookie(sessions.ANON_COOKIE, fresh_anon, httponly=True, samesite="Strict",
                            secure=bool(self.settings.tls_cert), path="/")
        if not resp.prepared:
            h = resp.headers
            h.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                                    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
            h.setdefault("X-Frame-Options", "DENY")
            h.setdefault("X-Content-Type-Options", "nosniff")
            h.setdefault("Referrer-Policy", "same-origin")
            h.setdefault("Cache-Control", "no-store")
        return resp


@dataclass
class Ctx:
    site: Site
    request: web.Request
    staff: StaffMember | None
    session: sessions.Session | None
    anon: str | None = None

    @property
    def sid(self) -> str | None:
        if self.session is not None:
            return self.session.sid
        return self.anon or self.request.cookies.get(sessions.ANON_COOKIE)

    @property
    def csrf(self) -> str:
        return sessions.csrf_token(self.site.secret, self.sid or "")

    @property
    def ip(self) -> str:
        return self.request.remote or ""

    @property
    def link(self) -> Link:
        return self.site.link

    def now(self) -> float:
        return self.site.clock()

    def audit(self, action: str, target: str = "", **detail: Any) -> None:
        who = self.staff.name if self.staff else "-"
        self.site.accounts.audit(at=self.now(), who=who, action=action, target=target, detail=detail, ip=self.ip)
        log.info("audit: %s %s %s %s", who, action, target, detail or "")

    def render(self, template: str, *, status: int = 200, **values: Any) -> web.Response:
        link = self.site.link
        base = {"t": STRINGS, "staff": self.staff, "csrf": self.csrf, "role_name": role_name,
                "menu": self.site.menus.get(self.staff.role, []) if self.staff else [],
                "hall_name": self.site.cfg.name, "path": self.request.path,
                "link_up": link.connected, "link_offline_since": link.offline_since}
        html = self.site.env.get_template(template).render(**base, **values)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")

    async def ask(self, op: str, **args: Any) -> dict[str, Any]:
        """A request to the hub as this login (``by`` is added here for ops that record who acted)."""
        return await self.site.link.request(op, args, timeout=self.site.settings.request_timeout_s)


def redirect(path: str) -> web.Response:
    """303 See Other: after a form, the browser GETs the page again (no resubmission on reload)."""
    return web.Response(status=303, headers={"Location": path})


def hub_error_text(exc: HubError) -> str:
    if exc.code == "offline":
        return STRINGS["hub_offline"]
    if exc.code == "timeout":
        return STRINGS["hub_timeout"]
    return STRINGS["refused"].format(message=exc.message)


async def form_of(request: web.Request) -> dict[str, str]:
    """The posted fields as text (files left out): what a handler reads from a form."""
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def run_in_thread(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
    return asyncio.get_running_loop().run_in_executor(None, fn, *args)
