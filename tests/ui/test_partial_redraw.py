"""Widgets that change often in a fixed box (a ticker) are redrawn in place: the picture equals a full
redraw, but the rest of the screen is not laid out or drawn again."""

import pygame

from kiosk.ui.pilot import Pilot
from kiosk.ui.screen import Screen
from kiosk.ui.widget import Column
from kiosk.ui.widgets import Button, Label


class Blinker(Label):
    redraw_in_place = True

    def update(self, now, ctx):
        text = "现在是第 %d 秒" % int(now)
        if text != self.text:
            self.text = text
            self.dirty = True
        return []


class Page(Screen):
    def build(self, ctx):
        return Column("root", [Label("title", "政务公开"), Blinker("tick", "现在是第 0 秒"),
                               Button("b", "按钮")], padded=True)


def test_in_place_redraw_matches_a_full_redraw():
    with Pilot.start({"page": Page}, "page") as p:
        p.frames(2)
        layouts = []
        title = p.app.top.root.children[0]
        original = title.layout
        title.layout = lambda rect, ctx: (layouts.append(rect), original(rect, ctx))
        before = p.app.frames_drawn
        p.advance(1.0, dt=0.1)
        assert p.app.frames_drawn == before + 1  # one second changed: one partial draw
        assert layouts == []  # the rest of the screen was not laid out again
        partial = pygame.image.tobytes(p.app.surface, "RGB")
        p.app.dirty = True
        p.frames(1)
        assert pygame.image.tobytes(p.app.surface, "RGB") == partial
        assert p.text_of("tick").endswith("1 秒")
