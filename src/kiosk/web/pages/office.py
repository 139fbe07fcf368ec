"""后台: the back office's three ledgers for the desk and the director — 政府信息公开申请 after 受理, the
rectification ledger (差评, 办不成事, 12345 orders, call-backs, 申诉复核) and the 上门服务 ledger.

Rule: every figure and every change goes through the hub's ops (``disclosure.*``, ``case.*``, ``visit.*``),
the same the ``kiosk`` commands send; nothing here keeps its own state. ``by`` is the login. Deciding an
appeal and seeing an applicant unmasked are the director's (checked here against the login, and by the
hub's role table for the web's identity); each unmasked view is recorded by the hub and in the audit log.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .. import strings
from ..link import HubError
from ..site import Ctx, Site, form_of, hub_error_text

strings.add({
    "office_apps": "信息公开申请", "office_ledger": "整改台账", "office_visits": "上门服务",
    "office_number": "申请编号", "office_received": "登记日期", "office_due": "答复期限", "office_state": "状态",
    "office_applicant": "申请人", "office_overdue": "超期", "office_none": "暂无记录",
    "office_history": "办理记录", "office_views": "查看完整信息的记录", "office_paused": "补正暂停 {n} 个工作日",
    "office_extended": "已延期", "office_answer": "答复", "office_on_time": "按期", "office_late": "逾期",
    "office_note": "说明 / 理由", "office_until": "补正期限（可空）", "office_kind": "答复类型",
    "office_do_correct": "告知补正", "office_do_corrected": "收到补正", "office_do_extend": "延期答复",
    "office_do_answer": "答复", "office_do_close": "办结", "office_do_withdraw": "申请人撤回",
    "office_do_abandon": "视为放弃",
    "office_reveal": "查看申请人完整信息（将被记录）", "office_revealed": "申请人完整信息（已记录本次查看）",
    "office_done": "已记录：{what}",
    "office_kind_public": "予以公开", "office_kind_already_public": "已主动公开", "office_kind_partial": "部分公开",
    "office_kind_refused": "不予公开", "office_kind_not_exist": "信息不存在", "office_kind_not_ours": "非本机关负责",
    "office_kind_not_processed": "不予处理",
    "office_case": "工单", "office_source": "来源", "office_deadline": "期限", "office_where": "窗口/事项",
    "office_all": "含已办结", "office_open_only": "仅待办", "office_content": "内容",
    "office_hotline_new": "登记12345热线工单", "office_order": "工单号", "office_order_deadline": "热线办理期限",
    "office_phone": "回访电话（可空）", "office_category": "业务类别（可空）", "office_add": "登记",
    "office_do_verify": "核实", "office_do_rectify": "整改完成", "office_do_callback": "记录回访",
    "office_callback_ok": "满意", "office_callback_bad": "不满意（退回整改）",
    "office_appeal": "申诉复核", "office_grounds_mistaken": "误评", "office_grounds_malicious": "恶意差评",
    "office_decide": "复核决定", "office_upheld": "申诉成立（不计入满意率）", "office_rejected": "申诉不成立",
    "office_reopened": "已退回整改 {n} 次", "office_not_counted": "不计入满意率",
    "office_state_received": "办理中", "office_state_correction": "待补正", "office_state_answered": "已答复",
    "office_state_closed": "已办结",
    "office_visit": "登记", "office_asked": "所需服务", "office_group": "服务对象", "office_contact": "联系方式",
    "office_day": "上门日期", "office_staff": "上门人员", "office_outcome": "上门结果",
    "office_do_schedule": "安排上门", "office_do_done": "上门办结", "office_do_cancel": "取消",
    "office_outcome_handled": "已办结", "office_outcome_collected": "已代收材料", "office_outcome_paid": "已代缴",
    "office_outcome_referred": "已转办", "office_outcome_not_home": "未遇到本人",
})
T = strings.STRINGS
ROLES = ("desk", "director")
DIRECTOR = ("director",)
ANSWER_KINDS = ("public", "already_public", "partial", "refused", "not_exist", "not_ours", "not_processed")
OUTCOMES = ("handled", "collected", "paid", "referred", "not_home")
_APP = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{4,6}$")
_CASE = re.compile(r"^[a-z0-9-]{1,32}$")
_VISIT = re.compile(r"^h\d{1,12}$")


def _clean(form: dict[str, str], *keys: str) -> dict[str, Any]:
    return {k: form[k].strip() for k in keys if form.get(k, "").strip()}


async def _ask(ctx: Ctx, op: str, **args: Any) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    try:
        return await ctx.ask(op, **args), None
    except HubError as exc:
        return None, ("bad", hub_error_text(exc))


# ------------------------------------------------------------------ 政府信息公开申请

async def applications(request: web.Request, ctx: Ctx, *, flash: tuple[str, str] | None = None,
                       revealed: dict | None = None, status: int = 200) -> web.StreamResponse:
    listed, err = await _ask(ctx, "disclosure.list")
    number = request.match_info.get("number") or request.query.get("n", "")
    detail = None
    if number and _APP.match(number):
        detail, err2 = await _ask(ctx, "disclosure.get", application=number)
        err = err or err2
    return ctx.render("office_apps.html", status=status, apps=(listed or {}).get("applications", []),
                      app=detail, flash=flash or err, revealed=revealed, kinds=ANSWER_KINDS,
                      may_reveal=ctx.staff.role in DIRECTOR)


async def application_step(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    number = request.match_info["number"]
    form = await form_of(request)
    if not _APP.match(number):
        raise web.HTTPNotFound()
    action = form.get("action", "")
    args = _clean(form, "note", "until", "answer_kind")
    if action != "answer":
        args.pop("answer_kind", None)
    res, flash = await _ask(ctx, "disclosure.advance", application=number, action=action, by=ctx.staff.name, **args)
    ctx.audit("disclosure_" + action if res else "disclosure_refused", number)
    return await applications(request, ctx, flash=flash or ("good", T["office_done"].format(
        what=T.get(f"office_do_{action}", action))), status=409 if flash else 200)


async def application_reveal(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    number = request.match_info["number"]
    form = await form_of(request)
    if not _APP.match(number):
        raise web.HTTPNotFound()
    res, flash = await _ask(ctx, "disclosure.reveal", application=number, by=ctx.staff.name,
                            reason=form.get("note", "").strip())
    ctx.audit("disclosure_reveal" if res else "disclosure_reveal_refused", number, reason=form.get("note", "")[:100])
    return await applications(request, ctx, flash=flash, revealed=res, status=409 if flash else 200)


# ------------------------------------------------------------------ 整改台账 (差评, 办不成事, 12345, 申诉复核)

async def ledger(request: web.Request, ctx: Ctx, *, flash: tuple[str, str] | None = None,
                 status: int = 200) -> web.StreamResponse:
    everything = request.query.get("all") == "1"
    listed, err = await _ask(ctx, "case.list", **({"all": True} if everything else {}))
    cid = request.match_info.get("id") or request.query.get("c", "")
    detail = None
    if cid and _CASE.match(cid):
        detail, err2 = await _ask(ctx, "case.get", id=cid)
        err = err or err2
    return ctx.render("office_ledger.html", status=status, cases=(listed or {}).get("cases", []), case=detail,
                      flash=flash or err, everything=everything, may_decide=ctx.staff.role in DIRECTOR,
                      categories=[(c.id, c.name) for c in ctx.site.cfg.hall.categories])


async def case_step(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    cid = request.match_info["id"]
    if not _CASE.match(cid):
        raise web.HTTPNotFound()
    form = await form_of(request)
    action = form.get("action", "")
    note = form.get("note", "").strip()
    if action == "appeal":
        res, flash = await _ask(ctx, "case.appeal", id=cid, by=ctx.staff.name, grounds=form.get("grounds", ""),
                                reason=note)
    elif action == "decide":
        if ctx.staff.role not in DIRECTOR:
            ctx.audit("case_decide_refused", cid)
            return ctx.render("message.html", status=403, message=T["forbidden"])
        res, flash = await _ask(ctx, "case.decide", id=cid, by=ctx.staff.name, decision=form.get("decision", ""),
                                reason=note)
    else:
        args = {"note": note} if note else {}
        if action == "callback":
            args["callback_result"] = form.get("result", "")
        res, flash = await _ask(ctx, "case.advance", id=cid, action=action, by=ctx.staff.name, **args)
    ctx.audit("case_" + action if res else "case_refused", cid)
    return await ledger(request, ctx, flash=flash or ("good", T["office_done"].format(
        what=T.get(f"office_do_{action}", T.get(f"office_{action}", action)))), status=409 if flash else 200)


async def hotline(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    form = await form_of(request)
    args = _clean(form, "order", "content", "deadline", "phone", "category")
    res, flash = await _ask(ctx, "case.hotline", by=ctx.staff.name, **args)
    ctx.audit("case_hotline" if res else "case_refused", args.get("order", ""))
    if res:
        raise web.HTTPSeeOther(f"/office/ledger/{res['id']}")
    return await ledger(request, ctx, flash=flash, status=409)


# ------------------------------------------------------------------ 上门服务

async def visits(request: web.Request, ctx: Ctx, *, flash: tuple[str, str] | None = None,
                 status: int = 200) -> web.StreamResponse:
    everything = request.query.get("all") == "1"
    listed, err = await _ask(ctx, "visit.list", **({"all": True} if everything else {}))
    vid = request.match_info.get("id", "")
    detail = None
    if vid and _VISIT.match(vid):
        detail, err2 = await _ask(ctx, "visit.get", id=vid)
        err = err or err2
    return ctx.render("office_visits.html", status=status, visits=(listed or {}).get("visits", []), visit=detail,
                      flash=flash or err, everything=everything, outcomes=OUTCOMES)


async def visit_step(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    vid = request.match_info["id"]
    if not _VISIT.match(vid):
        raise web.HTTPNotFound()
    form = await form_of(request)
    action = form.get("action", "")
    args = _clean(form, "note", "day", "staff", "outcome")
    if action != "schedule":
        args.pop("day", None), args.pop("staff", None)
    if action != "done":
        args.pop("outcome", None)
    res, flash = await _ask(ctx, "visit.advance", id=vid, action=action, by=ctx.staff.name, **args)
    ctx.audit("visit_" + action if res else "visit_refused", vid)
    return await visits(request, ctx, flash=flash or ("good", T["office_done"].format(
        what=T.get(f"office_do_{action}", action))), status=409 if flash else 200)


def routes(site: Site) -> None:
    site.get("/office/applications", applications, roles=ROLES, menu=T["office_apps"])
    site.get("/office/applications/{number}", applications, roles=ROLES)
    site.post("/office/applications/{number}/step", application_step, roles=ROLES)
    site.post("/office/applications/{number}/reveal", application_reveal, roles=DIRECTOR)
    site.get("/office/ledger", ledger, roles=ROLES, menu=T["office_ledger"])
    site.get("/office/ledger/{id}", ledger, roles=ROLES)
    site.post("/office/ledger/hotline", hotline, roles=ROLES)
    site.post("/office/ledger/{id}/step", case_step, roles=ROLES)
    site.get("/office/visits", visits, roles=ROLES, menu=T["office_visits"])
    site.get("/office/visits/{id}", visits, roles=ROLES)
    site.post("/office/visits/{id}/step", visit_step, roles=ROLES)
