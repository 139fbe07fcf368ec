"""The golden-image check itself: a changed pixel fails with a diff picture, a new screen without a golden
fails, and KIOSK_UPDATE_GOLDEN=1 records deliberately."""

from __future__ import annotations

import pygame
import pytest

from . import golden


@pytest.fixture
def place(tmp_path, monkeypatch):
    monkeypatch.setattr(golden, "SCREENS", tmp_path / "screens")
    monkeypatch.setattr(golden, "INDEX", tmp_path / "golden" / "screens.txt")
    monkeypatch.setattr(golden, "ACCEPTED", tmp_path / "accepted")
    monkeypatch.setattr(golden, "DIFFS", tmp_path / "diff")
    monkeypatch.delenv("KIOSK_UPDATE_GOLDEN", raising=False)
    return tmp_path


def save(place, name: str, dot: tuple[int, int] | None = None):
    surf = pygame.Surface((64, 40))
    surf.fill((240, 240, 240))
    if dot:
        surf.set_at(dot, (10, 20, 30))
    path = place / "screens" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surf, str(path))
    return path


def test_a_screen_without_golden_fails(place):
    with pytest.raises(golden.GoldenMismatch, match="no golden for screens/t/a.png"):
        golden.check(save(place, "t/a.png"))


def test_update_records_then_one_changed_pixel_fails_with_a_diff(place, monkeypatch):
    monkeypatch.setenv("KIOSK_UPDATE_GOLDEN", "1")
    golden.check(save(place, "t/a.png"))
    monkeypatch.delenv("KIOSK_UPDATE_GOLDEN")
    assert list(golden.read_index()) == ["t/a.png"]
    golden.check(save(place, "t/a.png"))  # the same pixels pass (and become the accepted copy)
    with pytest.raises(golden.GoldenMismatch, match="differs from its golden"):
        golden.check(save(place, "t/a.png", dot=(5, 7)))
    diff = pygame.image.load(str(place / "diff" / "t" / "a.png"))
    assert diff.get_size() == (64 * 3 + 16, 40)
    assert diff.get_at((2 * 64 + 16 + 5, 7))[:3] == (255, 0, 0)
    assert diff.get_at((2 * 64 + 16 + 6, 7))[:3] != (255, 0, 0)


def test_pictures_outside_the_screens_folder_are_not_checked(place):
    path = place / "elsewhere.png"
    pygame.image.save(pygame.Surface((4, 4)), str(path))
    golden.check(path)
    assert not golden.INDEX.exists()


def test_the_stored_goldens_are_well_formed():
    index = golden.read_index()
    assert len(index) > 400
    for name, value in index.items():
        size, digest = value.split()
        assert name.endswith(".png") and "x" in size and len(digest) == 64, name
    assert not golden.LIVE & set(index)
