"""Everything the hall can say aloud comes out as Mandarin: the calls of the wall display, every word the
kiosk reads aloud (every string of the terminal, the names from the config and the catalogue, and what
the read-aloud actually said while walking every screen in both print sizes).

The check is espeak-ng's own phoneme transcript (``-x``) with the voice the hall uses: a phrase passes
when the transcript never switches language — no ``(en)`` or any other ``(xx)`` marker.
"""

from __future__ import annotations

import dataclasses
import re
import string
import subprocess

import pytest

from kiosk.core.evaluation import BAD_REASONS, LEVEL_LABELS
from kiosk.devices.mandarin import to_pinyin
from kiosk.devices.voice import PINYIN_VOICE, phonemes
from kiosk.display.strings import DisplayStrings
from kiosk.hub.ops import CALL_SPEECH, spoken_number
from kiosk.terminal.settings import load_settings
from kiosk.terminal.strings import TerminalStrings
from kiosk.terminal.strings_voice import VoiceStrings
from kiosk.ui.strings import UiStrings
from kiosk.ui.theme import Mode

SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)?\)")
SAMPLES = {"number": "C012", "phone": "0728-5321001", "window": 3, "since": "09:30", "hour": 9, "minute": 5,
           "month": 12, "day": 1, "weekday": "星期二", "label": "办公中", "next": "明天 8:30",
           "sessions": "8:30-12:00 14:00-17:30", "name": "人社业务", "category": "C", "waiting": 5}


class _Sample(string.Formatter):
    def get_value(self, key, args, kwargs):
        return SAMPLES.get(key, 3) if isinstance(key, str) else 3


def texts_of(strings_obj) -> list[str]:
    """Every text of a strings dataclass, templates filled with sample values."""
    out: list[str] = []

    def add(v):
        if isinstance(v, str):
            out.append(_Sample().format(v) if "{" in v else v)
        elif isinstance(v, dict):
            for x in v.values():
                add(x)
        elif isinstance(v, (tuple, list)):
            for x in v:
                add(x)
    for f in dataclasses.fields(strings_obj):
        if not f.name.startswith("icon_"):  # names of pictures, never spoken
            add(getattr(strings_obj, f.name))
    return out


def transcripts(phrases: list[str]) -> dict[str, str]:
    """phrase → espeak-ng -x transcript; one espeak-ng run for all, then one per phrase only when the
    batch shows a switch (so a failure names its phrase)."""
    unique = sorted(set(p for p in phrases if p.strip()))
    batch = "\n".join(to_pinyin(p) + "." for p in unique)
    out = subprocess.run(["espeak-ng", "-v", PINYIN_VOICE, "-x", "-q", "--stdin"], input=batch, text=True,
                         capture_output=True, check=True, timeout=300).stdout
    if not SWITCH.search(out):
        return {p: "" for p in unique}
    return {p: phonemes(p) for p in unique}


def calls(hall_cfg) -> list[str]:
    out = []
    for cat in hall_cfg.hall.categories:
        for number in (f"{cat.id}012", f"{cat.id}345", f"{cat.id}678", f"{cat.id}900"):
            for w in hall_cfg.hall.windows:
                out.append(CALL_SPEECH.format(letters=spoken_number(number), window=w.number))
    return out


def config_names(hall_cfg, catalog) -> list[str]:
    out = [hall_cfg.name, *(c.name for c in hall_cfg.hall.categories), *(w.name for w in hall_cfg.hall.windows)]
    out += list(load_settings(hall_cfg).villages)
    for item in catalog.items:
        out += list(item.search_texts)
    out += [*LEVEL_LABELS.values(), *BAD_REASONS.values()]
    return out


def read_aloud_while_walking(offline_terminal, monkeypatch) -> list[str]:
    """Walk every screen of the kiosk in both print sizes with read-aloud on; the texts it spoke."""
    from kiosk.terminal import speech
    from . import test_appointment_screens, test_screens, test_voice_screens

    # the texts are what is checked here (through the same converter); playing them would only make noise
    monkeypatch.setattr(speech.Speaker, "argv", lambda self, text: ["true", to_pinyin(text)])
    spoken: list[str] = []
    for mode in Mode:
        for walk in (test_screens.walk, test_appointment_screens.walk, test_voice_screens.eval_walk,
                     test_voice_screens.feedback_walk, test_voice_screens.disclosure_walk):
            p = offline_terminal(mode, read_aloud=True)
            for _ in walk(p):
                pass
            spoken += p.terminal.session.speaker.spoken
    return spoken


def test_every_phrase_the_hall_can_say_is_mandarin(hall_cfg, catalog, offline_terminal, monkeypatch):
    spoken = read_aloud_while_walking(offline_terminal, monkeypatch)
    assert len(spoken) > 100  # the walk really read the screens aloud
    phrases = calls(hall_cfg) + spoken + config_names(hall_cfg, catalog)
    for s in (TerminalStrings(), VoiceStrings(), UiStrings(), DisplayStrings()):
        phrases += texts_of(s)
    found = transcripts(phrases)
    switched = {p: t for p, t in found.items() if SWITCH.search(t)}
    assert switched == {}, "\n".join(f"{p!r} → {to_pinyin(p)!r} → {t.strip()!r}" for p, t in switched.items())
    assert len(found) > 800


@pytest.mark.parametrize("text, syllables", [
    ("请 C 零 一 二 号，到 3 号窗口办理",  # qing xi ling yi er hao dao san hao chuang kou ban li
     ["tS;h'i", "S;'i55", "l'i35N", "j'i55", "'@r51", "X'Au51", "t'Au51", "s'a55n", "ts.hw'A55N", "p'a51n"]),
    ("请 A 零 零 七 号，到 10 号窗口办理", ["'ei55", "tS;h'i55", "s.'i.35"]),
    ("长辈模式", ["ts.'a21N", "p'ei51", "m'o35", "s.'i.51"]),
    ("黄潭镇便民服务中心", ["Xw'A35N", "th'a35n"]),
])
def test_known_transcripts_hold_the_mandarin_syllables(text, syllables):
    t = phonemes(text)
    assert not SWITCH.search(t), t
    for s in syllables:
        assert s in t, (s, t)


def test_the_cmn_voice_would_have_switched_to_english():
    """Why the pinyin voice: the same call with the plain ``cmn`` voice reads its tone digits in English."""
    raw = subprocess.run(["espeak-ng", "-v", "cmn", "-x", "-q", "qing3 C ling2 yi1 er4 hao4"],
                         capture_output=True, text=True, check=True).stdout
    assert SWITCH.search(raw)
