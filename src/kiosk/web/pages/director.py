"""主任: the hall now, today's figures, and the pages of the 政务公开 information screen.

Rule: the hall and the figures are read from the retained state the link keeps (board, hub/status, devices),
never from the hub's database. A 政务公开 page is one retained ``content/<id>`` message, the same the
``kiosk content`` tool publishes; the web builds it from the form (or an uploaded PNG/JPEG), checks it with
the displays' own decoder (``kiosk.protocol.content``) before anything is sent, shows a preview, and an
empty retained message withdraws it. Each publish and withdraw is audited.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from aiohttp import web

from ...protocol import MAX_STATE_PAYLOAD, ProtocolError, encode, valid_id
from ...protocol.content import CONTENT_KINDS, decode_content, markdown_text, table
from .. import strings
from ..site import Ctx, Site, redirect
from ..views import bars_svg, hall_now

strings.add({
    "director_title": "主任", "director_hall": "大厅实况", "director_content": "政务公开", "director_figures": "今日数据",
    "hall_windows": "窗口", "hall_windows_note": "窗口的“等候”是这个窗口能叫到的人数，一位办事人可计入几个窗口；大厅等候总数见上方。",
    "hall_waiting": "等候", "hall_served": "今日已办结", "hall_devices": "设备在线",
    "hall_open_windows": "开放窗口", "hall_printer": "取号纸", "hall_printer_ok": "正常", "hall_calendar": "日历提醒",
    "hall_hub_offline": "叫号主机离线", "hall_current": "当前号", "hall_status": "状态",
    "figures_served_by_window": "各窗口今日办结", "figures_waiting_by_category": "各业务等候人数",
    "content_pages": "信息屏页面", "content_none": "信息屏暂无页面", "content_new": "发布新页面",
    "content_id": "页面编号（小写字母、数字、-）", "content_title": "标题", "content_kind": "类型",
    "content_body": "正文（每行一段；“- ”开头为列表；“| a | b |”为表格）", "content_image": "或上传图片（PNG/JPEG）",
    "content_dwell": "停留秒数（2–600，可空）", "content_preview": "预览", "content_publish": "发布",
    "content_withdraw": "撤下", "content_published": "已发布到信息屏：{title}", "content_withdrawn": "已撤下：{id}",
    "content_kind_notice": "通知公告", "content_kind_list": "清单表格", "content_kind_policy": "政策解读",
    "content_kind_image": "图片",
    "content_bad_id": "页面编号只能用小写字母、数字、- 和 _", "content_empty": "请填写正文或上传图片",
    "content_too_large": "页面太大（{size} 字节，上限 {limit}），请压缩图片",
    "content_refused": "信息屏不能显示此页面：{reason}", "content_at": "发布时间",
})
T = strings.STRINGS
ROLES = ("director",)
_ID = re.compile(r"[^a-z0-9_-]+")


async def hall(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    now = hall_now(ctx.link)
    served = bars_svg([(f"{w.get('number')}号 {w.get('name', '')}", w.get("served", 0)) for w in now["windows"]])
    waiting = bars_svg([(c.get("name", c.get("category", "")), c.get("waiting", 0)) for c in now["categories"]])
    return ctx.render("director.html", now=now, chart_served=served, chart_waiting=waiting)


def _pages(ctx: Ctx) -> list[dict[str, Any]]:
    pages = [dict(body, id=pid) for pid, body in ctx.link.matching("content/").items() if "/" not in pid]
    return sorted(pages, key=lambda p: -(p.get("published_at") or 0))


async def content(request: web.Request, ctx: Ctx, *, flash: tuple[str, str] | None = None,
                  preview: dict | None = None, form: dict | None = None, status: int = 200) -> web.StreamResponse:
    return ctx.render("content.html", status=status, pages=_pages(ctx), flash=flash, preview=preview,
                      form=form or {}, kinds=[k for k in CONTENT_KINDS])


def _build(ctx: Ctx, form: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The ``content/<id>`` body from the form, checked as a display would check it; (None, why) if not."""
    title = str(form.get("title", "")).strip()[:80]
    pid = _ID.sub("-", str(form.get("id", "")).strip().lower()).strip("-")[:64]
    if not valid_id(pid):
        return None, T["content_bad_id"]
    kind = str(form.get("kind", "notice"))
    page: dict[str, Any] = {"id": pid, "title": title, "published_at": round(ctx.now(), 3)}
    upload = form.get("image")
    data = upload.file.read(MAX_STATE_PAYLOAD + 1) if hasattr(upload, "file") and upload.filename else b""
    if data:
        mime = "image/png" if data.startswith(b"\x89PNG\r\n\x1a\n") else "image/jpeg" if data[:3] == b"\xff\xd8\xff" else ""
        if not mime:
            return None, T["content_refused"].format(reason="PNG/JPEG")
        page.update(kind="image", mime=mime, image_b64=base64.b64encode(data).decode("ascii"))
    else:
        body = str(form.get("body", "")).replace("\r\n", "\n").strip()
        if not body:
            return None, T["content_empty"]
        page.update(kind=kind if kind in CONTENT_KINDS and kind != "image" else "notice", body=body)
    dwell = str(form.get("dwell_s", "")).strip()
    if dwell:
        try:
            page["dwell_s"] = float(dwell)
        except ValueError:
            return None, T["content_refused"].format(reason="dwell_s")
    size = len(encode(page))
    if size > MAX_STATE_PAYLOAD:
        return None, T["content_too_large"].format(size=size, limit=MAX_STATE_PAYLOAD)
    try:
        decode_content(pid, encode(page))
    except ProtocolError as exc:
        return None, T["content_refused"].format(reason=exc.reason)
    return page, ""


def _preview(page: dict[str, Any]) -> dict[str, Any]:
    out = {"id": page["id"], "title": page.get("title", ""), "kind": page["kind"]}
    if page["kind"] == "image":
        out["image"] = f"data:{page['mime']};base64,{page['image_b64']}"
    elif page["kind"] == "list":
        out["header"], out["rows"] = table(page["body"])
    else:
        out["text"] = markdown_text(page["body"])
    return out


async def content_post(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    form = dict(await request.post())
    page, why = _build(ctx, form)
    shown = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    if page is None:
        return await content(request, ctx, flash=("bad", why), form=shown, status=400)
    if form.get("do") != "publish":
        return await content(request, ctx, preview=_preview(page), form=shown)
    ctx.link.publish(f"content/{page['id']}", page, retain=True)
    ctx.audit("content_publish", page["id"], title=page.get("title", ""), kind=page["kind"])
    return await content(request, ctx, flash=("good", T["content_published"].format(title=page.get("title") or page["id"])),
                         preview=_preview(page))


async def withdraw(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    pid = request.match_info["id"]
    if not valid_id(pid):
        return await content(request, ctx, flash=("bad", T["content_bad_id"]), status=400)
    ctx.link.publish(f"content/{pid}", None, retain=True)
    ctx.audit("content_withdraw", pid)
    return await content(request, ctx, flash=("good", T["content_withdrawn"].format(id=pid)))


async def home(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    return redirect("/director/hall")


def routes(site: Site) -> None:
    site.get("/director", home, roles=ROLES)
    site.get("/director/hall", hall, roles=ROLES, menu=T["director_hall"])
    site.get("/director/content", content, roles=ROLES, menu=T["director_content"])
    site.post("/director/content", content_post, roles=ROLES)
    site.post("/director/content/{id}/withdraw", withdraw, roles=ROLES)
