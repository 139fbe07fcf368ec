"""Golden images for the screen tests: every PNG a test saves under test-output/screens/ is compared with
the picture accepted last time, so a change to what people see is always deliberate.

The golden is one line per screenshot in tests/golden/screens.txt: ``<path under test-output/screens>
<w>x<h> <sha256>``, the hash of the decoded RGB pixels (not of the PNG bytes, so an encoder change does not
matter). The pictures render pixel-identically on one machine, so a hash is enough and the repository
stays small.

A picture that matches is also copied to test-output/golden-accepted/. On a mismatch the test fails and
test-output/golden-diff/<path> shows accepted | new | changes (changed pixels in red) when an accepted copy
from an earlier run is at hand (run the screen tests once on the unchanged tree to have one), else the new
picture alone. To accept a deliberate change, run the screen tests with ``KIOSK_UPDATE_GOLDEN=1`` and commit
tests/golden/screens.txt (see docs/ui.md).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

import pygame

REPO = Path(__file__).resolve().parents[1]
SCREENS = REPO / "test-output" / "screens"
INDEX = REPO / "tests" / "golden" / "screens.txt"
ACCEPTED = REPO / "test-output" / "golden-accepted"
DIFFS = REPO / "test-output" / "golden-diff"
# Pictures of a live hub running on the real clock: they show the hour it saved the last-known state, the
# hall's mode at the real time of day, or a call's flash at whatever phase real time reached, so they cannot be identical from run to run; their tests still
# check the texts and the layout.
LIVE = frozenset({"display/boot-offline.png", "terminal/boot-offline-guides.png", "display/late-joiner.png",
                  "pad/boot-offline.png", "display/window-boot-offline.png", "display/window-live-called.png",
                  "pad/live-levels.png"})
_lock = threading.Lock()


class GoldenMismatch(AssertionError):
    pass


def updating() -> bool:
    return os.environ.get("KIOSK_UPDATE_GOLDEN", "") not in ("", "0")


def fingerprint(surface: pygame.Surface) -> str:
    w, h = surface.get_size()
    return f"{w}x{h} {hashlib.sha256(pygame.image.tobytes(surface, 'RGB')).hexdigest()}"


def read_index(path: Path | None = None) -> dict[str, str]:
    path = path or INDEX
    out: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, size, digest = line.split()
                out[name] = f"{size} {digest}"
    return out


def write_index(index: dict[str, str], path: Path | None = None) -> None:
    path = path or INDEX
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# golden screenshots: path size sha256-of-RGB-pixels (regenerate: KIOSK_UPDATE_GOLDEN=1)"]
    lines += [f"{name} {index[name]}" for name in sorted(index)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def diff_picture(old: pygame.Surface | None, new: pygame.Surface) -> pygame.Surface:
    """accepted | new | changes (the new picture dimmed, changed pixels red), side by side."""
    if old is None or old.get_size() != new.get_size():
        return new.copy()
    w, h = new.get_size()
    out = pygame.Surface((w * 3 + 16, h))
    out.fill((255, 0, 255))
    out.blit(old, (0, 0))
    out.blit(new, (w + 8, 0))
    delta = old.copy()
    delta.blit(new, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    back = new.copy()
    back.blit(old, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    delta.blit(back, (0, 0), special_flags=pygame.BLEND_RGB_ADD)  # |old - new| per channel
    same = pygame.mask.from_threshold(delta, (0, 0, 0, 255), (1, 1, 1, 255))
    same.invert()
    marks = new.copy()
    marks.fill((90, 90, 90), special_flags=pygame.BLEND_RGB_MULT)
    marks.blit(same.to_surface(setcolor=(255, 0, 0, 255), unsetcolor=None), (0, 0))
    out.blit(marks, (2 * w + 16, 0))
    return out


def check(path: Path) -> None:
    """Compare one saved screenshot with its golden (or record it when updating)."""
    path = Path(path).resolve()
    try:
        name = path.relative_to(SCREENS).as_posix()
    except ValueError:
        return  # not a screen test's picture (e.g. an image a test feeds in)
    if name in LIVE:
        return
    surface = pygame.image.load(str(path))
    got = fingerprint(surface)
    accepted = ACCEPTED / name
    with _lock:
        index = read_index()
        want = index.get(name)
        if want != got and updating():
            index[name] = got
            write_index(index)
            want = got
    if want == got:
        accepted.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, accepted)
        return
    if want is None:
        raise GoldenMismatch(f"no golden for screens/{name}; if this screen is new and looks right, "
                             f"run with KIOSK_UPDATE_GOLDEN=1 and commit tests/golden/screens.txt")
    old = pygame.image.load(str(accepted)) if accepted.exists() else None
    if old is not None and fingerprint(old) != want:
        old = None
    out = DIFFS / name
    out.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(diff_picture(old, surface), str(out))
    shown = "accepted | new | changes" if old is not None else "new only: no accepted copy at hand"
    raise GoldenMismatch(f"screens/{name} differs from its golden ({want} != {got}); see {out} ({shown}); "
                         f"if the change is deliberate, run with KIOSK_UPDATE_GOLDEN=1 and commit "
                         f"tests/golden/screens.txt")
