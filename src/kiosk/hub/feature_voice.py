"""政府信息公开申请 on the hub: applications taken at the kiosk's disclosure point, with an application
number and the statutory reply deadline for the receipt. (Ratings are ``feature_evaluations``; the
rectification ledger and 办不成事 feedback are ``feature_cases``.)

Ops: ``disclosure.apply`` {the form's fields}, ``disclosure.list`` {limit?}.

Rule: the form is checked field by field and a mistake is refused with a Chinese message that names the
field (证件号码：…); an 18-digit resident ID must pass its check digit (``kiosk.core.idcard``). The
application is numbered ``<prefix>-<year>-<NNNN>`` and must be answered within ``[disclosure] reply_days``
working days after the day it was received, extendable by ``extension_days`` (《政府信息公开条例》第三十三条).
Name, ID number, phone, address, e-mail and the request text are kept only in the hub's database, shown
masked everywhere, and forgotten after ``[disclosure] retention_days``; type, form, delivery and dates stay
for reports.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.cases import add_working_days
from ..core.idcard import (mask_address, mask_email, mask_id, mask_numbers_in_text, resident_id_problem,
                           valid_email, valid_passport, valid_phone, valid_uscc)
from ..store.disclosure import SCHEMA, Applications
from . import feature_cases as cases
from .features import Feature, Hall, Op, OpContext, OpError
from .help import mask_name, mask_phone

log = logging.getLogger(__name__)

# The form's field names as printed on the official form, for messages.
LABELS = {
    "applicant_type": "申请人类型", "name": "姓名/名称", "id_type": "证件类型", "id_number": "证件号码",
    "phone": "联系电话", "address": "联系地址", "postcode": "邮政编码", "email": "电子邮箱",
    "contact": "联系人", "info_description": "所需信息的内容描述", "purpose": "所需信息的用途",
    "form": "信息的提供形式", "delivery": "获取信息的方式",
}
APPLICANT_TYPES = {"citizen": "公民", "organisation": "法人或其他组织"}
ID_TYPES = {"citizen": {"resident_id": "居民身份证", "passport": "护照", "other": "其他证件"},
            "organisation": {"org_code": "统一社会信用代码", "other": "其他证照"}}
FORMS = {"paper": "纸质", "electronic": "电子"}
DELIVERIES = {"collect": "自行领取", "post": "邮寄", "email": "电子邮件"}
LIMITS = {"name": 100, "address": 200, "contact": 50, "info_description": 500, "purpose": 200, "id_number": 40}
ID_PROBLEMS = {
    "length": "居民身份证号码应为18位",
    "chars": "居民身份证号码只能由数字和末位的X组成",
    "birth_date": "居民身份证号码中的出生日期不正确",
    "check_digit": "身份证号码校验位不正确，请核对后重新输入",
}
MSG_REQUIRED = "{label}：请填写"
MSG_CHOOSE = "{label}：请选择{choices}"
MSG_TOO_LONG = "{label}：不能超过{n}个字"
MSG_BAD_PHONE = "{label}：格式不正确，请填写11位手机号或带区号的固定电话"
MSG_BAD_PASSPORT = "{label}：护照号码应为5至20位字母或数字"
MSG_BAD_USCC = "{label}：统一社会信用代码应为18位，且校验位正确"
MSG_BAD_EMAIL = "{label}：格式不正确（例如 name@example.com）"
MSG_NEED_EMAIL = "{label}：选择电子邮件获取时必须填写"
MSG_BAD_POSTCODE = "{label}：应为6位数字"
MSG_PAPER_BY_EMAIL = "{label}：纸质形式不能通过电子邮件获取，请选择自行领取或邮寄"
RECEIPT = ("您的政府信息公开申请已登记，申请编号{number}。",
           "登记日期{received}。我们将在{reply_due}前答复；",
           "如需延长答复期限，将另行告知，最迟不超过{extended_due}。")
ALERT_TEXT = "政府信息公开申请 {number}（{name}），答复期限 {reply_due}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DisclosureSettings:
    number_prefix: str
    reply_days: int
    extension_days: int
    retention_days: int
    correction_within: int = 7  # lifecycle after 受理: kiosk.hub.feature_disclosure
    correction_days: int = 15
    warn_days: int = 3


def settings(cfg) -> DisclosureSettings:
    s = cfg.role("disclosure")
    pos = lambda v: None if v > 0 else "must be greater than 0"  # noqa: E731
    out = DisclosureSettings(
        number_prefix=s.get("number_prefix", str, "HTGK",
                            check=lambda v: None if re.match(r"^[A-Z]{2,8}$", v) else "must be 2-8 capital letters"),
        reply_days=s.get("reply_days", int, 20, check=pos),
        extension_days=s.get("extension_days", int, 20, check=pos),
        retention_days=s.get("retention_days", int, 365, check=pos),
        correction_within=s.get("correction_within", int, 7, check=pos),
        correction_days=s.get("correction_days", int, 15, check=pos),
        warn_days=s.get("warn_days", int, 3, check=pos))
    s.done()
    return out


def _fail(code: str, template: str, field: str, **kw: Any) -> OpError:
    return OpError(code, template.format(label=LABELS[field], **kw))


def _text(a: dict[str, Any], field: str, *, required: bool) -> str:
    v = (a.get(field) or "").strip()
    if required and not v:
        raise _fail("missing_field", MSG_REQUIRED, field)
    if field in LIMITS and len(v) > LIMITS[field]:
        raise _fail("too_long", MSG_TOO_LONG, field, n=LIMITS[field])
    return v


def _choice(a: dict[str, Any], field: str, choices: dict[str, str], default: str | None = None) -> str:
    v = a.get(field) or default
    if v not in choices:
        raise _fail("missing_field" if v is None else "bad_value", MSG_CHOOSE, field,
                    choices="或".join(choices.values()))
    return v


def check_form(a: dict[str, Any]) -> dict[str, Any]:
    """The form's fields, normalised, or OpError with a message naming the first wrong field."""
    kind = _choice(a, "applicant_type", APPLICANT_TYPES)
    f: dict[str, Any] = {"applicant_type": kind, "name": _text(a, "name", required=True)}
    f["id_type"] = _choice(a, "id_type", ID_TYPES[kind], "resident_id" if kind == "citizen" else "org_code")
    raw_id = _text(a, "id_number", required=True)
    if f["id_type"] == "resident_id":
        problem = resident_id_problem(raw_id)
        if problem:
            raise _fail("bad_id_number", "{label}：" + ID_PROBLEMS[problem], "id_number")
        f["id_number"] = raw_id.upper()
    elif f["id_type"] == "passport":
        f["id_number"] = valid_passport(raw_id) or ""
        if not f["id_number"]:
            raise _fail("bad_id_number", MSG_BAD_PASSPORT, "id_number")
    elif f["id_type"] == "org_code":
        f["id_number"] = valid_uscc(raw_id) or ""
        if not f["id_number"]:
            raise _fail("bad_id_number", MSG_BAD_USCC, "id_number")
    else:
        f["id_number"] = raw_id
    phone = _text(a, "phone", required=True)
    f["phone"] = valid_phone(phone)
    if f["phone"] is None:
        raise _fail("bad_phone", MSG_BAD_PHONE, "phone")
    f["address"] = _text(a, "address", required=True)
    f["contact"] = _text(a, "contact", required=False) or None
    f["info_description"] = mask_numbers_in_text(_text(a, "info_description", required=True))
    f["purpose"] = mask_numbers_in_text(_text(a, "purpose", required=False)) or None
    f["form"] = _choice(a, "form", FORMS)
    f["delivery"] = _choice(a, "delivery", DELIVERIES)
    if f["form"] == "paper" and f["delivery"] == "email":
        raise _fail("bad_value", MSG_PAPER_BY_EMAIL, "delivery")
    email = (a.get("email") or "").strip()
    f["email"] = None
    if f["delivery"] == "email" and not email:
        raise _fail("missing_field", MSG_NEED_EMAIL, "email")
    if email:
        f["email"] = valid_email(email)
        if f["email"] is None:
            raise _fail("bad_email", MSG_BAD_EMAIL, "email")
    postcode = (a.get("postcode") or "").strip()
    if postcode and not re.fullmatch(r"\d{6}", postcode):
        raise _fail("bad_value", MSG_BAD_POSTCODE, "postcode")
    f["postcode"] = postcode or None
    return f


