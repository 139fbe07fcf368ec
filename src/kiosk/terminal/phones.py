"""服务电话: the hall's phone numbers from the site config ([phones])."""

from __future__ import annotations

from ..ui.widget import Column, Context, Spacer, Widget
from ..ui.widgets import TextBlock
from .base import TerminalScreen


class PhonesScreen(TerminalScreen):
    def title(self) -> str:
        return self.t.phones_title

    def lines(self) -> list[tuple[str, str]]:
        t, p = self.t, self.s.cfg.phones
        pairs = [(t.phone_consultation, p.consultation), (t.phone_complaint, p.complaint),
                 (t.phone_hotline, p.hotline), (t.phone_on_duty, p.on_duty)]
        return [(label, number) for label, number in pairs if number]

    def body(self, ctx: Context) -> Widget:
        t = self.t
        rows: list[Widget] = [
            TextBlock(f"phone-{i}", t.phone_line.format(label=label, number=number), style="title",
                      fill="surface")
            for i, (label, number) in enumerate(self.lines())]
        rows.append(TextBlock("phones-note", t.phones_note, tone="text_muted"))
        rows.append(Spacer("phones-end", flex=1))
        return Column("phones", rows, flex=1)
