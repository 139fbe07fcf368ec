"""Abuse guards of the public phone pages: request rates per address, wrong-token lookups per address,
and a bound on live streams (in all and per address).

Rule: pure bookkeeping — the caller passes ``now`` (monotonic seconds) and decides what to answer; a
refused request costs nothing but a dictionary look-up. Old entries are dropped as they are met and when
the table grows, so a flood of addresses cannot grow memory without bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_ADDRESSES = 20_000  # entries kept per table; beyond it the idlest are forgotten


@dataclass(frozen=True, slots=True)
class Limits:
    page_burst: float = 30.0        # page loads an address may make at once …
    page_per_s: float = 0.5         # … refilled at 30 a minute (a page refreshing every 15 s uses 4)
    miss_burst: float = 10.0        # unknown tokens or codes an address may try at once …
    miss_per_s: float = 1 / 60      # … refilled at one a minute: guessing a 96-bit token is hopeless anyway
    streams: int = 1000             # live streams in all (the hall plans for 500 phones)
    streams_per_address: int = 4    # a phone with a few tabs; a script opening hundreds is refused
    pending: int = 1000             # page loads waiting for the hub at once (they share its requests)


@dataclass(slots=True)
class Bucket:
    level: float
    at: float


@dataclass
class RateTable:
    """A token bucket per address."""

    burst: float
    per_s: float
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def take(self, key: str, now: float, cost: float = 1.0) -> bool:
        b = self.buckets.get(key)
        if b is None:
            if len(self.buckets) >= MAX_ADDRESSES:
                self._forget(now)
            b = self.buckets[key] = Bucket(self.burst, now)
        b.level = min(self.burst, b.level + max(0.0, now - b.at) * self.per_s)
        b.at = now
        if b.level < cost:
            return False
        b.level -= cost
        return True

    def allows(self, key: str, now: float) -> bool:
        """Would ``take`` succeed (without taking)?"""
        b = self.buckets.get(key)
        return b is None or min(self.burst, b.level + max(0.0, now - b.at) * self.per_s) >= 1.0

    def _forget(self, now: float) -> None:
        full = [k for k, b in self.buckets.items() if b.level + (now - b.at) * self.per_s >= self.burst]
        for k in full or sorted(self.buckets, key=lambda k: self.buckets[k].at)[: len(self.buckets) // 2]:
            del self.buckets[k]


@dataclass
class StreamTable:
    """Open live streams, in all and per address."""

    limit: int
    per_address: int
    by_address: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def open(self, address: str) -> bool:
        if self.total >= self.limit or self.by_address.get(address, 0) >= self.per_address:
            return False
        self.total += 1
        self.by_address[address] = self.by_address.get(address, 0) + 1
        return True

    def close(self, address: str) -> None:
        n = self.by_address.get(address, 0)
        if n <= 1:
            self.by_address.pop(address, None)
        else:
            self.by_address[address] = n - 1
        self.total = max(0, self.total - 1)


@dataclass
class Guard:
    limits: Limits = Limits()

    def __post_init__(self) -> None:
        lim = self.limits
        self.pages = RateTable(lim.page_burst, lim.page_per_s)
        self.misses = RateTable(lim.miss_burst, lim.miss_per_s)
        self.streams = StreamTable(lim.streams, lim.streams_per_address)
        self.pending = 0

    def page(self, address: str, now: float) -> str | None:
        """None when a page load may go ahead, else why not: ``slow`` (this address) or ``busy`` (everyone)."""
        if not self.misses.allows(address, now) or not self.pages.take(address, now):
            return "slow"
        if self.pending >= self.limits.pending:
            return "busy"
        return None

    def missed(self, address: str, now: float) -> None:
        """An unknown token or code: guessing costs the address more than looking."""
        self.misses.take(address, now)
