"""窗口: the counter's console — pick one of your windows, then act as its call button.

Rule: a login acts only on the windows its account lists (``--windows``), checked here on every request,
GET and POST alike; anything else is refused (403) and audited. The buttons send ``window.command`` with
``by`` = the login; the hub applies it as the window's own button press would. Picking a window publishes
``window/<w>/staff`` (who is on duty, for the window screen and the pad); logging out clears it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...protocol.ops_window import WINDOW_ACTIONS
from .. import strings
from ..link import HubError
from ..site import Ctx, Site, form_of, hub_error_text, redirect

strings.add({
    "window_title": "窗口叫号", "window_pick": "请选择您今天所在的窗口", "window_on_duty": "上岗",
    "window_current": "当前办理", "window_none": "暂无", "window_waited": "已等候 {m} 分钟",
    "window_at_counter": "到窗口 {m} 分钟", "window_waiting": "等候中", "window_served": "今日已办结",
    "window_waiting_count": "等候人数", "window_status_open": "服务中", "window_status_paused": "暂停服务",
    "window_status_closed": "已关闭", "window_more": "另有 {n} 人",
    "act_next": "下一位", "act_recall": "重呼", "act_skip": "过号", "act_start": "开始办理", "act_complete": "办结",
    "act_pause": "暂停", "act_resume": "恢复", "act_transfer": "转移", "act_call": "呼叫指定号",
    "pause_reason": "暂停原因", "transfer_to": "转移到", "call_number": "号码，如 A012",
    "reason_break": "工间休息", "reason_meeting": "临时会议", "reason_system": "系统故障", "reason_other": "其他事务",
    "to_category": "{name}（{id}）", "to_window": "{number}号窗口 {name}", "priority": "绿色通道",
    "state_called": "已呼叫", "state_serving": "办理中", "state_waiting": "等候中", "state_no_show": "过号",
    "bad_action": "没有这个操作", "need_ticket": "请输入要呼叫的号码", "need_target": "请选择转移到哪里",
})
T = strings.STRINGS
# action -> (label key, keyboard keys); the F-keys and the numeric pad of window-calling software
KEYS = {"next": "F1 Numpad1 NumpadEnter", "recall": "F2 Numpad2", "skip": "F3 Numpad3", "start": "F4 Numpad4",
        "complete": "F5 Numpad5", "pause": "F6 Numpad6", "resume": "F7 Numpad7", "transfer": "F8 Numpad8",
        "call": "F9 Numpad9"}
REASONS = ("reason_break", "reason_meeting", "reason_system", "reason_other")
ROLES = ("window",)


def _assigned(ctx: Ctx, w: str) -> bool:
    return ctx.staff is not None and w in ctx.staff.windows and ctx.site.cfg.hall.window(w) is not None


def _refuse(ctx: Ctx, w: str) -> web.Response:
    ctx.audit("window_refused", w[:40])
    return ctx.render("message.html", status=403, message=T["forbidden_window"])


async def pick(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    hall = ctx.site.cfg.hall
    windows = [hall.window(w) for w in ctx.staff.windows if hall.window(w) is not None]
    return ctx.render("window_pick.html", windows=windows)


async def on_duty(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    w = request.match_info["w"]
    if not _assigned(ctx, w):
        return _refuse(ctx, w)
    m = ctx.staff
    staff_no = m.staff_no or m.name.replace("_", "-")[:20]
    ctx.link.publish(f"window/{w}/staff", {"window": w, "staff": {"name": m.shown[:20], "staff_no": staff_no,
                                                                  "since": ctx.now()}}, retain=True)
    ctx.site.on_duty[ctx.session.sid] = w
    ctx.audit("window_on_duty", w)
    return redirect(f"/window/{w}")


def off_duty(ctx: Ctx) -> None:
    """At logout: the window this session was on duty at shows nobody (if it still shows this login)."""
    if ctx.session is None:
        return
    w = ctx.site.on_duty.pop(ctx.session.sid, None)
    cur = ctx.link.get(f"window/{w}/staff") if w else None
    if w and cur and isinstance(cur.get("staff"), dict) and cur["staff"].get("name") == ctx.staff.shown[:20]:
        ctx.link.publish(f"window/{w}/staff", {"window": w, "staff": None}, retain=True)


async def console(request: web.Request, ctx: Ctx, flash: tuple[str, str] | None = None,
                  status: int = 200) -> web.StreamResponse:
    w = request.match_info["w"]
    if not _assigned(ctx, w):
        return _refuse(ctx, w)
    hall = ctx.site.cfg.hall
    window = hall.window(w)
    state = ctx.link.get(f"window/{w}/state") or {}
    board = ctx.link.get("board") or {}
    queue: dict[str, Any] = {}
    try:
        queue = await ctx.ask("window.queue", window=w)
    except HubError as exc:
        flash = flash or ("bad", hub_error_text(exc))
    now = ctx.now()
    cur = queue.get("current")
    if cur:
        cur = dict(cur, waited=round(((cur.get("called_at") or now) - cur["issued_at"]) / 60),
                   at_counter=round((now - cur["called_at"]) / 60) if cur.get("called_at") else None)
    cats = {c["category"]: c for c in board.get("categories", [])}
    targets = [("c:" + c.id, T["to_category"].format(name=c.name, id=c.id)) for c in hall.categories] + \
              [("w:" + o.id, T["to_window"].format(number=o.number, name=o.name)) for o in hall.windows
               if o.id != w and o.ticketed]
    return ctx.render("window.html", status=status, window=window, state=state, queue=queue, current=cur,
                      waiting_by_cat=[(c, cats.get(c, {}).get("waiting", 0), hall.category(c)) for c in window.categories],
                      actions=[(a, T[f"act_{a}"], KEYS[a]) for a in WINDOW_ACTIONS], reasons=[T[r] for r in REASONS],
                      targets=targets, flash=flash, staff_on_duty=(ctx.link.get(f"window/{w}/staff") or {}).get("staff"))


async def act(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    w = request.match_info["w"]
    if not _assigned(ctx, w):
        return _refuse(ctx, w)
    form = await form_of(request)
    action = form.get("action", "")
    if action not in WINDOW_ACTIONS:
        return await console(request, ctx, ("bad", T["bad_action"]), status=400)
    args: dict[str, Any] = {"window": w, "action": action, "by": ctx.staff.name}
    if action == "pause":
        args["reason"] = form.get("reason", "").strip()[:60] or T["reason_other"]
    elif action == "call":
        number = form.get("ticket", "").strip().upper()
        if not number or len(number) > 32 or not number.replace("-", "").isalnum():
            return await console(request, ctx, ("bad", T["need_ticket"]), status=400)
        args["ticket"] = number
    elif action == "transfer":
        target = form.get("target", "")
        kind, _, ident = target.partition(":")
        hall = ctx.site.cfg.hall
        if kind == "c" and hall.category(ident) is not None:
            args["to_category"] = ident
        elif kind == "w" and hall.window(ident) is not None:
            args["to_window"] = ident
        else:
            return await console(request, ctx, ("bad", T["need_target"]), status=400)
    try:
        result = await ctx.ask("window.command", **args)
    except HubError as exc:
        ctx.audit(f"window_{action}", w, refused=exc.code)
        return await console(request, ctx, ("bad", hub_error_text(exc)), status=409 if exc.code not in
                             ("offline", "timeout") else 503)
    ticket = (result.get("state") or {}).get("ticket") or {}
    ctx.audit(f"window_{action}", w, ticket=ticket.get("number"), **{k: v for k, v in args.items()
                                                                     if k in ("reason", "ticket", "to_category", "to_window")})
    return await console(request, ctx, ("good", f"{T['act_' + action]} · {T['done']}"))


def routes(site: Site) -> None:
    site.on_logout.append(off_duty)
    site.get("/window", pick, roles=ROLES, menu=T["window_title"])
    site.post("/window/{w}/duty", on_duty, roles=ROLES)
    site.get("/window/{w}", console, roles=ROLES)
    site.post("/window/{w}/act", act, roles=ROLES)
