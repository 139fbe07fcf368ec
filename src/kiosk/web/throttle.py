"""Failed logins per network address, for the login page's per-address limit.

Rule: an address is refused after ``limit`` failed logins within ``window_s``, whatever names it tried (the
per-account lockout in ``accounts`` is the other half). The record is bounded: an address is kept only
while it has a failure inside the window, at most ``limit`` times each, and at most ``max_addresses``
addresses; past that, the one whose last failure is oldest makes room. A hall network has a few hundred
addresses, but the web runs for months and a client may change its address at will (IPv6 gives it
billions), so nothing here grows with the number of addresses ever seen.
"""

from __future__ import annotations

from collections import OrderedDict, deque

WINDOW_S = 600.0
LIMIT = 20
MAX_ADDRESSES = 4096


class LoginThrottle:
    def __init__(self, *, window_s: float = WINDOW_S, limit: int = LIMIT, max_addresses: int = MAX_ADDRESSES) -> None:
        self.window_s, self.limit, self.max_addresses = window_s, limit, max_addresses
        # address -> times of its recent failures, oldest first; the address failed last is at the end
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def allowed(self, ip: str, now: float) -> bool:
        """May ``ip`` try to log in now? (Asking records nothing.)"""
        times = self._failures.get(ip)
        if times is None:
            return True
        self._forget_old(times, now)
        if not times:
            del self._failures[ip]
            return True
        return len(times) < self.limit

    def failed(self, ip: str, now: float) -> None:
        """``ip`` just failed a login."""
        times = self._failures.get(ip)
        if times is None:
            times = self._failures[ip] = deque(maxlen=self.limit)
        else:
            self._failures.move_to_end(ip)
        times.append(now)
        self._sweep(now)

    def __len__(self) -> int:
        return len(self._failures)

    def _forget_old(self, times: deque[float], now: float) -> None:
        while times and now - times[0] >= self.window_s:
            times.popleft()

    def _sweep(self, now: float) -> None:
        # Addresses are in the order of their last failure, so the stale ones are at the front.
        failures = self._failures
        while failures:
            ip, times = next(iter(failures.items()))
            if len(failures) <= self.max_addresses and now - times[-1] < self.window_s:
                break
            del failures[ip]
