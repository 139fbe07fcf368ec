"""帮办代办: call a member of staff to this terminal, or register a home visit (上门服务).

Rule: a desk call sends ``help.request`` {"kind": "desk", "where": <terminal location>}; the hub
answers at once (state ``waiting``) and later, when staff acknowledge, sends a second reply with the
*same* txn and state ``acknowledged`` — the screen then names who is coming. The waiting call belongs to
the session, not to this screen: it outlives 返回首页 and the idle reset, and the acknowledgement shows as
a banner on whatever screen is up (``TerminalScreen.build``). A home visit collects the
group (老、弱、病、残、孕), a phone number (shown masked once entered) and a village from the config,
then sends ``help.request`` {"kind": "home_visit", …}. Personal data lives only in this screen's
attributes and is forgotten when the screen closes (返回首页 or idle).
"""

from __future__ import annotations

from typing import Any

from ..ui.keys import NumericKeypad
from ..ui.paging import ListItem, PagedList
from ..ui.screen import Transition
from ..ui.widget import Chosen, Column, Context, EntrySubmitted, Pressed, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .base import TerminalScreen
from .codes import mask_phone, valid_phone
from .messages import ReplyIn

MENU = "menu"
DESK_SENDING, DESK_WAITING, DESK_ACKED, DESK_FAILED = "desk_sending", "desk_waiting", "desk_acked", "desk_failed"
V_GROUP, V_PHONE, V_ADDRESS, V_CONFIRM = "visit_group", "visit_phone", "visit_address", "visit_confirm"
V_SENDING, V_DONE, V_FAILED = "visit_sending", "visit_done", "visit_failed"
SENDING = (DESK_SENDING, V_SENDING)
__all__ = ["HelpScreen", "mask_phone", "valid_phone"]


