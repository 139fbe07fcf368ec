"""主任 · 事项目录: replace the service catalogue from the city's spreadsheet — upload, preview, 确认导入.

Rule: the web never touches the hub's files: it checks the upload with ``kiosk catalog import - --json`` in
a short-lived child process (the same parser as the hub and the command line; the pinyin dictionaries never
load into the web), shows the counts, the difference from the catalogue the hall shows now (the retained
``catalog``) and every bad row, and sends nothing until the director confirms. The checked text waits on
the server for that director's confirmation (``STASH_S``), so what is sent is exactly what was previewed;
the hub validates it again (``catalog.replace``) and answers ok or the rows it refuses. Each import is
audited with the login as ``by``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ...protocol import encode
from ...protocol.ops_catalog import MAX_CATALOG_CSV, MAX_CATALOG_REQUEST
from .. import strings
from ..link import HubError
from ..site import Ctx, Site, hub_error_text

strings.add({
    "director_catalog": "事项目录", "catalog_now": "当前事项目录", "catalog_items": "事项",
    "catalog_departments": "部门", "catalog_categories": "业务类别", "catalog_upload": "上传新的事项目录",
    "catalog_file": "事项目录表格（CSV 文件，UTF-8 或 GBK 编码，上限 512 KB）",
    "catalog_hint": "在表格软件中“另存为”CSV。上传后先预览检查，确认后才会更新大厅的自助机和信息屏。",
    "catalog_check": "上传并预览", "catalog_confirm": "确认导入", "catalog_cancel": "取消",
    "catalog_preview": "导入预览", "catalog_diff": "与当前目录相比", "catalog_added": "新增",
    "catalog_removed": "删除", "catalog_changed": "修改", "catalog_unchanged": "未变",
    "catalog_no_change": "与当前目录完全相同", "catalog_changed_fields": "修改内容",
    "catalog_errors": "表格有误，未导入（请改正后重新上传）", "catalog_row": "行", "catalog_column": "列",
    "catalog_problem": "问题", "catalog_whole_file": "整个文件",
    "catalog_no_file": "请选择要导入的 CSV 文件",
    "catalog_too_large": "文件太大（超过 {limit} 字节），未导入。事项目录通常只有几十 KB，请确认选对了文件",
    "catalog_check_failed": "无法检查该文件，请稍后重试",
    "catalog_expired": "预览已过期或已导入，请重新上传",
    "catalog_done": "事项目录已更新：共 {items} 项（新增 {added}，删除 {removed}，修改 {changed}），自助机和信息屏已同步",
    "catalog_refused": "叫号主机拒绝导入：{message}", "catalog_none": "大厅暂未收到事项目录",
    "catalog_id": "事项编码", "catalog_name": "事项名称",
})
T = strings.STRINGS
ROLES = ("director",)
STASH_S = 15 * 60  # how long a preview may be confirmed
CHECK_TIMEOUT_S = 120  # the child process on a busy Pi
IMPORT_TIMEOUT_S = 120  # the hub installs it in a worker process
# the changed columns, named as the spreadsheet names them (docs/catalog.md)
FIELDS = {"name": "事项名称", "department": "实施部门", "category": "队列类别", "materials": "办理材料",
          "steps": "办理流程", "time_limit_days": "法定时限", "promised_days": "承诺时限", "fees": "收费",
          "window": "办理窗口", "basis": "设定依据", "online": "是否可网办", "appointment": "是否可预约",
          "life_events": "人生事件", "aliases": "别名", "online_url": "网办地址", "time_limit_unit": "时限单位",
          "time_limit_source": "时限出处"}


@dataclass(slots=True)
class Pending:
    login: str
    text: str
    expires: float
    counts: dict[str, int]


STASH_KEY: web.AppKey[dict[str, Pending]] = web.AppKey("catalog_stash", dict)  # type: ignore[arg-type]
CHECKS_KEY: web.AppKey[asyncio.Semaphore] = web.AppKey("catalog_checks", asyncio.Semaphore)


def catalog_diff(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """Items added, removed and changed (with the columns that changed) from ``old`` to ``new``, by id."""
    before = {i["id"]: i for i in old if isinstance(i, dict) and "id" in i}
    after = {i["id"]: i for i in new}
    changed = []
    for iid, item in after.items():
        if iid in before:
            cols = [label for key, label in FIELDS.items() if before[iid].get(key) != item.get(key)]
            if cols:
                changed.append({"id": iid, "name": item["name"], "fields": cols})
    return {"added": [{"id": i, "name": after[i]["name"]} for i in after if i not in before],
            "removed": [{"id": i, "name": before[i].get("name", "")} for i in before if i not in after],
            "changed": changed, "unchanged": sum(1 for i in after if i in before) - len(changed)}


def summary(items: list[dict[str, Any]]) -> dict[str, int]:
    return {"items": len(items), "departments": len({i.get("department") for i in items}),
            "categories": len({i.get("category") for i in items})}


def _current(ctx: Ctx) -> list[dict[str, Any]]:
    body = ctx.link.get("catalog") or {}
    cat = body.get("catalog") if isinstance(body.get("catalog"), dict) else {}
    items = cat.get("items") if isinstance(cat.get("items"), list) else []
    return [i for i in items if isinstance(i, dict)]


async def check_csv(site: Site, raw: bytes) -> dict[str, Any] | None:
    """``kiosk catalog import - --json`` on the bytes: {ok, problems, catalog, text}; None if it failed."""
    async with site.app[CHECKS_KEY]:  # one child at a time: each loads the pinyin dictionaries (~55 MB)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kiosk", "catalog", "import", "-", "--json",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await asyncio.wait_for(proc.communicate(raw), CHECK_TIMEOUT_S)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            return None
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    if not isinstance(result, dict) or proc.returncode not in (0, 2):
        return None
    return result


def _stash(site: Site, login: str, text: str, counts: dict[str, int], now: float) -> str:
    stash = site.app[STASH_KEY]
    for token in [t for t, p in stash.items() if p.expires < now or p.login == login]:
        del stash[token]  # one preview per director at a time; expired ones go
    token = secrets.token_urlsafe(16)
    stash[token] = Pending(login, text, now + STASH_S, counts)
    return token


async def page(request: web.Request, ctx: Ctx, *, status: int = 200, **values: Any) -> web.StreamResponse:
    current = _current(ctx)
    base = {"flash": None, "problems": None, "preview": None, "diff": None, "token": "",
            "current": summary(current) if current else None}
    return ctx.render("catalog.html", status=status, **(base | values))


async def preview(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    form = await request.post()
    upload = form.get("file")
    if not hasattr(upload, "file") or not getattr(upload, "filename", ""):
        return await page(request, ctx, status=400, flash=("bad", T["catalog_no_file"]))
    raw = upload.file.read(MAX_CATALOG_CSV + 1)  # type: ignore[union-attr]
    if len(raw) > MAX_CATALOG_CSV:
        return await page(request, ctx, status=400,
                          flash=("bad", T["catalog_too_large"].format(limit=f"{MAX_CATALOG_CSV:,}")))
    result = await check_csv(ctx.site, raw)
    if result is None:
        return await page(request, ctx, status=503, flash=("bad", T["catalog_check_failed"]))
    if not result.get("ok"):
        ctx.audit("catalog_check_refused", upload.filename, problems=len(result.get("problems", [])))
        return await page(request, ctx, status=400, problems=result.get("problems", []),
                          filename=upload.filename)
    new = result["catalog"]["items"]
    counts = summary(new)
    diff = catalog_diff(_current(ctx), new)
    counts.update({k: len(diff[k]) for k in ("added", "removed", "changed")})
    token = _stash(ctx.site, ctx.staff.name, result["text"], counts, ctx.now())  # type: ignore[union-attr]
    return await page(request, ctx, preview=counts, diff=diff, token=token, filename=upload.filename)


async def confirm(request: web.Request, ctx: Ctx) -> web.StreamResponse:
    form = await request.post()
    token = form.get("token")
    pending = ctx.site.app[STASH_KEY].get(token) if isinstance(token, str) else None
    login = ctx.staff.name  # type: ignore[union-attr]
    if pending is None or pending.login != login or pending.expires < ctx.now():
        return await page(request, ctx, status=409, flash=("bad", T["catalog_expired"]))
    if len(encode({"csv": pending.text, "by": login, "txn": "x" * 64, "reply_to": "x" * 200})) > MAX_CATALOG_REQUEST:
        return await page(request, ctx, status=400,  # only a file of little but quotes and line breaks
                          flash=("bad", T["catalog_too_large"].format(limit=f"{MAX_CATALOG_REQUEST:,}")))
    try:  # re-sent (same txn, one import) only rarely: the hub takes a second or more to install it
        result = await ctx.link.request("catalog.replace", {"csv": pending.text, "by": login},
                                        timeout=IMPORT_TIMEOUT_S, retry_every=20.0)
    except HubError as exc:
        ctx.audit("catalog_import_refused", exc.code, message=exc.message[:300])
        text = T["catalog_refused"].format(message=exc.message) if exc.code == "bad_catalog" else hub_error_text(exc)
        return await page(request, ctx, status=502, flash=("bad", text))
    ctx.site.app[STASH_KEY].pop(token, None)  # type: ignore[arg-type]
    c = pending.counts
    ctx.audit("catalog_import", result.get("version", ""), items=result.get("items"), added=c["added"],
              removed=c["removed"], changed=c["changed"], previous=result.get("previous", ""))
    return await page(request, ctx, flash=("good", T["catalog_done"].format(
        items=result.get("items", c["items"]), added=c["added"], removed=c["removed"], changed=c["changed"])))


def routes(site: Site) -> None:
    site.app[STASH_KEY] = {}
    site.app[CHECKS_KEY] = asyncio.Semaphore(1)
    site.get("/director/catalog", page, roles=ROLES, menu=T["director_catalog"])
    site.post("/director/catalog/preview", preview, roles=ROLES)
    site.post("/director/catalog/confirm", confirm, roles=ROLES)
