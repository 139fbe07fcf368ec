"""Optional read-aloud (``[terminal] read_aloud``): headings and choices spoken with espeak-ng.

Rules: every text is turned into tone-numbered pinyin (``kiosk.devices.mandarin``) and spoken with the
``cmn-latn-pinyin`` voice, the one that says Mandarin on Debian 12. Speaking never blocks the render loop
— each utterance is a background subprocess, and a new one stops the previous. If espeak-ng is missing or
fails to start, the terminal stays silent and says so once in the log.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from ..devices.mandarin import to_pinyin

log = logging.getLogger(__name__)


class Speaker:
    def __init__(self, *, enabled: bool, voice: str = "cmn-latn-pinyin", program: str = "espeak-ng") -> None:
        self.enabled, self.voice = enabled, voice
        self.program = shutil.which(program) if enabled else None
        self._proc: subprocess.Popen | None = None
        self._last = ""
        self.spoken: list[str] = []  # the texts spoken, before conversion (tests read this)
        if enabled and self.program is None:
            log.warning("read_aloud is on but %s is not installed; the terminal stays silent", program)
            self.enabled = False

    def argv(self, text: str) -> list[str]:
        return [self.program or "espeak-ng", "-v", self.voice, "-s", "150", to_pinyin(text)]

    def say(self, text: str) -> None:
        """Speak ``text`` unless it is what was spoken last (a redraw is not a new screen)."""
        if not self.enabled or not text or text == self._last:
            return
        self._last = text
        self.stop()
        try:
            self._proc = subprocess.Popen(self.argv(text), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
            self.spoken.append(text)
        except OSError as exc:
            log.warning("cannot run %s (%s); read-aloud is off", self.program, exc)
            self.enabled = False

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None

    def close(self) -> None:
        self.stop()
