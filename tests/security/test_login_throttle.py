"""The login page's per-address record of failures stays bounded, and still limits each address.

The web runs for months; every address that fails a login used to keep an entry (an empty one even after
its failures had expired, and one for every address that merely asked), so a client that changes its
address at will could grow the web's memory without end. The end-to-end lockout is in
test_web_attacks.py; these drive the record itself with a clock.
"""

from __future__ import annotations

from kiosk.web.throttle import LIMIT, MAX_ADDRESSES, WINDOW_S, LoginThrottle


def test_an_address_is_limited_for_the_window_then_free_again():
    t = LoginThrottle()
    for i in range(LIMIT):
        assert t.allowed("10.0.0.7", 1000.0 + i)
        t.failed("10.0.0.7", 1000.0 + i)
    assert not t.allowed("10.0.0.7", 1000.0 + LIMIT)
    assert t.allowed("10.0.0.8", 1000.0 + LIMIT)  # another address is not held to it
    assert not t.allowed("10.0.0.7", 1000.0 + WINDOW_S - 1)  # the first failure is still inside the window
    assert t.allowed("10.0.0.7", 1000.0 + WINDOW_S)  # it has left the window: one more try
    assert t.allowed("10.0.0.7", 1000.0 + LIMIT - 1 + WINDOW_S)
    assert len(t) == 0  # all of its failures have expired, and so has its entry


def test_asking_records_nothing():
    t = LoginThrottle()
    for i in range(10_000):
        assert t.allowed(f"10.1.{i // 256}.{i % 256}", 50.0)
    assert len(t) == 0


def test_expired_addresses_go_when_anyone_fails():
    t = LoginThrottle()
    for i in range(3000):
        t.failed(f"10.2.{i // 256}.{i % 256}", float(i) / 10)
    assert len(t) == 3000
    t.failed("10.3.0.1", 299.9 + WINDOW_S)  # the first 3,000 failures' addresses are all out of the window
    assert len(t) == 1


def test_a_client_changing_addresses_cannot_grow_the_record():
    t = LoginThrottle()
    for _ in range(LIMIT):
        t.failed("fd00::1", 99.0)
    assert not t.allowed("fd00::1", 99.0)
    for i in range(2, 20_000):  # all inside one window: none has expired
        t.failed(f"fd00::{i:x}", 100.0 + i / 1000)
    assert len(t) == MAX_ADDRESSES
    # the addresses that failed last are the ones kept, so the one failing now is still counted
    for _ in range(LIMIT - 1):
        t.failed("fd00::4e1f", 121.0)
    assert not t.allowed("fd00::4e1f", 121.0)
    # the one that failed first made room (the per-account lockout still holds for the names it tried)
    assert t.allowed("fd00::1", 121.0)


def test_each_address_keeps_at_most_limit_times():
    t = LoginThrottle()
    for i in range(5 * LIMIT):
        t.failed("10.0.0.9", 10.0 + i)
    assert len(t._failures["10.0.0.9"]) == LIMIT
    assert not t.allowed("10.0.0.9", 10.0 + 5 * LIMIT)
    assert t.allowed("10.0.0.9", 10.0 + 5 * LIMIT - LIMIT + WINDOW_S)  # the latest LIMIT failures have expired


def test_an_address_failing_again_counts_as_recent():
    t = LoginThrottle(max_addresses=3)
    for ip, at in (("10.0.0.1", 1.0), ("10.0.0.2", 2.0), ("10.0.0.3", 3.0), ("10.0.0.1", 4.0)):
        t.failed(ip, at)
    t.failed("10.0.0.4", 5.0)  # room for one more: the address whose last failure is oldest goes
    assert sorted(t._failures) == ["10.0.0.1", "10.0.0.3", "10.0.0.4"]
