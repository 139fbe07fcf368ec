"""Voice announcements: FIFO order without overlap, speech-engine failure, real SDL playback."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import time as dtime
from pathlib import Path

import pytest

from kiosk.display.announcer import Announcer, PygamePlayer, Synth, wav_duration, write_chime
from kiosk.display.settings import AnnouncerSettings, QuietHours, parse_span

from ..mqtt_helpers import wait_until

SCALE = 0.03  # the recording player waits this fraction of each WAV's real length (keeps the suite short)


class RecordingPlayer:
    """Blocks for (a scaled) WAV duration read with ``wave``; records start/end of every play."""

    def __init__(self, scale: float = SCALE) -> None:
        self.scale = scale
        self.plays: list[tuple[float, float, Path, float]] = []
        self.busy = threading.Lock()
        self.overlaps = 0

    def play(self, wav: Path, volume: float) -> None:
        if not self.busy.acquire(blocking=False):
            self.overlaps += 1
            self.busy.acquire()
        try:
            start = time.monotonic()
            threading.Event().wait(wav_duration(wav) * self.scale)
            self.plays.append((start, time.monotonic(), wav, volume))
        finally:
            self.busy.release()


def call(i: int) -> dict:
    number = f"A{i:03d}"
    digits = " ".join("零一二三四五六七八九"[int(c)] for c in number[1:])
    return {"number": number, "window_number": i % 9 + 1, "recall": 0,
            "speech": f"请 A {digits} 号，到 {i % 9 + 1} 号窗口办理", "text": f"请{number}号到{i % 9 + 1}号窗口办理"}


def test_burst_of_20_is_spoken_in_order_without_overlap(tmp_path):
    player = RecordingPlayer()
    ann = Announcer(AnnouncerSettings(repeat=2, gap_s=0.05), cache_dir=tmp_path, player=player).start()
    try:
        for i in range(1, 21):
            ann.submit(call(i))
        wait_until(lambda: ann.announced == 20 and ann.idle(), 60, "20 announcements")
    finally:
        ann.stop()
    assert player.overlaps == 0
    assert len(player.plays) == 20 * 3  # chime + speech twice
    for (s1, e1, *_), (s2, *_) in zip(player.plays, player.plays[1:]):
        assert e1 <= s2  # never overlapping, never cut off
    speech = [p[2] for p in player.plays if p[2].name != "chime.wav"]
    expected = [ann.synth.path_for(call(i)["speech"]) for i in range(1, 21)]
    assert speech == [e for e in expected for _ in range(2)]  # in call order, each said twice
    for p in set(speech):
        assert wav_duration(p) > 1.0  # real espeak-ng output, cached per phrase
    assert [p[2].name for p in player.plays[::3]] == ["chime.wav"] * 20


def test_recall_is_announced_again_from_cache(tmp_path):
    player = RecordingPlayer()
    ann = Announcer(AnnouncerSettings(repeat=1), cache_dir=tmp_path, player=player).start()
    try:
        ann.submit(call(7))
        ann.submit(dict(call(7), recall=1))
        wait_until(lambda: ann.announced == 2 and ann.idle(), 20, "two announcements")
    finally:
        ann.stop()
    assert [p[2].name for p in player.plays].count("chime.wav") == 2
    assert len(list(tmp_path.glob("speech-*.wav"))) == 1


def test_missing_speech_engine_keeps_the_chime_and_warns_once(tmp_path, caplog):
    player = RecordingPlayer()
    settings = AnnouncerSettings(engine=str(tmp_path / "no-such-espeak"))
    ann = Announcer(settings, cache_dir=tmp_path, player=player).start()
    with caplog.at_level(logging.WARNING, logger="kiosk.display.announcer"):
        try:
            for i in range(5):
                ann.submit(call(i))
            wait_until(lambda: ann.announced == 5 and ann.idle(), 20, "five chimes")
        finally:
            ann.stop()
    assert [p[2].name for p in player.plays] == ["chime.wav"] * 5
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no-such-espeak" in warnings[0].getMessage()


def test_speech_off_still_chimes(tmp_path):
    player = RecordingPlayer()
    ann = Announcer(AnnouncerSettings(speech=False), cache_dir=tmp_path, player=player).start()
    try:
        ann.submit(call(1))
        wait_until(lambda: ann.announced == 1 and ann.idle(), 10, "one chime")
    finally:
        ann.stop()
    assert [p[2].name for p in player.plays] == ["chime.wav"]


def test_volume_schedule(tmp_path):
    quiet = (QuietHours(span=parse_span("12:00-14:30"), volume=0.4), QuietHours(span=parse_span("22:00-07:00"),
                                                                                 volume=0.2))
    s = replace(AnnouncerSettings(), volume=0.9, quiet=quiet)
    assert s.volume_at(dtime(12, 30)) == 0.4
    assert s.volume_at(dtime(23, 0)) == 0.2 and s.volume_at(dtime(6, 59)) == 0.2
    assert s.volume_at(dtime(9, 0)) == 0.9
    player = RecordingPlayer()
    from zoneinfo import ZoneInfo
    noon = 1764388800.0  # 2025-11-29 12:00 Asia/Shanghai
    ann = Announcer(s, cache_dir=tmp_path, player=player, speech=False, tz=ZoneInfo("Asia/Shanghai"),
                    wall=lambda: noon + 600).start()
    try:
        ann.submit(call(1))
        wait_until(lambda: ann.announced == 1 and ann.idle(), 10, "one chime")
    finally:
        ann.stop()
    assert player.plays[0][3] == 0.4


def test_chime_is_a_short_two_tone_wav(tmp_path):
    path = write_chime(tmp_path / "c.wav")
    assert 0.5 < wav_duration(path) < 1.2


def test_pygame_player_waits_for_the_whole_sound(tmp_path, monkeypatch):
    """Real SDL playback into the disk audio driver: play() returns only after the sound's length."""
    import pygame
    out = tmp_path / "sdl-audio.raw"
    pygame.mixer.quit()
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(out))
    chime = write_chime(tmp_path / "chime.wav")
    speech = Synth(engine="espeak-ng", voice="cmn-latn-pinyin", rate=300, cache_dir=tmp_path).wav("请 A 零 零 一 号")
    player = PygamePlayer()
    try:
        for wav in (chime, speech):
            start = time.monotonic()
            player.play(wav, 0.8)
            assert time.monotonic() - start >= wav_duration(wav) - 0.02
        assert out.stat().st_size > 0
    except pygame.error as exc:  # an SDL build without the disk driver
        pytest.skip(f"SDL disk audio unavailable: {exc}")
    finally:
        pygame.mixer.quit()
