"""The hall's voices: espeak-ng's Mandarin pinyin voice, or a recorded voice pack of WAV clips.

Rules:
* Every text goes through :func:`kiosk.devices.mandarin.to_pinyin` before espeak-ng sees it, and the
  only voice accepted is ``cmn-latn-pinyin`` (``cmn`` reads tone digits in English on Debian 12).
* A voice pack is a folder of WAV clips, one per token (请, 号, 到, 窗口办理, 十, the digits, the letters
  of the hall's categories, the chime; names in :data:`kiosk.devices.mandarin.FIXED_CLIPS`). It is checked
  when the role starts: a missing clip or a clip in another format is a :class:`ConfigError` naming the
  file. Clips are joined sample for sample with the standard ``wave`` module: no gap, no resampling.
* Synthesised and joined WAVs are cached by a hash of what made them; a half-written file never enters
  the cache (written to a temporary name, checked, then renamed).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, KioskError
from .mandarin import DIGITS, FIXED_CLIPS, clip_name, to_pinyin

PINYIN_VOICE = "cmn-latn-pinyin"
SYNTH_TIMEOUT_S = 15.0


class SpeechUnavailable(KioskError):
    """The speech engine is missing or failed for this phrase."""


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def _atomic_wav(path: Path, make) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        make(tmp)
        wav_duration(tmp)  # a truncated or empty file must not enter the cache
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


class Synth:
    """Text → cached WAV with espeak-ng's ``cmn-latn-pinyin`` voice (text converted to pinyin first)."""

    def __init__(self, *, engine: str = "espeak-ng", voice: str = PINYIN_VOICE, rate: int = 150,
                 cache_dir: Path) -> None:
        self.engine, self.voice, self.rate, self.cache_dir = engine, voice, rate, Path(cache_dir)
        self.missing = False

    def path_for(self, text: str) -> Path:
        key = hashlib.sha256(f"{self.engine}|{self.voice}|{self.rate}|{to_pinyin(text)}".encode()).hexdigest()[:32]
        return self.cache_dir / f"speech-{key}.wav"

    def argv(self, text: str) -> list[str]:
        return [self.engine, "-v", self.voice, "-s", str(self.rate), to_pinyin(text)]

    def wav(self, text: str) -> Path:
        path = self.path_for(text)
        if path.exists():
            return path
        if self.missing:
            raise SpeechUnavailable(f"{self.engine} is not available")

        def make(tmp: Path) -> None:
            argv = self.argv(text)
            subprocess.run([*argv[:-1], "-w", str(tmp), argv[-1]], check=True, capture_output=True,
                           timeout=SYNTH_TIMEOUT_S)
        try:
            return _atomic_wav(path, make)
        except FileNotFoundError as exc:
            self.missing = True
            raise SpeechUnavailable(f"speech engine {self.engine!r} not found") from exc
        except (subprocess.SubprocessError, OSError, wave.Error, EOFError) as exc:
            raise SpeechUnavailable(f"{self.engine} failed: {exc}") from exc


def phonemes(text: str, *, engine: str = "espeak-ng", voice: str = PINYIN_VOICE) -> str:
    """espeak-ng's phoneme transcript (``-x``) of what the hall would say for ``text``."""
    out = subprocess.run([engine, "-v", voice, "-x", "-q", to_pinyin(text)], check=True, capture_output=True,
                         text=True, timeout=SYNTH_TIMEOUT_S)
    return out.stdout


@dataclass(frozen=True, slots=True)
class ClipFormat:
    channels: int
    sampwidth: int
    framerate: int

    def __str__(self) -> str:
        return f"{self.channels} channel(s), {8 * self.sampwidth}-bit, {self.framerate} Hz"


def clip_format(path: Path) -> ClipFormat:
    with wave.open(str(path), "rb") as w:
        return ClipFormat(w.getnchannels(), w.getsampwidth(), w.getframerate())


def join_wavs(paths: list[Path], out: Path) -> Path:
    """WAVs of one format back to back in ``out``; ValueError naming the first clip of another format."""
    fmt = clip_format(paths[0])
    for p in paths[1:]:
        other = clip_format(p)
        if other != fmt:
            raise ValueError(f"{p} is {other} but {paths[0]} is {fmt}")

    def make(tmp: Path) -> None:
        with wave.open(str(tmp), "wb") as o:
            o.setnchannels(fmt.channels)
            o.setsampwidth(fmt.sampwidth)
            o.setframerate(fmt.framerate)
            for p in paths:
                with wave.open(str(p), "rb") as w:
                    o.writeframes(w.readframes(w.getnframes()))
    return _atomic_wav(Path(out), make)


class VoicePack:
    """A folder of recorded clips, checked once; :meth:`join` makes one call's WAV from its tokens."""

    def __init__(self, folder: Path | str, *, letters: str, key: str = "announcer.voice_pack") -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ConfigError(self.folder, key, "voice pack folder does not exist")
        needed = sorted(set(FIXED_CLIPS.values()) | {f"{i}.wav" for i in range(10)}
                        | {f"{ch}.wav" for ch in letters.upper()})
        self.format: ClipFormat | None = None
        first = ""
        for name in needed:
            path = self.folder / name
            if not path.is_file():
                raise ConfigError(path, key, f"voice pack clip {name} is missing")
            try:
                fmt = clip_format(path)
                empty = wav_duration(path) == 0
            except (wave.Error, EOFError) as exc:
                raise ConfigError(path, key, f"not a PCM WAV file ({exc})") from None
            if empty:
                raise ConfigError(path, key, "voice pack clip is empty")
            if self.format is None:
                self.format, first = fmt, name
            elif fmt != self.format:
                raise ConfigError(path, key, f"clip is {fmt} but {first} is {self.format}; "
                                             "every clip of a pack must share one format")

    def clip(self, token: str) -> Path:
        return self.folder / clip_name(token)

    def join(self, tokens: list[str], out: Path) -> Path:
        """The clips of ``tokens`` back to back in one WAV (frames copied, nothing between them)."""
        return join_wavs([self.clip(t) for t in tokens], out)

    def cached_join(self, tokens: list[str], cache_dir: Path) -> Path:
        stamp = "|".join(f"{t}:{self.clip(t).stat().st_mtime_ns}" for t in tokens)
        key = hashlib.sha256(f"{self.folder}|{stamp}".encode()).hexdigest()[:32]
        path = Path(cache_dir) / f"pack-{key}.wav"
        return path if path.exists() else self.join(tokens, path)


def describe_tokens(tokens: list[str]) -> str:
    """``请 C 零 一 二 …`` with each token's clip: for ``kiosk voice check``."""
    return " ".join(f"{t}[{clip_name(t)}]" for t in tokens)


__all__ = ["DIGITS", "PINYIN_VOICE", "ClipFormat", "clip_format", "join_wavs", "SpeechUnavailable", "Synth", "VoicePack", "describe_tokens",
           "phonemes", "wav_duration"]
