"""Request fields of the citizen's-voice ops: 好差评, the rectification ledger, 办不成事 feedback and
政府信息公开 applications (see docs/evaluation.md).

Rule: this table checks types and outer limits only. Fields a person types on the kiosk (names, ID
numbers, phones, the disclosure form) are optional here and checked by the hub feature, so a mistake
comes back as a Chinese message naming the field rather than a protocol error; and no check here
echoes a personal value into an error message.
"""

from __future__ import annotations

import re

from .fields import CATEGORY, TICKET, bool_field, int_field, list_field, str_field

_CHIP = re.compile(r"^[a-z0-9_]{1,32}$")
_CASE = re.compile(r"^[a-z0-9-]{1,32}$")
_ITEM = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ORDER = re.compile(r"^[A-Za-z0-9-]{4,40}$")
_WINDOW = re.compile(r"^[a-z0-9_-]{1,32}$")
_HELP = re.compile(r"^h\d{1,12}$")
_APPLICATION = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{4,6}$")
_TYPED = dict(max_len=1000)  # outer bound; the feature applies the form's own limits with clear messages

OPS = {
    "evaluation.submit": {
        "ticket": (str_field(TICKET, 32), True),  # id (20261129-A012) or today's number (A012)
        "level": (int_field(1, 5), True),
        "reasons": (list_field(str_field(_CHIP, 32), 11), False),
        "text": (str_field(**_TYPED), False),
        "phone": (str_field(max_len=40), False),
        "channel": (str_field(choices=("kiosk", "pad", "qr")), False),
        "token": (str_field(_TOKEN, 64), False),  # the ticket's secret, from its QR (docs/protocol.md)
    },
    "evaluation.stats": {
        "since": (str_field(_DAY, 10), False),
        "until": (str_field(_DAY, 10), False),
    },
    "feedback.submit": {
        "item": (str_field(_ITEM, 64), False),
        "item_text": (str_field(**_TYPED), False),
        "problem": (str_field(**_TYPED), False),
        "phone": (str_field(max_len=40), False),
        "want_ticket": (bool_field, False),
    },
    "case.list": {
        "overdue": (bool_field, False),
        "all": (bool_field, False),
        "source": (str_field(choices=("evaluation", "feedback", "hotline")), False),
    },
    "case.get": {"id": (str_field(_CASE, 32), True)},
    "case.advance": {
        "id": (str_field(_CASE, 32), True),
        "action": (str_field(choices=("verify", "rectify", "callback", "close")), True),
        "by": (str_field(max_len=40), True),
        "note": (str_field(max_len=500), False),
        "callback_result": (str_field(choices=("满意", "不满意")), False),
    },
    "case.hotline": {
        "order": (str_field(_ORDER, 40), True),  # the 12345 platform's work-order number
        "content": (str_field(**_TYPED), True),
        "deadline": (str_field(_DAY, 10), True),  # the hotline's reply deadline, YYYY-MM-DD
        "by": (str_field(max_len=40), True),
        "phone": (str_field(max_len=40), False),
        "category": (str_field(CATEGORY, 8), False),
        "window": (str_field(_WINDOW, 32), False),
    },
    "case.appeal": {
        "id": (str_field(_CASE, 32), True),
        "by": (str_field(max_len=40), True),
        "grounds": (str_field(choices=("mistaken", "malicious")), True),
        "reason": (str_field(max_len=500), True),
    },
    "case.decide": {
        "id": (str_field(_CASE, 32), True),
        "by": (str_field(max_len=40), True),
        "decision": (str_field(choices=("upheld", "rejected")), True),
        "reason": (str_field(max_len=500), True),
    },
    "disclosure.apply": {
        "applicant_type": (str_field(max_len=20), False),
        "name": (str_field(**_TYPED), False),
        "id_type": (str_field(max_len=20), False),
        "id_number": (str_field(max_len=40), False),
        "phone": (str_field(max_len=40), False),
        "address": (str_field(**_TYPED), False),
        "info_description": (str_field(**_TYPED), False),
        "purpose": (str_field(**_TYPED), False),
        "form": (str_field(max_len=20), False),
        "delivery": (str_field(max_len=20), False),
        "email": (str_field(max_len=300), False),
        "postcode": (str_field(max_len=20), False),
        "contact": (str_field(**_TYPED), False),
    },
    "disclosure.list": {"limit": (int_field(1, 5000), False)},
    "visit.list": {"all": (bool_field, False)},
    "visit.get": {"id": (str_field(_HELP, 32), True)},
    "visit.advance": {
        "id": (str_field(_HELP, 32), True),
        "action": (str_field(choices=("schedule", "done", "cancel")), True),
        "by": (str_field(max_len=40), True),
        "note": (str_field(max_len=500), False),
        "day": (str_field(_DAY, 10), False),
        "staff": (str_field(max_len=40), False),
        "outcome": (str_field(choices=("handled", "collected", "paid", "referred", "not_home")), False),
    },
    "disclosure.get": {"application": (str_field(_APPLICATION, 24), True)},
    "disclosure.advance": {
        "application": (str_field(_APPLICATION, 24), True),
        "action": (str_field(choices=("correct", "corrected", "abandon", "extend", "answer", "close", "withdraw")),
                   True),
        "by": (str_field(max_len=40), True),
        "note": (str_field(max_len=500), False),
        "answer_kind": (str_field(choices=("public", "already_public", "partial", "refused", "not_exist", "not_ours",
                                           "not_processed")), False),
        "until": (str_field(_DAY, 10), False),  # 补正: the day the applicant has to complete the request by
    },
    "disclosure.reveal": {
        "application": (str_field(_APPLICATION, 24), True),
        "by": (str_field(max_len=40), True),
        "reason": (str_field(max_len=200), True),
    },
}
