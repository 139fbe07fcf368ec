"""技术员: every device the hall has heard of, with its version, last seen and printer state.

Rule: read from the retained ``device/<id>/availability`` and ``status`` messages and the hub's summary
(``hub/status``), re-read live when any of them changes. The technician sends nothing to the hub from here.
"""

from __future__ import annotations

from aiohttp import web

from .. import strings
from ..site import Ctx, Site
from ..views import hall_now

strings.add({
    "tech_title": "设备", "tech_device": "设备", "tech_kind": "类型", "tech_version": "版本",
    "tech_last_seen": "最近消息", "tech_printer": "打印机", "tech_online": "在线", "tech_none": "尚未收到任何设备的消息",
    "printer_ok": "正常", "printer_paper_low": "纸将用尽", "printer_paper_out": "缺纸", "printer_offline": "脱机",
    "printer_cover_open": "纸仓盖未关", "printer_error": "故障", "tech_store_bad": "叫号主机的数据库无法写入",
})
T = strings.STRINGS
ROLES = ("technician", "director")


async def devices(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    return ctx.render("tech.html", now=hall_now(ctx.link))


def routes(site: Site) -> None:
    site.get("/tech", devices, roles=ROLES, menu=T["tech_title"])
