"""Rotation maths and pointer translation: touches land where things are drawn."""

import pygame
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.ui import touch
from kiosk.ui.touch import physical_size, pointer_event, to_logical, to_physical, window_to_physical

LOGICAL = [(1080, 1920), (1920, 1080), (7, 5)]


@pytest.mark.parametrize("logical", LOGICAL)
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotation_matches_pygame_transform(logical, rotation):
    w, h = logical
    points = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (w // 3, h // 4)]
    surf = pygame.Surface(logical)
    for i, p in enumerate(points):
        surf.fill((0, 0, 0))
        surf.set_at(p, (255, 0, 0))
        rotated = pygame.transform.rotate(surf, -rotation)
        assert rotated.get_size() == physical_size(logical, rotation)
        assert rotated.get_at(to_physical(p, logical, rotation))[:3] == (255, 0, 0), (p, i)


@given(rotation=st.sampled_from([0, 90, 180, 270]), x=st.integers(0, 1079), y=st.integers(0, 1919))
def test_to_logical_inverts_to_physical(rotation, x, y):
    logical = (1080, 1920)
    phys = to_physical((x, y), logical, rotation)
    pw, ph = physical_size(logical, rotation)
    assert 0 <= phys[0] < pw and 0 <= phys[1] < ph
    assert to_logical(phys, logical, rotation) == (x, y)


def test_known_corners():
    # portrait content on a landscape panel turned 90° clockwise: logical top-left is physical top-right
    assert to_physical((0, 0), (1080, 1920), 90) == (1919, 0)
    assert to_logical((1919, 0), (1080, 1920), 90) == (0, 0)
    assert to_physical((0, 0), (1080, 1920), 270) == (0, 1079)


def test_bad_rotation_is_rejected():
    with pytest.raises(ValueError):
        to_physical((0, 0), (10, 10), 45)


def test_window_scaling_and_event_constants():
    assert window_to_physical((960, 540), (960, 540), (1920, 1080)) == (1919, 1079)
    assert window_to_physical((480.0, 270.0), (960, 540), (1920, 1080)) == (960, 540)
    assert (touch.FINGERDOWN, touch.FINGERUP) == (pygame.FINGERDOWN, pygame.FINGERUP)
    assert (touch.MOUSEBUTTONDOWN, touch.MOUSEBUTTONUP) == (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP)


def test_pointer_events_drop_synthesised_mouse():
    win = (1000, 500)
    f = pointer_event(pygame.event.Event(pygame.FINGERDOWN, x=0.5, y=0.5, touch_id=2, finger_id=1), win)
    assert f is not None and f.down and f.pos == (500.0, 250.0) and f.pointer == "finger-2-1"
    synth = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(500, 250), button=1, touch=True)
    assert pointer_event(synth, win) is None
    real = pointer_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(3, 4), button=1, touch=False), win)
    assert real is not None and not real.down and real.pointer == "mouse"
    assert pointer_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(3, 4), button=3), win) is None
