"""What a phone page says: a ticket's track view (``ticket.track``) or a booking (``appointment.lookup``)
turned into the lines of the page.

Rule: pure — no I/O, no clock reads; the words come from ``strings.PHONE``. Only what the hub's views
carry can appear, and those carry nothing personal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any, Mapping

from ...core import evaluation as E

LIVE_STATES = ("waiting", "called", "serving")  # a page in these states follows the hall live


@dataclass(frozen=True, slots=True)
class TicketPage:
    number: str
    business: str
    state: str
    state_text: str
    ahead: str | None      # "3 人" while waiting
    wait: str | None       # "约 12 分钟" while waiting
    banner: str | None     # "请到 3 号窗口" once called (and while served there)
    banner_sub: str | None
    called: bool
    help: str | None       # what to do after 过号 or a cancelled number
    rateable: bool
    rated: bool
    live: bool

    def key(self) -> tuple:
        """What a live event compares: a page is told only when one of these changed."""
        return (self.state, self.ahead, self.wait, self.banner, self.rateable, self.rated)


def ticket_page(view: Mapping[str, Any], t: Mapping[str, str]) -> TicketPage:
    state = str(view.get("state", ""))
    waiting = state == "waiting"
    ahead = view.get("people_ahead")
    eta = view.get("eta_s")
    wait = None
    if waiting:
        if eta is None:
            wait = t["ph_wait_unknown"]
        elif eta < 60:
            wait = t["ph_wait_soon"]
        else:
            wait = t["ph_wait_min"].format(m=round(eta / 60))
    w = view.get("window") or {}
    banner = sub = None
    if state == "called" and w:
        banner = t["ph_banner_called"].format(n=w.get("number"))
        sub = t["ph_banner_called_sub"].format(name=w.get("name", ""), number=view.get("number", ""))
    elif state == "serving" and w:
        banner = t["ph_banner_serving"].format(n=w.get("number"))
    help_text = {"no_show": t["ph_no_show_help"], "voided": t["ph_voided_help"]}.get(state)
    return TicketPage(
        number=str(view.get("number", "")), business=str(view.get("business", "")), state=state,
        state_text=t.get(f"ph_state_{state}", state), ahead=t["ph_ahead_n"].format(n=ahead) if waiting and
        isinstance(ahead, int) else None, wait=wait, banner=banner, banner_sub=sub, called=state == "called",
        help=help_text, rateable=bool(view.get("rateable")), rated=bool(view.get("rated")),
        live=state in LIVE_STATES)


def live_html(p: TicketPage, t: Mapping[str, str], updated: str) -> str:
    """The page's live part (``<div id="live">``): in the page as loaded and in every live event, so its
    markup exists once. Plain string building: 500 pages are re-drawn on every press."""
    e = escape
    out = []
    if p.banner:
        sub = f"<span>{e(p.banner_sub)}</span>" if p.banner_sub else ""
        out.append(f'<div class="ph-banner{" called" if p.called else ""}" id="banner" role="alert">'
                   f"<strong>{e(p.banner)}</strong>{sub}</div>")
    out.append(f'<div class="ph-number"><span class="lbl">{e(t["ph_number"])}</span>'
               f'<span class="num" id="number">{e(p.number)}</span></div>')
    rows = [("business", t["ph_business"], p.business), ("state", t["ph_state"], p.state_text),
            ("ahead", t["ph_ahead"], p.ahead), ("wait", t["ph_wait"], p.wait)]
    out.append('<dl class="ph-facts">' + "".join(f'<div><dt>{e(label)}</dt><dd id="{key}">{e(value)}</dd></div>'
                                                 for key, label, value in rows if value) + "</dl>")
    if p.help:
        out.append(f'<p class="ph-help" id="help">{e(p.help)}</p>')
    live = f" · {e(t['ph_live'])}" if p.live else ""
    out.append(f'<p class="ph-small" id="updated">{e(t["ph_updated"].format(time=updated))}{live}</p>')
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class RateForm:
    levels: tuple[tuple[int, str], ...]   # the five official levels, best first, all alike
    reasons: tuple[tuple[str, str], ...]
    text_max: int


def rate_form() -> RateForm:
    return RateForm(levels=E.LEVELS, reasons=tuple(E.BAD_REASONS.items()), text_max=E.TEXT_MAX)


def day_text(day: str, t: Mapping[str, str]) -> str:
    try:
        d = date.fromisoformat(day)
    except ValueError:
        return day
    return t["ph_day"].format(m=d.month, d=d.day, w=t["ph_weekdays"][d.weekday()])


def booking_lines(b: Mapping[str, Any], t: Mapping[str, str]) -> list[tuple[str, str | list[str]]]:
    """(label, value) rows of a booking's page; a list value is names the page keeps whole on a line each."""
    state = str(b.get("state", ""))
    states = {"booked": t["ph_booking_booked"], "cancelled": t["ph_booking_cancelled"],
              "no_show": t["ph_booking_no_show"],
              "checked_in": t["ph_booking_checked_in"].format(ticket=b.get("ticket") or "")}
    windows = [t["ph_booking_window"].format(n=w.get("number"), name=w.get("name", "")) for w in b.get("windows") or []]
    rows: list[tuple[str, str | list[str]]] = [(t["ph_booking_code"], str(b.get("code", ""))),
            (t["ph_booking_when"], t["ph_booking_when_v"].format(day=day_text(str(b.get("date", "")), t),
                                                                  start=b.get("start", ""), end=b.get("end", ""))),
            (t["ph_booking_business"], str(b.get("category_name", ""))),
            (t["ph_booking_state"], states.get(state, state))]
    if windows:
        rows.append((t["ph_booking_where"], windows))
    if state == "booked":
        rows.append((t["ph_booking_how"], t["ph_booking_how_v"].format(grace=b.get("grace_minutes", 15))))
    return rows


def booking_materials(b: Mapping[str, Any]) -> list[str]:
    return [m for item in b.get("items") or [] for m in item.get("materials", [])]