class HelpScreen(TerminalScreen):
    @property
    def shows_help(self) -> bool:  # type: ignore[override]  # these stages say it in full themselves
        return self.stage in (DESK_SENDING, DESK_WAITING, DESK_ACKED)

    def startup(self, data: Any) -> None:
        self.stage = MENU
        self.txn: str | None = None
        self.sent_at = 0.0
        self.by = ""
        self.group = ""
        self.phone = ""
        self.phone_error = False
        self.address = ""
        self.error = ""

    def cleanup(self) -> None:
        self.phone = self.address = ""  # forget personal data at once

    def _go(self, stage: str) -> None:
        self.stage = stage
        self.invalidate()

    def title(self) -> str:
        t = self.t
        return {MENU: t.help_title, DESK_SENDING: t.help_call, DESK_WAITING: t.help_call,
                DESK_ACKED: t.help_call, DESK_FAILED: t.help_call,
                V_GROUP: t.visit_group_title, V_PHONE: t.visit_phone_title, V_ADDRESS: t.visit_address_title,
                V_CONFIRM: t.visit_confirm_title, V_SENDING: t.visit_confirm_title, V_DONE: t.visit_done_title,
                V_FAILED: t.visit_confirm_title}[self.stage]

    def has_back(self) -> bool:
        return self.stage in (V_GROUP, V_PHONE, V_ADDRESS, V_CONFIRM, V_FAILED, DESK_FAILED)

    def back(self) -> Transition | None:
        previous = {V_GROUP: MENU, V_PHONE: V_GROUP, V_ADDRESS: V_PHONE, V_CONFIRM: V_ADDRESS,
                    V_FAILED: V_CONFIRM, DESK_FAILED: MENU}
        self._go(previous.get(self.stage, MENU))
        return None

    # ---- bodies ----------------------------------------------------------------------------------
    def body(self, ctx: Context) -> Widget:
        t = self.t
        end = Spacer("help-end", flex=1)
        if self.stage == MENU:
            return Column("help-menu", [
                TextBlock("help-intro", t.help_intro, fill="surface"),
                Button("help-call", t.help_call, icon="★", choice=True),
                Button("help-visit", t.help_home_visit, icon="◇", tone="secondary", choice=True), end], flex=1)
        if self.stage in (DESK_SENDING, V_SENDING):
            text = t.help_sending if self.stage == DESK_SENDING else t.visit_sending
            return Column("help-wait", [Label("help-sending", text, style="title", align="center"), end], flex=1)
        if self.stage == DESK_WAITING:
            return Column("help-wait", [
                TextBlock("help-status", t.help_waiting, style="title", fill="info", tone="on_info"),
                TextBlock("help-note", t.help_waiting_note), end], flex=1)
        if self.stage == DESK_ACKED:
            return Column("help-wait", [
                TextBlock("help-status", t.help_acked.format(by=self.by), style="title", fill="ok", tone="on_ok"),
                end], flex=1)
        if self.stage in (DESK_FAILED, V_FAILED):
            text = self.error or t.help_failed.format(phone=self.s.phone_for_help())
            return Column("help-fail", [
                TextBlock("help-error", text, style="title", fill="warning", tone="on_warning"), end], flex=1)
        if self.stage == V_GROUP:
            return Column("visit-groups", [
                *[Button(f"group-{i}", g, value=g, tone="secondary", choice=True)
                  for i, g in enumerate(t.visit_groups)], end], flex=1)
        if self.stage == V_PHONE:
            pad = NumericKeypad("phone", value=self.phone, max_length=12)
            hint = TextBlock("phone-error", t.visit_phone_bad, fill="warning", tone="on_warning") \
                if self.phone_error else Spacer("phone-ok")
            if self.landscape:
                return Row("visit-phone", [pad, Column("phone-side", [hint, end])], flex=1)
            return Column("visit-phone", [hint, pad, end], flex=1)
        if self.stage == V_ADDRESS:
            items = [ListItem(label=v, value=v) for v in self.s.settings.villages]
            cols = 1 if self.mode.value == "large" and not self.landscape else (3 if self.landscape else 2)
            return PagedList("villages", items, per_page=8, columns=cols, flex=1)
        if self.stage == V_CONFIRM:
            return Column("visit-confirm", [
                TextBlock("visit-summary", "\n".join([
                    t.visit_line_group.format(group=self.group),
                    t.visit_line_phone.format(phone=mask_phone(self.phone)),
                    t.visit_line_address.format(address=self.address)]), style="title", fill="surface"),
                Button("visit-submit", t.visit_submit, icon="✔", choice=True), end], flex=1)
        # V_DONE
        return Column("visit-done", [
            TextBlock("visit-status", t.visit_done.format(phone=mask_phone(self.phone)), style="title",
                      fill="ok", tone="on_ok"), end], flex=1)

    # ---- behaviour -------------------------------------------------------------------------------
    def _send(self, args: dict[str, Any], sending: str, failed: str) -> None:
        self.txn = self.s.request("help.request", args)
        if self.txn is None:
            self.error = ""
            self._go(failed)
            return
        self.sent_at = self.now
        self._go(sending)

    def on(self, message: Any) -> Transition | None:
        t = self.t
        if isinstance(message, Pressed):
            wid = message.widget_id
            if wid == "help-call" and self.stage == MENU:
                self._send({"kind": "desk", "where": self.s.location[:40]}, DESK_SENDING, DESK_FAILED)
            elif wid == "help-visit" and self.stage == MENU:
                self._go(V_GROUP)
            elif wid.startswith("group-") and self.stage == V_GROUP:
                self.group = message.value
                self._go(V_PHONE)
            elif wid == "visit-submit" and self.stage == V_CONFIRM:
                self._send({"kind": "home_visit", "phone": self.phone, "address": self.address,
                            "group": self.group, "where": self.s.location[:40]}, V_SENDING, V_FAILED)
        elif isinstance(message, EntrySubmitted) and message.widget_id == "phone":
            self.phone = message.value
            self.phone_error = not valid_phone(self.phone)
            self._go(V_PHONE if self.phone_error else V_ADDRESS)
        elif isinstance(message, Chosen) and message.widget_id == "villages":
            self.address = message.value
            self._go(V_CONFIRM)
        elif isinstance(message, ReplyIn) and self.txn and message.reply.txn == self.txn:
            rep = message.reply
            result = rep.result if isinstance(rep.result, dict) else {}
            if not rep.ok:
                self.error = rep.message or t.help_failed.format(phone=self.s.phone_for_help())
                self._go(DESK_FAILED if self.stage == DESK_SENDING else V_FAILED)
            elif result.get("state") == "acknowledged" and self.stage in (DESK_SENDING, DESK_WAITING):
                self.by = str(result.get("by") or "")
                self._go(DESK_ACKED)
            elif self.stage == DESK_SENDING:
                self.s.help_called(self.txn, self.now)
                self._go(DESK_WAITING)
            elif self.stage == V_SENDING:
                self._go(V_DONE)
        return None

    def on_session(self, what: str) -> Transition | None:
        call = self.s.help_call
        if what == "help" and self.stage == DESK_WAITING and call is not None and call["state"] == "acknowledged":
            self.by = call["by"]
            self._go(DESK_ACKED)
        return None

    def tick(self, now: float) -> Transition | None:
        if self.stage in SENDING and now - self.sent_at >= self.s.settings.reply_timeout:
            self.error = ""
            self._go(DESK_FAILED if self.stage == DESK_SENDING else V_FAILED)
        return None
