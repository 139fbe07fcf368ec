"""Hostile and near-valid messages for every inbound topic and every request op.

Rule: ops and fields come from ``kiosk.protocol.REQUEST_OPS`` and the press spec at run time, so an op
added to the contract is fuzzed without editing this file. Valid values for a field are found by asking
the field's own check (a pool of candidates, kept when the check accepts them), and every message is
then damaged in one way: invalid JSON, wrong types, missing or extra fields, huge strings, 1 MB
payloads, invalid UTF-8, other versions, topics with unexpected levels.

Two forms: hypothesis strategies (``payloads``, ``requests``, ``presses``) for the codec alone, and
``Corpus`` — a seeded generator of (topic, payload, retain) for the hub, fast enough for 100,000.
"""

from __future__ import annotations

import json
import random
from typing import Any, Callable

from hypothesis import strategies as st

from kiosk.protocol import PRESS_ACTIONS, REQUEST_OPS, ProtocolError
from kiosk.protocol.codec import _PRESS_SPEC  # the press fields, as the codec checks them

SITE = "huangtan"
ROOT = f"hall/{SITE}/"
WINDOWS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "desk"]

# candidates for any field; a field's check picks the ones it accepts
POOL: list[Any] = [
    "A", "B", "C", "D", "E", "F", "Z", "w1", "w3", "desk", "btn-1", "kiosk-9", "A001", "C012",
    "20261129-A001", "printed", "on_screen", "desk", "home_visit", "zh", "en", "13800138000", "黄潭",
    "自助区", "verify", "rectify", "callback", "close", "满意", "不满意", "kiosk", "pad", "qr", "h1", "h7",
    "2026-11-30", "2026-11-30T09:00", "2026-11-30T09:00:00+08:00", "ABCD-1234", "slow_service", "c-1",
    "item.1", "个人", "身份证", "纸质", "邮寄", "", " ", "x" * 61, "王", 0, 1, 3, 5, 42, 5000, -1, 2**60, True, False,
    1.5, None, [], ["a"], ["w1", "w2"], ["slow_service"], {}, {"a": 1},
]
WEIRD: list[Any] = [
    "", "\u0000", "\t\n", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "../../etc", "A" * 70000, "中" * 5000, -10**30, 10**30, 1e308,
    float("-0.0"), [[[[[]]]]], {"nested": {"deeper": [1, 2, {"x": None}]}}, [None] * 50, True, None,
]


def accepted(check: Callable[[str, Any], Any], name: str) -> list[Any]:
    good = []
    for v in POOL:
        try:
            check(name, v)
        except ProtocolError:
            continue
        good.append(v)
    return good


def op_specs() -> dict[str, dict[str, tuple[Callable, bool]]]:
    return dict(REQUEST_OPS)


# ---------------------------------------------------------------- hypothesis strategies (codec fuzz)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=15)


def _field_value(check, name: str) -> st.SearchStrategy:
    good = accepted(check, name)
    options = [json_values, st.sampled_from(POOL), st.sampled_from(WEIRD)]
    if good:
        options.insert(0, st.sampled_from(good))
    return st.one_of(options)


def _object(spec: dict[str, tuple[Callable, bool]], envelope: bool) -> st.SearchStrategy:
    fields = {name: _field_value(check, name) for name, (check, _) in spec.items()}
    if envelope:
        fields["txn"] = st.one_of(st.sampled_from(["t1", "k9-0001", "a" * 64]), st.text(max_size=70), json_values)
        fields["reply_to"] = st.one_of(st.just(ROOT + "device/fuzz/reply"), st.text(max_size=220), json_values)
        fields["device"] = st.one_of(st.just("fuzz"), json_values)
    keys = st.lists(st.sampled_from(sorted(fields)), unique=True)
    extra = st.dictionaries(st.text(max_size=12), json_values, max_size=2)
    version = st.one_of(st.just(1), st.just(1), json_values)

    @st.composite
    def build(draw):
        obj = {"v": draw(version)}
        for k in draw(keys):
            obj[k] = draw(fields[k])
        if draw(st.booleans()):
            obj.update(draw(extra))
        return obj
    return build()


