"""The recorded voice pack: clips joined without gaps, checked at start, used by the announcer and by
``kiosk voice check``. The pack is made here, at test time, by recording each token with espeak-ng."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.devices.mandarin import DIGITS, FIXED_CLIPS, call_tokens, clip_name, to_pinyin
from kiosk.devices.voice import VoicePack, clip_format, wav_duration
from kiosk.display.announcer import Announcer, write_chime
from kiosk.display.settings import AnnouncerSettings
from kiosk.errors import ConfigError

from ..conftest import HALL_CONFIG
from ..mqtt_helpers import wait_until
from .test_announcer import RecordingPlayer

LETTERS = "ABCDEF"  # the categories of config/huangtan.toml


def record_pack(folder: Path, letters: str = LETTERS) -> Path:
    """A voice pack as a hall would record it: one clip per token, here spoken by espeak-ng."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens = [t for t in FIXED_CLIPS if t != "chime"] + list(DIGITS) + list(letters)
    for t in tokens:
        subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "200", "-w", str(folder / clip_name(t)),
                        to_pinyin(t)], check=True, capture_output=True, timeout=30)
    write_chime(folder / "chime.wav", rate=clip_format(folder / "qing.wav").framerate)
    return folder


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory):
    return record_pack(tmp_path_factory.mktemp("pack") / "huangtan-voice")


def frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes())


def test_a_call_is_its_clips_back_to_back(pack_dir, tmp_path):
    pack = VoicePack(pack_dir, letters=LETTERS)
    tokens = call_tokens("C012", 3)
    out = pack.join(tokens, tmp_path / "call.wav")
    clips = [pack.clip(t) for t in tokens]
    assert frames(out) == b"".join(frames(c) for c in clips)  # no gap, no change: the samples themselves
    assert wav_duration(out) == pytest.approx(sum(wav_duration(c) for c in clips), abs=1e-6)
    assert clip_format(out) == pack.format
    samples = int(subprocess.run(["soxi", "-s", str(out)], capture_output=True, text=True, check=True).stdout)
    assert samples == sum(len(frames(c)) for c in clips) // (pack.format.sampwidth * pack.format.channels)


def test_a_missing_clip_stops_the_start_naming_the_file(pack_dir, tmp_path):
    broken = tmp_path / "pack"
    broken.mkdir()
    for f in pack_dir.iterdir():
        if f.name != "7.wav":
            (broken / f.name).write_bytes(f.read_bytes())
    with pytest.raises(ConfigError) as err:
        VoicePack(broken, letters=LETTERS)
    assert err.value.path == broken / "7.wav" and "missing" in err.value.reason
    with pytest.raises(ConfigError) as err:
        VoicePack(pack_dir, letters="ABCX")  # a category whose letter was never recorded
    assert err.value.path.name == "X.wav"


def test_clips_of_another_format_are_refused(pack_dir, tmp_path):
    odd = tmp_path / "pack"
    odd.mkdir()
    for f in pack_dir.iterdir():
        (odd / f.name).write_bytes(f.read_bytes())
    write_chime(odd / "hao.wav", rate=44100)
    with pytest.raises(ConfigError) as err:
        VoicePack(odd, letters=LETTERS)
    assert err.value.path.name == "hao.wav" and "44100 Hz" in err.value.reason
    (odd / "hao.wav").write_bytes(b"not a wav")
    with pytest.raises(ConfigError) as err:
        VoicePack(odd, letters=LETTERS)
    assert err.value.path.name == "hao.wav" and "WAV" in err.value.reason


def test_announcer_plays_the_packs_chime_then_the_joined_call(pack_dir, tmp_path):
    player = RecordingPlayer()
    pack = VoicePack(pack_dir, letters=LETTERS)
    ann = Announcer(AnnouncerSettings(engine="voicepack", voice_pack=str(pack_dir), repeat=1),
                    cache_dir=tmp_path, player=player, pack=pack).start()
    try:
        ann.submit({"number": "D105", "window_number": 12, "recall": 0, "speech": "请 D 一 零 五 号，到 12 号窗口办理"})
        wait_until(lambda: ann.announced == 1 and ann.idle(), 20, "one announcement")
    finally:
        ann.stop()
    chime, speech = [p[2] for p in player.plays]
    assert chime == pack_dir / "chime.wav"
    expected = b"".join(frames(pack.clip(t)) for t in ["请", "D", "一", "零", "五", "号", "到", "十", "二", "号",
                                                        "窗口办理"])
    assert frames(speech) == expected


def _config(tmp_path: Path, announcer: str) -> Path:
    text = HALL_CONFIG.read_text(encoding="utf-8") + f"\n[announcer]\n{announcer}\n"
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_voice_check_with_the_pack_writes_the_call_and_prints_its_clips(pack_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cfg = _config(tmp_path, f'engine = "voicepack"\nvoice_pack = "{pack_dir}"')
    out = tmp_path / "sample.wav"
    assert main(["voice", "check", "--config", str(cfg), "--number", "C012", "--window", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "请C零一二号，到三号窗口办理" in printed
    assert "请[qing.wav] C[C.wav] 零[0.wav] 一[1.wav] 二[2.wav]" in printed
    tokens = ["chime", *call_tokens("C012", 3)]
    assert frames(out) == b"".join(frames(pack_dir / clip_name(t)) for t in tokens)


def test_voice_check_with_espeak_prints_pinyin_and_mandarin_phonemes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "sample.wav"
    assert main(["voice", "check", "--config", str(HALL_CONFIG), "--number", "B007", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "pinyin:   qing3 bi4 ling2 ling2 qi1 hao4, dao4 san1 hao4 chuang1 kou3 ban4 li3" in printed
    phon = printed.split("phonemes:")[1]
    assert "(en)" not in phon and "X'Au51" in phon
    assert wav_duration(out) > 2.0


def test_voice_check_refuses_a_broken_pack_naming_the_file(pack_dir, tmp_path, capsys):
    broken = tmp_path / "pack"
    broken.mkdir()
    for f in pack_dir.iterdir():
        if f.name != "dao.wav":
            (broken / f.name).write_bytes(f.read_bytes())
    cfg = _config(tmp_path, f'engine = "voicepack"\nvoice_pack = "{broken}"')
    assert main(["voice", "check", "--config", str(cfg), "--out", str(tmp_path / "x.wav")]) == 2
    assert f"{broken / 'dao.wav'}" in capsys.readouterr().err