def application_view(row: dict[str, Any], day: date) -> dict[str, Any]:
    """An application as it may be shown or published: every personal field masked."""
    purged = row.get("purged_at") is not None
    return {
        "application": row["number"], "at": row["at"], "received": row["received"], "reply_due": row["reply_due"],
        "extended_due": row["extended_due"], "state": row["state"],
        "overdue": row["state"] == "received" and day > date.fromisoformat(row["reply_due"]),
        "applicant_type": row["applicant_type"], "applicant_type_label": APPLICANT_TYPES.get(row["applicant_type"]),
        "id_type": row["id_type"], "form": row["form"], "form_label": FORMS.get(row["form"]),
        "delivery": row["delivery"], "delivery_label": DELIVERIES.get(row["delivery"]),
        "name": mask_name(row["name"]), "id_number": mask_id(row["id_number"]), "phone": mask_phone(row["phone"]),
        "address": mask_address(row["address"]), "email": mask_email(row["email"]),
        "contact": mask_name(row["contact"]),
        "info_description": mask_numbers_in_text(row["info_description"]),
        "purpose": mask_numbers_in_text(row["purpose"]), "purged": purged,
    }


def op_apply(ctx: OpContext, req) -> dict[str, Any]:
    f = check_form(req.args)
    st = settings(ctx.cfg)
    received = cases.today(ctx)
    is_working = cases.working_day_fn(ctx)
    reply_due = add_working_days(received, st.reply_days, is_working)
    extended_due = add_working_days(reply_due, st.extension_days, is_working)
    seq = cases.next_seq(ctx, f"disclosure_seq_{received.year}")
    number = f"{st.number_prefix}-{received.year}-{seq:04d}"
    row = {"number": number, "at": ctx.now, "received": received.isoformat(), "reply_due": reply_due.isoformat(),
           "extended_due": extended_due.isoformat(), "state": "received", **f}
    Applications(ctx.store).add(row)
    view = application_view(dict(row, purged_at=None), received)
    ctx.alert({"id": number, "kind": "disclosure_applied", "reply_due": view["reply_due"],
               "text": ALERT_TEXT.format(number=number, name=view["name"], reply_due=view["reply_due"])})
    log.info("disclosure application %s received, reply due %s", number, view["reply_due"])
    receipt = [line.format(**view, number=number) for line in RECEIPT]
    return {**view, "receipt": receipt}


def op_list(ctx: OpContext, req) -> dict[str, Any]:
    limit = req.args.get("limit", 500)
    rows = Applications(ctx.store).latest(limit)
    day = cases.today(ctx)
    return {"applications": [application_view(r, day) for r in rows], "day": day.isoformat()}




def purge(ctx: OpContext, retention_days: int) -> int:
    n = Applications(ctx.store).purge(ctx.now, ctx.now - retention_days * cases.DAY_S)
    if n:
        log.info("forgot the personal data of %d old disclosure applications", n)
    return n


class Disclosure(Feature):
    def __init__(self, hall: Hall) -> None:
        super().__init__(hall)
        settings(hall.cfg)  # a mistake in [disclosure] stops the hub at start with file, key and reason
        Applications.open(hall.store)
        self.ops = {"disclosure.apply": Op(op_apply), "disclosure.list": Op(op_list, read_only=True)}

    def on_day_start(self, ctx: OpContext) -> None:
        purge(ctx, settings(ctx.cfg).retention_days)


FEATURE = Disclosure
__all__ = ["FEATURE", "SCHEMA", "application_view", "check_form", "settings"]