def _encoded(objects: st.SearchStrategy) -> st.SearchStrategy:
    as_json = objects.map(lambda o: json.dumps(o, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return st.one_of(as_json, as_json.map(_damage_bytes), st.binary(max_size=300), raw_payloads)


def _damage_bytes(b: bytes) -> bytes:
    if not b:
        return b"\xff"
    cut = len(b) // 2
    return b[:cut] + b"\xc3\x28" + b[cut:]  # an invalid UTF-8 sequence in the middle


raw_payloads = st.sampled_from([
    b"", b"{", b"[]", b"null", b"1", b'"x"', b"{}", b'{"v":1}', b'{"v":2}', b'{"v":"1"}', b'{"v":true}',
    b'{"v":1.0}', b"\xff\xfe\x00", b"\xed\xa0\x80", b'{"v":1,"v":1}', b"[" * 100000 + b"]" * 100000,
    b'{"v":1,"a":' * 5000 + b"1" + b"}" * 5000, b"x" * (1 << 20), b'{"v":1,"txn":"' + b"a" * (1 << 20) + b'"}',
    b'{"v": 1, "txn": "t", "reply_to": "hall/huangtan/device/x/reply", "category": NaN}',
    b'{"v":1,"device":"b","seq":' + b"9" * 5000 + b',"action":"next"}', b'{"v":1,"seq":1,"seq":2}',
    b'{"v":1,"txn":"t","reply_to":"hall/huangtan/device/x/reply","note":"\\ud800"}', b'{"v":1,"seq":true}',
])

presses = _encoded(_object(_PRESS_SPEC, envelope=False))


def requests(op: str) -> st.SearchStrategy:
    return _encoded(_object(REQUEST_OPS.get(op, {}), envelope=True))


op_names = st.one_of(st.sampled_from(sorted(REQUEST_OPS)), st.text(max_size=40))


# ---------------------------------------------------------------- seeded corpus (hub fuzz)

class Corpus:
    """Deterministic stream of (topic, payload, retain); ``n`` messages from ``seed``."""

    def __init__(self, seed: int, big_every: int = 500) -> None:
        self.rng = random.Random(seed)
        self.big_every = big_every
        self.i = 0
        self.ops = sorted(REQUEST_OPS)
        self.good = {op: {name: accepted(check, name) for name, (check, _) in spec.items()}
                     for op, spec in REQUEST_OPS.items()}
        self.good_press = {name: accepted(check, name) for name, (check, _) in _PRESS_SPEC.items()}

    def _value(self, good: list[Any]) -> Any:
        r = self.rng.random()
        if good and r < 0.75:
            return self.rng.choice(good)
        if r < 0.9:
            return self.rng.choice(POOL)
        # the two huge strings (70,000 and 5,000 characters) only now and then, to keep the run fast
        return self.rng.choice(WEIRD[:4] + WEIRD[6:] if self.rng.random() < 0.9 else WEIRD)

    def _fields(self, goods: dict[str, list[Any]], spec: dict[str, tuple[Callable, bool]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for name, (_, required) in spec.items():
            if required or self.rng.random() < 0.4:
                obj[name] = self._value(goods[name])
        return obj

    def _damage(self, obj: dict[str, Any]) -> bytes:
        r = self.rng.random()
        if r < 0.35:
            pass  # maybe valid, maybe not: the values above may already be wrong
        elif r < 0.45 and obj:
            obj.pop(self.rng.choice(sorted(obj)))  # a missing field
        elif r < 0.55:
            obj[self.rng.choice(["extra", "V", "__proto__", "action2", "备注"])] = self._value([])
        elif r < 0.62:
            obj["v"] = self.rng.choice([0, 2, "1", 1.5, None, True, [1]])
        elif r < 0.68:
            k = self.rng.choice(sorted(obj)) if obj else "x"
            obj[k] = "长" * self.rng.choice([61, 201, 1001, 30000])
        elif r < 0.74:
            return json.dumps(obj, ensure_ascii=False).encode()[: self.rng.randint(0, 40)]  # cut short
        elif r < 0.8:
            b = json.dumps(obj, ensure_ascii=False).encode()
            pos = self.rng.randint(0, len(b))
            return b[:pos] + self.rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]) + b[pos:]
        elif r < 0.84:
            return self.rng.choice([b"", b"[]", b"null", b"{", b"42", b'"v"', b"{}", b"\x00" * 10])
        elif r < 0.87:
            return json.dumps([obj]).encode()
        elif r < 0.9:
            return bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(1, 200)))
        elif r < 0.965:
            return self._hostile(obj)
        return json.dumps(obj, ensure_ascii=False).encode()

    def _hostile(self, obj: dict[str, Any]) -> bytes:
        """Valid UTF-8 JSON that must still be refused with a code: a huge integer, a lone surrogate in a
        text field (spelled as a JSON escape), a float or boolean where an integer is due, a key twice."""
        k = self.rng.choice(sorted(obj)) if obj else "seq"
        c = self.rng.randrange(5)
        if c == 0:
            digits = "9" * self.rng.choice([21, 400, 5000, 20000])
            return json.dumps({**obj, k: 0}, ensure_ascii=False).replace(f'"{k}": 0', f'"{k}": {digits}').encode()
        if c == 1:
            text = self.rng.choice(["\\ud800", "a\\udfff", "\\udc00备注", "\\ud83d"])  # JSON escapes
            return json.dumps({**obj, self.rng.choice([k, "note", "text", "reason"]): "x"}).replace(
                '"x"', f'"{text}"', 1).encode()
        if c == 2:
            return json.dumps({**obj, "v": self.rng.choice([1.0, True, 1e0, "1"])}).encode()
        if c == 3:
            return json.dumps({**obj, k: self.rng.choice([True, 1.0, 2.5, -0.0])}).encode()
        b = json.dumps(obj, ensure_ascii=False).encode()
        return b[:-1] + (b", " if obj else b"") + json.dumps({k: "again"})[1:].encode()  # the key twice

    def _topic(self, kind: str, arg: str) -> str:
        r = self.rng.random()
        if r < 0.85:
            return f"{ROOT}window/{arg}/press" if kind == "press" else f"{ROOT}request/{arg}"
        if kind == "press":  # unexpected levels, unknown windows
            return self.rng.choice([f"{ROOT}window/{arg}/press/x", f"{ROOT}window/press", f"{ROOT}window/{arg}",
                                    f"{ROOT}window//press", f"{ROOT}window/W1/press", f"{ROOT}window/中/press",
                                    f"{ROOT}window/{'w' * 70}/press", f"hall/other/window/{arg}/press",
                                    f"{ROOT}window/{arg}/state"])
        return self.rng.choice([f"{ROOT}request/{arg}/x", f"{ROOT}request/a/b", f"{ROOT}request",
                                f"{ROOT}request/", f"{ROOT}request/{arg.upper()}", f"{ROOT}request/no.such_op",
                                f"{ROOT}request/{'o' * 300}", f"hall/other/request/{arg}", f"{ROOT}requests/{arg}"])

    def next(self) -> tuple[str, bytes, bool]:
        self.i += 1
        retain = self.rng.random() < 0.01
        if self.big_every and self.i % self.big_every == 0:  # a 1 MB payload now and then
            topic = self._topic("press", self.rng.choice(WINDOWS)) if self.rng.random() < 0.5 else \
                self._topic("request", self.rng.choice(self.ops))
            return topic, b'{"v":1,"pad":"' + b"x" * (1 << 20) + b'"}', retain
        if self.rng.random() < 0.4:
            obj = {"v": 1, **self._fields(self.good_press, _PRESS_SPEC)}
            if "action" in obj and self.rng.random() < 0.6:
                obj["action"] = self.rng.choice(PRESS_ACTIONS)
            if isinstance(obj.get("seq"), int) and self.rng.random() < 0.7:
                obj["seq"] = self.i  # mostly fresh presses, some repeats
            return self._topic("press", self.rng.choice(WINDOWS)), self._damage(obj), retain
        op = self.rng.choice(self.ops)
        env = {"txn": f"fz{self.i}" if self.rng.random() < 0.9 else self.rng.choice(["", "bad txn", 7, None]),
               "reply_to": ROOT + "device/fuzz/reply" if self.rng.random() < 0.85 else
               self.rng.choice(["", "hall/other/device/x/reply", ROOT + "device/BAD/reply", ROOT + "board", 3])}
        obj = {"v": 1, **env, **self._fields(self.good[op], REQUEST_OPS[op])}
        return self._topic("request", op), self._damage(obj), retain

    def take(self, n: int) -> list[tuple[str, bytes, bool]]:
        return [self.next() for _ in range(n)]
