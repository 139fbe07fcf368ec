"""主任 · 报表: today's and this month's report, as ``kiosk report publish`` built them on the hub box.

Rule: the web never opens the hub's database nor imports ``kiosk.reports``. The report tool publishes each
report retained on ``hub/report/day`` and ``hub/report/month`` (its HTML page and its CSV files as text);
this page shows the HTML in a sandboxed iframe (served with its own CSP ``sandbox``: no scripts, no
forms, only its inline style and data: images), says when it was built, and offers the same HTML and CSV files as downloads.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .. import strings
from ..site import Ctx, Site

strings.add({
    "director_report": "报表", "report_day": "今日报表", "report_month": "本月报表",
    "report_built_at": "生成时间", "report_none": "暂无报表：报表每 10 分钟在叫号主机上生成一次",
    "report_download_html": "下载网页版", "report_download_csv": "下载表格（CSV）",
    "report_missing": "没有这份报表",
})
T = strings.STRINGS
ROLES = ("director",)
PERIODS = ("day", "month")
_FILE = re.compile(r"[A-Za-z0-9_.\-]+\.csv")


def _report(ctx: Ctx, period: str) -> dict[str, Any] | None:
    body = ctx.link.get(f"hub/report/{period}") if period in PERIODS else None
    if not body or not isinstance(body.get("html"), str) or not isinstance(body.get("csv"), dict):
        return None
    return body


async def page(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    period = request.query.get("period", "day")
    period = period if period in PERIODS else "day"
    return ctx.render("report.html", period=period, periods=PERIODS, report=_report(ctx, period))


def _download(data: str, name: str, mime: str) -> web.Response:
    raw = data.encode("utf-8-sig" if mime == "text/csv" else "utf-8")
    return web.Response(body=raw, content_type=mime, charset="utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff"})


async def view(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    """The report page for the iframe: framed by our own pages only, its inline style allowed, nothing run."""
    rep = _report(ctx, request.match_info["period"])
    if rep is None:
        raise web.HTTPNotFound(text=T["report_missing"])
    return web.Response(text=rep["html"], content_type="text/html", headers={
        "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                                   "frame-ancestors 'self'; sandbox",
        "X-Frame-Options": "SAMEORIGIN"})


async def download_html(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    rep = _report(ctx, request.match_info["period"])
    if rep is None:
        raise web.HTTPNotFound(text=T["report_missing"])
    ctx.audit("report_download", f"{rep['label']}.html")
    return _download(rep["html"], f"report-{rep['label']}.html", "text/html")


async def download_csv(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    rep = _report(ctx, request.match_info["period"])
    name = request.match_info["name"]
    if rep is None or not _FILE.fullmatch(name) or not isinstance(rep["csv"].get(name), str):
        raise web.HTTPNotFound(text=T["report_missing"])
    ctx.audit("report_download", name)
    return _download(rep["csv"][name], name, "text/csv")


def routes(site: Site) -> None:
    site.get("/director/report", page, roles=ROLES, menu=T["director_report"])
    site.get("/director/report/{period}.html", download_html, roles=ROLES)
    site.get("/director/report/{period}/view", view, roles=ROLES)
    site.get("/director/report/{period}/{name}", download_csv, roles=ROLES)
