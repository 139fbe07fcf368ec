"""Request/reply over the bus: ``request/<op>`` out, ``device/<id>/reply`` back, matched by ``txn``.

Rule: a request is retried with the *same* txn, so the hub (which stores its replies) answers a retry
with the very same result and never issues twice. Blocking waits are for command-line tools only; a
render loop uses ``send`` and ``match`` from its own frame.
"""

from __future__ import annotations

import queue
import secrets
import time
from typing import Any

from ..errors import BusError
from ..protocol import ProtocolError, Reply, Topics, decode_reply, encode
from .client import BusClient, Inbound


def new_txn() -> str:
    return secrets.token_hex(8)


class Requester:
    def __init__(self, bus: BusClient, topics: Topics, device_id: str) -> None:
        self.bus, self.topics, self.device_id = bus, topics, device_id
        self.reply_topic = topics.reply(device_id)

    def send(self, op: str, args: dict[str, Any], txn: str | None = None) -> str:
        txn = txn or new_txn()
        body = {"txn": txn, "reply_to": self.reply_topic, "device": self.device_id, **args}
        self.bus.publish(self.topics.request(op), encode(body), qos=1)
        return txn

    def match(self, item: Inbound) -> Reply | None:
        if item.topic != self.reply_topic:
            return None
        try:
            return decode_reply(item.payload)
        except ProtocolError:
            return None

    def call(self, op: str, args: dict[str, Any], *, timeout: float = 5.0, retry_every: float = 2.0,
             other: "list[Inbound] | None" = None) -> Reply:
        """Send and wait (tools only). Messages that are not the reply go to ``other`` if given."""
        if not self.bus.wait_connected(timeout):
            raise BusError(f"no broker connection within {timeout:.0f} s")
        txn = self.send(op, args)
        deadline = time.monotonic() + timeout
        next_retry = time.monotonic() + retry_every
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BusError(f"the hub did not answer {op} within {timeout:.0f} s")
            try:
                item = self.bus.inbox.get(timeout=min(left, 0.2))
            except queue.Empty:
                if time.monotonic() >= next_retry:
                    self.send(op, args, txn)
                    next_retry = time.monotonic() + retry_every
                continue
            rep = self.match(item)
            if rep is not None and rep.txn == txn:
                return rep
            if other is not None and item.topic:
                other.append(item)
