"""Voice announcements (语音叫号): a chime, then the call spoken in Mandarin, on one FIFO worker.

Rules:
* One worker thread plays everything in arrival order; an announcement never overlaps or cuts off
  another, so a burst of calls is spoken one after the other. ``submit`` never blocks the caller
  (the render loop).
* A :class:`Player` blocks for the whole length of the sound it plays — the real one waits for the
  sound's duration, not merely until the mixer accepted it.
* The chime is a two-tone WAV made with the standard library at first use and cached; speech is made
  with espeak-ng's ``cmn-latn-pinyin`` voice from the call's text turned into tone-numbered pinyin
  (``kiosk.devices.mandarin``), once per phrase, cached by a hash of engine, voice, rate and pinyin.
* With a recorded voice pack (``engine = "voicepack"``) the call is the pack's clips joined back to back
  (请 C 零 一 二 号 到 三 号 窗口办理), and the pack's own chime replaces the generated one.
* Without a speech engine the chime (and the board's flash) still happen, with ONE warning logged.
  Turning speech off never turns the chime off.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import struct
import threading
import time
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ..devices.mandarin import call_tokens
from ..devices.voice import SpeechUnavailable, Synth, VoicePack, wav_duration
from .settings import AnnouncerSettings

log = logging.getLogger(__name__)
__all__ = ["Announcer", "Player", "PygamePlayer", "SpeechUnavailable", "Synth", "wav_duration", "write_chime"]

RATE = 22050
CHIME_TONES = ((784.0, 0.32), (587.0, 0.48))  # G5 then D5: the familiar falling "ding-dong"


class Player(Protocol):
    def play(self, wav: Path, volume: float) -> None:
        """Play ``wav`` at ``volume`` (0..1) and return only when it has finished."""


def write_chime(path: Path, tones: tuple[tuple[float, float], ...] = CHIME_TONES, rate: int = RATE) -> Path:
    """A soft two-tone chime (sine with a bell-like decay) as 16-bit mono PCM."""
    frames = bytearray()
    for freq, seconds in tones:
        n = int(rate * seconds)
        attack = int(rate * 0.01)
        for i in range(n):
            env = min(1.0, i / attack) * math.exp(-3.0 * i / n)
            sample = 0.55 * env * (math.sin(2 * math.pi * freq * i / rate)
                                   + 0.25 * math.sin(4 * math.pi * freq * i / rate))
            frames += struct.pack("<h", int(max(-1.0, min(1.0, sample)) * 32767))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    os.replace(tmp, path)
    return path


class PygamePlayer:
    """Plays through pygame.mixer (SDL audio) and waits for the sound's full length."""

    def __init__(self, stop: threading.Event | None = None) -> None:
        self._stop = stop or threading.Event()
        self._ready = False

    def _init(self) -> None:
        if not self._ready:
            import pygame
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=RATE, size=-16, channels=2, buffer=1024)
            self._ready = True

    def play(self, wav: Path, volume: float) -> None:
        import pygame
        self._init()
        sound = pygame.mixer.Sound(str(wav))
        sound.set_volume(volume)
        length = sound.get_length()
        start = time.monotonic()
        channel = sound.play()
        # the mixer returns at once: wait the sound's own length, then for the device to drain
        self._stop.wait(length)
        deadline = start + length + 1.0
        while channel is not None and channel.get_busy() and time.monotonic() < deadline:
            self._stop.wait(0.01)


class Announcer:
    """FIFO of call events → chime + speech × repeat through a :class:`Player`."""

    def __init__(self, settings: AnnouncerSettings, *, cache_dir: Path, player: Player | None = None,
                 speech: bool = True, tz: ZoneInfo | None = None, wall: Callable[[], float] = time.time,
                 pack: VoicePack | None = None) -> None:
        self.settings = settings
        self.cache_dir = Path(cache_dir)
        self._stop = threading.Event()
        self.player: Player = player or PygamePlayer(self._stop)
        self.speech = speech and settings.speech
        self.synth = Synth(engine=settings.engine, voice=settings.voice, rate=settings.rate,
                           cache_dir=self.cache_dir)
        self.pack = pack
        self.tz, self.wall = tz, wall
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._warned_speech = False
        self._warned_audio = False
        self.announced = 0

    # ---- owner side ------------------------------------------------------------------------------
    def start(self) -> "Announcer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
            self._thread.start()
        return self

    def submit(self, call: dict[str, Any]) -> None:
        self._queue.put(dict(call))

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def idle(self) -> bool:
        return self._queue.unfinished_tasks == 0

    # ---- worker ----------------------------------------------------------------------------------
    def chime(self) -> Path:
        if self.pack is not None:
            return self.pack.clip("chime")
        path = self.cache_dir / "chime.wav"
        if not path.exists():
            write_chime(path)
        return path

    def volume(self) -> float:
        t = datetime.fromtimestamp(self.wall(), self.tz).time()
        return self.settings.volume_at(t)

    def _run(self) -> None:
        while True:
            call = self._queue.get()
            try:
                if call is None or self._stop.is_set():
                    return
                self.announce(call)
                self.announced += 1
            except Exception:  # one bad event must not silence the hall for the rest of the day
                log.exception("announcement failed")
            finally:
                self._queue.task_done()

    def announce(self, call: dict[str, Any]) -> None:
        volume = self.volume()
        speech = self._speech_wav(call) if self.speech else None
        self._play(self.chime(), volume)
        if speech is None:
            return
        for i in range(self.settings.repeat):
            if i and self.settings.gap_s:
                self._stop.wait(self.settings.gap_s)
            if self._stop.is_set():
                return
            self._play(speech, volume)

    def _speech_wav(self, call: dict[str, Any]) -> Path | None:
        if self.pack is not None:
            number, window = call.get("number"), call.get("window_number")
            if not isinstance(number, str) or not isinstance(window, int) or not number.isalnum():
                return None
            return self.pack.cached_join(call_tokens(number, window), self.cache_dir)
        text = call.get("speech") or call.get("text")
        if not isinstance(text, str) or not text.strip():
            return None
        try:
            return self.synth.wav(text.strip()[:200])
        except SpeechUnavailable as exc:
            if not self._warned_speech:
                self._warned_speech = True
                log.warning("no voice announcements (chime only): %s", exc)
            return None

    def _play(self, wav: Path, volume: float) -> None:
        try:
            self.player.play(wav, volume)
        except Exception as exc:  # no sound card, SDL without audio: the board still flashes
            if not self._warned_audio:
                self._warned_audio = True
                log.warning("cannot play sound: %s", exc)
