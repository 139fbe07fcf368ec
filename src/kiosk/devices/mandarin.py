"""Chinese text → tone-numbered pinyin for espeak-ng's ``cmn-latn-pinyin`` voice, and the tokens of a call.

Why: Debian 12's espeak-ng 1.51 reads the tone digits of its ``cmn`` voice in English ("king three");
the ``cmn-latn-pinyin`` voice speaks Mandarin, but only from pinyin with tone numbers (``qing3 hao4``).
Everything the hall says aloud — calls on the wall display, the kiosk's read-aloud, prompts — passes
through :func:`to_pinyin` first, so no phrase ever switches the synthesiser into another language.

Rules:
* Han characters: pypinyin, tone numbers, neutral tone as 5, with the tone changes of 一 and 不 and of
  two third tones in a row, as a person says them.
* A ticket number (C012) and a lone capital letter are read the way a Chinese hall says letters (C →
  xi1); each digit of a ticket is read singly (零一二). Any other run of Latin letters is spelled.
* A run of Arabic digits of up to four (not starting with 0) is a quantity or a window number, read as a
  number (12 → 十二); a longer run (a telephone number, an ID) is read digit by digit with 1 as 幺 (yao1),
  as people read phone numbers; a year before 年 is read digit by digit; 09:30 is 九点三十分.
* Punctuation and line breaks become a pause (a comma for the synthesiser); symbols such as ■ ◀ are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

DIGITS = "零一二三四五六七八九"
DIGIT_PINYIN = ("ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")
#: How a Chinese hall's caller says each capital letter, as pinyin syllables.
LETTER_PINYIN: dict[str, tuple[str, ...]] = {
    "A": ("ei1",), "B": ("bi4",), "C": ("xi1",), "D": ("di4",), "E": ("yi1",), "F": ("ai4", "fu1"),
    "G": ("ji4",), "H": ("ai4", "qi1"), "I": ("ai4",), "J": ("jie4",), "K": ("kai1",), "L": ("ai4", "le5"),
    "M": ("ai4", "mu5"), "N": ("en1",), "O": ("ou1",), "P": ("pi1",), "Q": ("qiu1",), "R": ("a4", "er3"),
    "S": ("ai4", "si1"), "T": ("ti1",), "U": ("you1",), "V": ("wei1",), "W": ("da2", "bu5", "liu5"),
    "X": ("ai4", "ke4", "si1"), "Y": ("wai1",), "Z": ("zei4",),
}
PAUSE = ","
# Interjections pypinyin leaves without a vowel; the voice has no syllable for them.
_BARE = {"n": "en", "m": "mu", "ng": "en", "hm": "hen", "hng": "heng"}

_TICKET = re.compile(r"(?<![A-Za-z0-9])([A-Z])(\d{2,4})(?![A-Za-z0-9])")
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-4])[:：]([0-5]\d)(?!\d)")
_YEAR = re.compile(r"(\d{4})(?=\s*年)")
_PIECES = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|\d+|[A-Za-z]+|\s+|.", re.S)
_PUNCT = set("，。、；：？！,.;:?!…—–-/\\|（）()【】[]「」『』“”\"'《》<>·~\n\r\t")


def digits_singly(run: str, *, phone: bool = False) -> list[str]:
    """Each digit on its own; ``phone`` reads 1 as yao1 (幺), as people read telephone numbers."""
    return ["yao1" if phone and ch == "1" else DIGIT_PINYIN[int(ch)] for ch in run]


def number_pinyin(n: int) -> list[str]:
    """0..9999 read as a number: 10 → shi2, 12 → shi2 er4, 105 → yi4 bai3 ling2 wu3."""
    if not 0 <= n <= 9999:
        return digits_singly(str(n))
    if n < 10:
        return [DIGIT_PINYIN[n]]
    out: list[str] = []
    units = ((1000, "qian1"), (100, "bai3"), (10, "shi2"))
    pending_zero = False
    for value, name in units:
        d = (n // value) % 10
        if d:
            if pending_zero:
                out.append("ling2")
            pending_zero = False
            if not (value == 10 and d == 1 and not out):  # 十二, not 一十二
                out.append(DIGIT_PINYIN[d] if d != 2 or value == 10 else "liang3")
            out.append(name)
        elif out:
            pending_zero = True
    if n % 10:
        if pending_zero:
            out.append("ling2")
        out.append(DIGIT_PINYIN[n % 10])
    # 一 before 百/千 is yi4 as spoken
    return ["yi4" if s == "yi1" and i + 1 < len(out) and out[i + 1] in ("bai3", "qian1") else s
            for i, s in enumerate(out)]


def letters(run: str) -> list[str]:
    out: list[str] = []
    for ch in run.upper():
        out += LETTER_PINYIN.get(ch, ())
    return out


@lru_cache(maxsize=4096)
def _han(run: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin  # loaded on first speech, not at import
    out = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True,
                      errors=lambda s: [])
    return tuple(_syllable(s) for s in out)


def _syllable(s: str) -> str:
    base, tone = (s[:-1], s[-1]) if s[-1:].isdigit() else (s, "5")
    return _BARE.get(base, base) + tone


def _numbers(run: str, following: str) -> list[str]:
    if len(run) == 4 and following.lstrip().startswith("年"):
        return digits_singly(run)
    if len(run) <= 4 and (run == "0" or not run.startswith("0")):
        return number_pinyin(int(run))
    return digits_singly(run, phone=len(run) >= 5)


def syllables(text: str) -> list[str]:
    """The pinyin syllables (and ``,`` pauses) of ``text``."""
    text = _TICKET.sub(lambda m: f" {m.group(1)} {' '.join(DIGITS[int(d)] for d in m.group(2))} ", text)
    text = _TIME.sub(lambda m: f"{int(m.group(1))}点" + (f"{int(m.group(2))}分" if int(m.group(2)) else "整"),
                     text)
    text = _YEAR.sub(lambda m: "".join(DIGITS[int(d)] for d in m.group(1)), text)
    out: list[str] = []
    pieces = _PIECES.findall(text)
    for i, piece in enumerate(pieces):
        first = piece[0]
        if "\u3400" <= first <= "\u9fff" or "\uf900" <= first <= "\ufaff":
            out += _han(piece)
        elif first.isdigit():
            out += _numbers(piece, "".join(pieces[i + 1:i + 3]))
        elif first.isascii() and first.isalpha():
            out += letters(piece)
        elif first in _PUNCT or piece in "%":
            if piece == "%":
                continue
            if out and out[-1] != PAUSE:
                out.append(PAUSE)
    while out and out[-1] == PAUSE:
        out.pop()
    return out


def to_pinyin(text: str) -> str:
    """``text`` as the ``cmn-latn-pinyin`` voice expects it: ``qing3 xi1 ling2 yi1 er4 hao4, dao4 …``."""
    return " ".join(syllables(text)).replace(" ,", ",")


# ---- calls ----------------------------------------------------------------------------------------
#: The recorded clips a voice pack holds for calls, token → file name (ASCII, for the technician).
FIXED_CLIPS = {"chime": "chime.wav", "请": "qing.wav", "号": "hao.wav", "到": "dao.wav",
               "窗口办理": "chuangkou_banli.wav", "十": "shi.wav"}


def call_tokens(number: str, window_number: int) -> list[str]:
    """The words of one call, in order: 请 C 零 一 二 号 到 三 号 窗口办理 (window numbers read as numbers)."""
    out = ["请"]
    for ch in number:
        out.append(DIGITS[int(ch)] if ch.isdigit() else ch.upper())
    out += ["号", "到"]
    if 0 < window_number < 100:
        for syllable in number_pinyin(window_number):
            out.append("十" if syllable == "shi2" else DIGITS[DIGIT_PINYIN.index(syllable)])
    elif window_number >= 100:
        out += [DIGITS[int(d)] for d in str(window_number)]
    out += ["号", "窗口办理"] if window_number > 0 else ["窗口办理"]
    return out


def clip_name(token: str) -> str:
    """The voice pack's file for a token: 请 → qing.wav, 三 → 3.wav, C → C.wav."""
    if token in FIXED_CLIPS:
        return FIXED_CLIPS[token]
    if token in DIGITS:
        return f"{DIGITS.index(token)}.wav"
    if len(token) == 1 and token.isascii() and token.isupper():
        return f"{token}.wav"
    raise ValueError(f"no voice-pack clip for {token!r}")
