"""帮办代办: the view of :class:`kiosk.terminal.flows.help.HelpFlow` (a desk call, or a home visit).

The waiting call belongs to the session, not to this screen: it outlives 返回首页 and the idle reset, and
the acknowledgement shows as a banner on whatever screen is up (``TerminalScreen.build``); here it moves
the flow on.

Rule: this module only draws the flow's state; personal data lives only in the flow and is forgotten
when the person leaves (返回首页 or idle).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..ui.keys import NumericKeypad
from ..ui.paging import ListItem, PagedList
from ..ui.screen import Transition
from ..ui.widget import Column, Context, Row, Spacer, Widget
from ..ui.widgets import Button, Label, TextBlock
from .codes import mask_phone, valid_phone
from .flow_screen import FlowScreen
from .flows.base import Replied
from .flows.help import HelpFlow, Stage

S = Stage
__all__ = ["HelpScreen", "mask_phone", "valid_phone"]


class HelpScreen(FlowScreen):
    flow: HelpFlow
    watches: ClassVar[frozenset[str]] = frozenset({"idcard"})

    def make_flow(self, data: Any) -> HelpFlow:
        return HelpFlow(where=self.s.location, reply_timeout=self.s.settings.reply_timeout)

    @property
    def shows_help(self) -> bool:  # type: ignore[override]  # these stages say it in full themselves
        return self.flow.stage in (S.DESK_SENDING, S.DESK_WAITING, S.DESK_ACKED)

    def on_session(self, what: str) -> Transition | None:
        call = self.s.help_call
        if what == "help" and call is not None and call["state"] == "acknowledged":
            # the session took staff's answer to the call this flow made: it is the flow's reply too
            self.feed(Replied(call["txn"], True, result={"state": "acknowledged", "by": call["by"]}))
        return super().on_session(what)

    def title(self) -> str:
        t = self.t
        return {S.MENU: t.help_title, S.DESK_SENDING: t.help_call, S.DESK_WAITING: t.help_call,
                S.DESK_ACKED: t.help_call, S.DESK_FAILED: t.help_call,
                S.V_GROUP: t.visit_group_title, S.V_PHONE: t.visit_phone_title, S.V_ADDRESS: t.visit_address_title,
                S.V_CONFIRM: t.visit_confirm_title, S.V_SENDING: t.visit_confirm_title,
                S.V_DONE: t.visit_done_title, S.V_FAILED: t.visit_confirm_title,
                S.V_CARD: t.card_use_title}[self.flow.stage]

    # ---- bodies ----------------------------------------------------------------------------------
    def card_note(self) -> list[Widget]:
        """While registering: why the last card was not read, or that a card fills the form."""
        t, f = self.t, self.flow
        if f.card_problem:
            return [TextBlock("card-note", t.card_problems.get(f.card_problem, t.card_problems["pulled"]),
                              fill="warning", tone="on_warning")]
        if self.s.cards_ready and not f.from_card:
            return [TextBlock("card-hint", t.visit_card_hint, tone="text_muted")]
        return []

    def body(self, ctx: Context) -> Widget:
        t, f = self.t, self.flow
        stage = f.stage
        end = Spacer("help-end", flex=1)
        if stage is S.V_CARD:
            assert f.card is not None
            name, masked, address = f.card
            return Column("visit-card", [
                TextBlock("card-fields", "\n".join([t.card_line_name.format(name=name),
                                                    t.card_line_id.format(id=masked),
                                                    t.card_line_address.format(address=address)]),
                          style="title", fill="surface"),
                Button("visit-card-use", t.card_use, icon="✔", choice=True),
                Button("visit-card-skip", t.card_skip, icon="✖", tone="secondary", choice=True), end], flex=1)
        if stage is S.MENU:
            return Column("help-menu", [
                TextBlock("help-intro", t.help_intro, fill="surface"),
                Button("help-call", t.help_call, icon="★", choice=True),
                Button("help-visit", t.help_home_visit, icon="◇", tone="secondary", choice=True), end], flex=1)
        if stage in (S.DESK_SENDING, S.V_SENDING):
            text = t.help_sending if stage is S.DESK_SENDING else t.visit_sending
            return Column("help-wait", [Label("help-sending", text, style="title", align="center"), end], flex=1)
        if stage is S.DESK_WAITING:
            return Column("help-wait", [
                TextBlock("help-status", t.help_waiting, style="title", fill="info", tone="on_info"),
                TextBlock("help-note", t.help_waiting_note), end], flex=1)
        if stage is S.DESK_ACKED:
            return Column("help-wait", [
                TextBlock("help-status", t.help_acked.format(by=f.by), style="title", fill="ok", tone="on_ok"),
                end], flex=1)
        if stage in (S.DESK_FAILED, S.V_FAILED):
            text = f.error or t.help_failed.format(phone=self.s.phone_for_help())
            return Column("help-fail", [
                TextBlock("help-error", text, style="title", fill="warning", tone="on_warning"), end], flex=1)
        if stage is S.V_GROUP:
            return Column("visit-groups", [
                *[Button(f"group-{i}", g, value=g, tone="secondary", choice=True)
                  for i, g in enumerate(t.visit_groups)], *self.card_note(), end], flex=1)
        if stage is S.V_PHONE:
            pad = NumericKeypad("phone", value=f.phone, max_length=12)
            note = self.card_note()
            hint = TextBlock("phone-error", t.visit_phone_bad, fill="warning", tone="on_warning") \
                if f.phone_error else (note[0] if note else Spacer("phone-ok"))
            if self.landscape:
                return Row("visit-phone", [pad, Column("phone-side", [hint, end])], flex=1)
            return Column("visit-phone", [hint, pad, end], flex=1)
        if stage is S.V_ADDRESS:
            items = [ListItem(label=v, value=v) for v in self.s.settings.villages]
            cols = 1 if self.mode.value == "large" and not self.landscape else (3 if self.landscape else 2)
            note = self.card_note()
            villages = PagedList("villages", items, per_page=8, columns=cols, flex=1)
            return Column("visit-address", [*note, villages], flex=1) if note else villages
        if stage is S.V_CONFIRM:
            return Column("visit-confirm", [
                TextBlock("visit-summary", "\n".join([
                    *([t.card_line_name.format(name=f.name)] if f.name else []),
                    t.visit_line_group.format(group=f.group),
                    t.visit_line_phone.format(phone=mask_phone(f.phone)),
                    t.visit_line_address.format(address=f.address)]), style="title", fill="surface"),
                Button("visit-submit", t.visit_submit, icon="✔", choice=True), end], flex=1)
        # V_DONE
        return Column("visit-done", [
            TextBlock("visit-status", t.visit_done.format(phone=mask_phone(f.phone)), style="title",
                      fill="ok", tone="on_ok"), end], flex=1)
