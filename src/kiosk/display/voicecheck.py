"""``kiosk voice check``: say (or write to a WAV) one sample call with the configured voice, and print
what will be said — the tokens and their clips for a voice pack, the pinyin and espeak-ng's phonemes
for the synthetic voice — so a technician can hear and read it before the hall opens.

Rule: the same settings, converter and pack check as ``kiosk display``; a broken pack stops here with
the file named, exactly as it would stop the display.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..devices.errors import DeviceError
from ..devices.mandarin import call_tokens, to_pinyin
from ..devices.voice import SpeechUnavailable, Synth, describe_tokens, join_wavs, phonemes, wav_duration
from ..errors import ConfigError
from ..config import add_common, site_config
from .settings import announcer_settings

_NUMBER = re.compile(r"^[A-Z][0-9]{1,4}$")


def cmd_voice_check(args: argparse.Namespace) -> int:
    from .announcer import PygamePlayer, write_chime
    from .main import voice_cache_dir, voice_pack
    cfg = site_config(args)
    voice = announcer_settings(cfg)
    number = args.number or f"{cfg.hall.categories[0].id}012"
    if not _NUMBER.match(number):
        raise ConfigError("--number", "", "a ticket number is one capital letter and 1-4 digits, e.g. C012")
    tokens = call_tokens(number, args.window)
    text = "".join(tokens).replace("号到", "号，到", 1)
    cache = voice_cache_dir(voice.cache_dir)
    pack = voice_pack(voice, cfg)
    print(f"text:     {text}")
    if pack is not None:
        print(f"engine:   voice pack {pack.folder} ({pack.format})")
        print(f"tokens:   {describe_tokens(['chime', *tokens])}")
        speech = pack.join(tokens, cache / "check-speech.wav")
        chime = pack.clip("chime")
    else:
        print(f"engine:   {voice.engine} -v {voice.voice} -s {voice.rate}")
        print(f"pinyin:   {to_pinyin(text)}")
        try:
            print(f"phonemes: {phonemes(text, engine=voice.engine, voice=voice.voice).strip()}")
            speech = Synth(engine=voice.engine, voice=voice.voice, rate=voice.rate, cache_dir=cache).wav(text)
        except (SpeechUnavailable, OSError) as exc:
            raise DeviceError(f"cannot synthesise: {exc}") from exc
        chime = write_chime(cache / "check-chime.wav")
    if args.out:
        try:
            out = join_wavs([chime, speech], Path(args.out))
        except ValueError:
            out = join_wavs([speech], Path(args.out))  # the generated chime differs in format: speech only
        print(f"wrote {out} ({wav_duration(out):.2f} s)")
    else:
        player = PygamePlayer()
        player.play(chime, voice.volume)
        player.play(speech, voice.volume)
        print(f"played {wav_duration(speech):.2f} s")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voice", help="the wall display's voice: check what a call sounds like")
    vs = p.add_subparsers(dest="voice_command", required=True, metavar="ACTION")
    c = vs.add_parser("check", help="speak (or --out: write a WAV of) a sample call and print what it says")
    add_common(c)
    c.add_argument("--number", help="ticket number to call (default: the first category's letter + 012)")
    c.add_argument("--window", type=int, default=3, help="window number (default 3)")
    c.add_argument("--out", help="write the call (chime + speech) to this WAV instead of playing it")
    c.set_defaults(func=cmd_voice_check)
