"""好差评: the five evaluation levels, the reasons a citizen may pick for a bad one, and the rules.

Rule: 一事一评 — one evaluation per completed service event (a ticket); 严禁先评价、后办事 — a ticket that
has not been completed cannot be rated; 严禁强制好评 — nothing here or in the hub ever waits for a rating
(a window's next call does not depend on it). Levels 1–2 (不满意, 非常不满意) are bad ratings: they
need at least one reason from ``BAD_REASONS`` and open a rectification case (``kiosk.core.cases``).

Pure: standard library only; time and the ticket's state are arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import CoreError
from .idcard import valid_phone

# The national 政务服务好差评 scale, best first. Exact labels: they are shown and printed as they are.
LEVELS: tuple[tuple[int, str], ...] = (
    (5, "非常满意"),
    (4, "满意"),
    (3, "基本满意"),
    (2, "不满意"),
    (1, "非常不满意"),
)
LEVEL_LABELS: dict[int, str] = dict(LEVELS)
BAD_LEVEL_MAX = 2  # 不满意 and 非常不满意 are 差评

# Reason chips offered for a bad rating (id → label). Ids are stable on the wire; labels are for people.
BAD_REASONS: dict[str, str] = {
    "wait_long": "排队等候时间长",
    "attitude": "服务态度不好",
    "not_told_once": "未一次性告知所需材料",
    "slow": "办理效率低、超时限",
    "many_trips": "多次跑腿",
    "process": "流程繁琐",
    "materials": "材料要求多",
    "not_done": "事情没有办成",
    "unclear_guide": "办事指南不清楚",
    "facilities": "设施设备不便",
    "other": "其他",
}
CHANNELS = ("kiosk", "pad", "qr")
TEXT_MAX = 200

# Messages for people (shown on the kiosk); the code is for machines.
MSG_NOT_SERVED = "该号码的业务尚未办结，办结后才能评价（严禁先评价、后办事）"
MSG_ALREADY = "该号码已评价过，每次办事只能评价一次"
MSG_NEED_REASON = "请至少选择一项不满意的原因"
MSG_REASON_FOR_GOOD = "满意评价无需选择不满意原因"
MSG_BAD_REASON = "不满意原因“{reason}”不在可选范围内"
MSG_TEXT_LONG = "评价内容不能超过{n}个字"
MSG_BAD_PHONE = "联系电话格式不正确，请填写11位手机号或带区号的固定电话"
MSG_BAD_LEVEL = "评价等级必须是1至5"
MSG_BAD_CHANNEL = "评价渠道必须是 kiosk、pad 或 qr"


class EvaluationError(CoreError):
    """A rating the rules refuse; ``code`` is one of not_served, already_rated, bad_value, bad_phone,
    missing_field, too_long."""

    code = "bad_value"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating:
    """A validated rating, before it is stored."""

    level: int
    reasons: tuple[str, ...]
    text: str
    phone: str | None  # digits only; stored in the hub's database only
    channel: str

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def bad(self) -> bool:
        return is_bad(self.level)


def is_bad(level: int) -> bool:
    return level <= BAD_LEVEL_MAX


def label(level: int) -> str:
    return LEVEL_LABELS[level]


def reason_labels(ids: Iterable[str]) -> list[str]:
    return [BAD_REASONS.get(r, r) for r in ids]


def check_rateable(ticket_state: str | None, already_rated: bool) -> None:
    """Refuse a rating of a ticket that was not completed, or that was already rated.

    ``ticket_state`` is the queue state value (``completed`` …) or None when no completion is known.
    """
    if ticket_state != "completed":
        raise EvaluationError(MSG_NOT_SERVED, code="not_served")
    if already_rated:
        raise EvaluationError(MSG_ALREADY, code="already_rated")


def validate(*, level: int, reasons: Iterable[str] = (), text: str | None = None, phone: str | None = None,
             channel: str = "kiosk") -> Rating:
    """Check one submission against the rules; raises EvaluationError naming what is wrong."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVEL_LABELS:
        raise EvaluationError(MSG_BAD_LEVEL, code="bad_value")
    if channel not in CHANNELS:
        raise EvaluationError(MSG_BAD_CHANNEL, code="bad_value")
    chosen: list[str] = []
    for r in reasons:
        if r not in BAD_REASONS:
            raise EvaluationError(MSG_BAD_REASON.format(reason=str(r)[:20]), code="bad_value")
        if r not in chosen:
            chosen.append(r)
    if is_bad(level) and not chosen:
        raise EvaluationError(MSG_NEED_REASON, code="missing_field")
    if not is_bad(level) and chosen:
        raise EvaluationError(MSG_REASON_FOR_GOOD, code="bad_value")
    body = (text or "").strip()
    if len(body) > TEXT_MAX:
        raise EvaluationError(MSG_TEXT_LONG.format(n=TEXT_MAX), code="too_long")
    digits = None
    if phone:
        digits = valid_phone(phone)
        if digits is None:
            raise EvaluationError(MSG_BAD_PHONE, code="bad_phone")
    return Rating(level=level, reasons=tuple(chosen), text=body, phone=digits, channel=channel)


def qr_url(template: str, *, site: str, ticket: str) -> str:
    """The evaluation link printed as a QR code on a ticket (一码通评), from the configured template.

    ``template`` holds ``{site}`` and ``{ticket}`` (the ticket id, e.g. 20261129-A012); anything else in
    braces is an error, so a typo in the config cannot produce a broken code.
    """
    try:
        return template.format(site=site, ticket=ticket)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"the QR template may only use {{site}} and {{ticket}}: {exc}") from None


def template_problem(template: str) -> str | None:
    """Why a configured QR template is unusable, or None (used when the config is read)."""
    if "{ticket}" not in template:
        return "must contain {ticket}"
    try:
        qr_url(template, site="s", ticket="t")
    except ValueError as exc:
        return str(exc)
    return None


def summarise(levels: Iterable[int]) -> dict[str, Any]:
    """Counts per level and the satisfaction rate (levels 3–5 of all), for reports."""
    counts = {lv: 0 for lv, _ in LEVELS}
    for lv in levels:
        if lv in counts:
            counts[lv] += 1
    total = sum(counts.values())
    good = sum(n for lv, n in counts.items() if not is_bad(lv))
    return {"total": total, "levels": {LEVEL_LABELS[lv]: counts[lv] for lv, _ in LEVELS},
            "bad": total - good, "satisfaction": None if total == 0 else round(good / total, 4)}
