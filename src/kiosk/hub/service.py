"""The hub: the only writer of hall state. Wiring of store, queue core and bus.

Rule: one worker thread owns the queue, the store and the clock. paho's thread only enqueues. For each
batch of messages that arrived together: validate → dedupe → apply in the core → commit once (group
commit) → acknowledge to the broker → publish replies and state. Nothing is acknowledged or published
before it is durable; a restart rebuilds exactly the state before it from SQLite alone.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from .. import __version__
from ..bus.client import BusClient, BusSettings, Inbound, Inbox
from ..config import SiteConfig, identities
from ..core import commands as C
from ..core.calendar import BusinessDayGuard, ClockJump
from ..core.errors import QueueError
from ..core.queue import Queue, QueueState
from ..errors import StoreError
from ..protocol import roles
from ..protocol import (ProtocolError, Topics, decode_press, decode_request, encode,
                        envelope_of, error_reply, ok_reply)
from ..store.db import Store
from ..system.collector import collect_and_freeze
from ..system.sdnotify import Notifier, link_status
from . import ops
from .devices import PRINTER_ALERTS, DeviceTable
from .features import Feature, Hall, Op, OpContext, OpError, Outbox, discover
from .hallinfo import HallInfo
from .retained_views import RetainedViews

log = logging.getLogger(__name__)

BATCH_MAX = 512
# events after which every window's waiting count may differ (each window's state is published again)
_WAITING_CHANGES = (C.TicketIssued, C.TicketRequeued, C.TicketVoided, C.TicketTransferred, C.DayStarted)
# The board (every window and category: the biggest message) is left to the next batch while more
# messages already wait in the inbox, so a burst split over several batches sends one board, not one
# per batch; but never later than this after the first batch it was owed for.
BOARD_DEFER_MAX_S = 0.2
SNAPSHOT_EVERY = 2000  # commands between snapshots, taken when nothing arrived for a whole inbox wait …
SNAPSHOT_AT_THE_LATEST = 20000  # … or after this many even under a constant stream
DEDUPE_DAYS = 3  # stored replies and press (device, seq) records are kept this long
STORE_PROBE_S = 10.0  # while the state file takes no writes, try one this often when idle
LAST_SEEN_EVERY_S = 600.0  # the clock guard's record is refreshed at least this often while only devices talk


class Hub:
    def __init__(self, cfg: SiteConfig, *, state_dir: Path, host: str, port: int,
                 clock: Callable[[], float] = time.time, password: str = "",
                 notifier: Notifier | None = None, quiet_gc: bool = False) -> None:
        self.cfg = cfg
        # The hub owns its process (``kiosk hub``): the collector's full passes in quiet seconds only
        # (_collect_quietly). A hub in a thread of another program (tests, the demo) leaves it alone.
        self.quiet_gc = quiet_gc
        self.notifier = notifier if notifier is not None else Notifier.from_env()
        self.broker = f"{host}:{port}"
        self.topics = Topics(cfg.site_id)
        self.tz = ZoneInfo(cfg.timezone)
        self.clock = clock
        self.info = HallInfo(cfg, clock(), state_dir=Path(state_dir))
        self.info.alive = self.notifier.alive  # a catalogue import waits for its worker process
        self.store = Store(Path(state_dir) / "hub.sqlite3")
        self.queue = self._recover()
        self._window_ids = frozenset(w.id for w in cfg.hall.windows)
        self._mode_due = 0.0
        self.mode: dict[str, Any] = {}
        # the clock guard's durable trace: its own record, or the newest command's time if later (a batch
        # that logs a command does not write the record too: one page less per commit)
        self._last_seen = max(float(self.store.get_meta("last_seen", 0.0)), self.store.last_command_at())
        self._last_seen_saved = self._last_seen
        self._clock_warned = False
        self.inbox = Inbox()
        self.bus = BusClient(BusSettings(
            host=host, port=port, device_id="hub", topics=self.topics, persistent_session=True,
            manual_ack=True, retain_as_published=True, max_inflight=1000, username=cfg.broker.username or "",
            password=password, tls_ca=cfg.broker.tls_ca,
            subscriptions=(self.topics.all_presses, self.topics.all_requests, self.topics.all_availability,
                           self.topics.all_status)), self.inbox)
        self.views = RetainedViews(cfg, self.topics)
        self._board_owed: float | None = None  # when a board was first left to a later batch
        # Who may send what (docs/protocol.md, "Roles"): identities from the same config `kiosk provision`
        # writes the ACL from. With broker accounts (a provisioned hall) an unknown sender is refused;
        # on an open broker (demo, bench) only known identities are held to their role.
        self.identities = {i.id: i for i in identities(cfg)}
        self.devices = DeviceTable(self.identities)  # availability, last status, last seen: bounded
        self.strict_roles = bool(cfg.broker.username)
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._since_snapshot = 0
        self.started_at = clock()
        self.store_ok = True
        self._probe_due = 0.0
        self.hall = Hall(cfg=cfg, topics=self.topics, store=self.store, info=self.info, queue=lambda: self.queue,
                         apply=self.apply_logged, mode=lambda: self.mode, identity=self.identities.get,
                         strict=self.strict_roles)
        self.features: list[Feature] = [make(self.hall) for make in discover()]  # ConfigError stops the hub here
        # the features that act on events: every logged command offers its events to these only
        self._event_features = [f for f in self.features if type(f).on_events is not Feature.on_events]
        self.ops: dict[str, Op] = {}
        for f in self.features:
            for name, op in f.ops.items():
                if name in self.ops:
                    raise ValueError(f"op {name} is implemented twice")
                self.ops[name] = op

    # ------------------------------------------------------------------ recovery
    def _recover(self) -> Queue:
        seq, snap = self.store.latest_snapshot()
        q = Queue(self.cfg.hall, QueueState.from_dict(snap) if snap else None)
        for _, cmd in self.store.commands_after(seq):
            try:
                q.apply(cmd)
            except QueueError as exc:  # only if the hall's config changed under the log
                log.warning("replaying %s: %s", type(cmd).__name__, exc)
        self.version = self.store.last_seq()
        return q

    # ------------------------------------------------------------------ time
    def observe_clock(self, raw_now: float) -> tuple[float, str]:
        """(effective now, business day) through the clock guard.

        A Pi has no real-time clock: after a reboot it may read an old time until NTP steps it. The
        guard never lets the business day go back and keeps event times monotonic.
        """
        last = self._last_seen
        guard = BusinessDayGuard(
            last_seen=datetime.fromtimestamp(last, self.tz) if last else None,
            business_day=date.fromisoformat(self.queue.state.day) if self.queue.state.day else None)
        _, obs = guard.observe(datetime.fromtimestamp(raw_now, self.tz))
        if obs.jump is ClockJump.BACKWARD and raw_now + 60 < last and not self._clock_warned:
            log.warning("the clock reads %.0f s earlier than last seen; keeping business day %s",
                        last - raw_now, obs.business_day)
            self._clock_warned = True
        elif obs.jump is ClockJump.NONE:
            self._clock_warned = False
        now = obs.effective_now.timestamp()
        self._last_seen = max(last, now)
        return now, obs.business_day.isoformat()

    def business_day(self, now: float) -> str:
        return self.observe_clock(now)[1]

    # ------------------------------------------------------------------ main loop
    def run(self) -> None:
        """Run until ``stop()``; the calling thread becomes the worker."""
        self._probe_store(self.clock())  # a hub started on a full disk says so (log, hub/status)
        self._collect_quietly()  # what the start built (config, catalogue, modules …) is not walked again
        self.bus.start()
        self.notifier.status(f"connecting to the broker {self.broker}")
        while not self._stop.is_set():
            try:
                first = self.inbox.get(timeout=1.0)
            except queue.Empty:
                first = None
            self.notifier.alive()
            items = [] if first is None else [first, *self.inbox.drain(BATCH_MAX - 1)]
            self._process(items)
            if not items and self._since_snapshot >= SNAPSHOT_EVERY:
                self._snapshot_quietly()  # a quiet second: never in the middle of a burst or a stream
                self._collect_quietly()
        self.notifier.stopping("stopping: last snapshot, then disconnect")
        self._snapshot_quietly()
        self.bus.stop()
        self.store.close()

    def stop(self, *, from_signal: bool = False) -> None:
        """Stop the worker. From another thread the worker is woken at once; from a signal handler only the
        flag is set, since the handler runs on the worker's own thread, which may hold the inbox's lock at
        that moment (a put would wait for it forever): the worker sees the flag within its 1 s inbox wait."""
        self._stop.set()
        if not from_signal:
            self.inbox.put(Inbound(""))  # wake the worker now rather than at its next tick

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    # ------------------------------------------------------------------ one batch
    def _process(self, items: list[Inbound]) -> None:
        now, day = self.observe_clock(self.clock())
        if now >= self._mode_due and self._ready.is_set():
            self._publish_mode(now)
        due = [f for f in self.features if f.due(now)]
        if not items and not due and day == self.queue.state.day:
            if not self.store_ok and now >= self._probe_due:
                self._probe_store(now)  # a full disk may have room again with nothing arriving
            return  # idle: no write, so an SD card is not worn by a clock tick
        # a batch of nothing but device status/availability changes memory only: no write at all (those
        # arrive every minute from every screen, pad and button, day and night; see docs/operations.md)
        durable = due or day != self.queue.state.day or any(
            it.topic and self.topics.parse(it.topic)[0] not in ("status", "availability") for it in items)
        out = Outbox()
        reconnected = False
        broken = False
        seq_before = self.store.last_seq()
        try:
            with self.store.batch():
                self._roll_day(now, day, out)
                for f in due:
                    f.on_tick(OpContext(self.hall, now, "hub", out))
                decoded = self._decode_all(items)
                for it in items:
                    if not it.topic:
                        reconnected = reconnected or bool(it.connected)
                        if it.connected is not None and self._ready.is_set():
                            self.notifier.status(link_status(connected=it.connected, offline_since=now, tz=self.tz,
                                                             broker=self.broker, serving="the hall"))
                        continue
                    out.acks.append(it)
                    try:
                        self._handle(it, now, out, decoded.get(id(it)))
                    except StoreError:
                        raise
                    except Exception as exc:  # a defect must cost one message, never the hub
                        log.exception("internal error handling %s", it.topic)
                        self._reject(out, it.topic, "internal_error", f"{type(exc).__name__}: {exc}", now)
                        broken = True
                logged = self.store.last_seq() != seq_before
                if (durable and not logged) or not self._last_seen_saved \
                        or self._last_seen - self._last_seen_saved >= LAST_SEEN_EVERY_S:
                    self.store.set_meta("last_seen", self._last_seen)
                    self._last_seen_saved = self._last_seen
                if not self.store_ok:
                    self.store.probe_write()  # recovered only when the file can grow again
            if not self.store_ok:
                self._store_recovered(now, out)
        except StoreError as exc:
            self._store_failed(exc, items, now)
            return
        if broken:
            self.queue = self._recover()  # drop anything a failed handler changed without logging it
        # the batch's states and board leave first, in one write, then its acks, calls and replies in another:
        # a window's screen does not wait for the rest of the batch to be queued
        with self.bus.corked():
            if reconnected:
                self._publish_all(now)  # after a broker restart without persistence, retained state is gone
                out.windows.clear()
                out.board = False
            self._flush_views(out, now)
        with self.bus.corked():
            for it in out.acks:
                self.bus.ack(it)
            self._flush_messages(out, now)
        if self._since_snapshot >= SNAPSHOT_AT_THE_LATEST:
            self._snapshot_quietly()  # a stream that never pauses still gets one now and then

    def _probe_store(self, now: float) -> bool:
        """Can the state file take a write? Keeps ``store_ok`` (shown on hub/status) true to the disk."""
        self._probe_due = now + STORE_PROBE_S
        try:
            with self.store.batch():
                self.store.probe_write()
        except StoreError as exc:
            if self.store_ok:
                log.error("the state database cannot be written (disk full or read-only): %s", exc)
            self.store_ok = False
            return False
        if not self.store_ok:
            out = Outbox()
            self._store_recovered(now, out)
            self._flush_views(out, now)
            self._flush_messages(out, now)
        return True

    def _store_recovered(self, now: float, out: Outbox) -> None:
        log.warning("the state database takes writes again")
        self.store_ok = True
        out.add(self.topics.alert, {"kind": "store_recovered", "at": now, "text": "状态数据库已恢复写入"})
        out.hub_status = True
        self._publish_hub_device_status(now)

    def _store_failed(self, exc: StoreError, items: list[Inbound], now: float) -> None:
        """Nothing of the batch is durable: refuse it all (a retry whose answer is already stored still gets
        that answer), rebuild memory from disk, tell staff and monitoring."""
        log.error("state not saved, batch refused: %s", exc)
        self.store_ok = False
        self._probe_due = now + STORE_PROBE_S
        self.queue = self._recover()
        out = Outbox()
        reconnected = False
        for it in items:
            if not it.topic:
                reconnected = reconnected or bool(it.connected)
                continue
            out.acks.append(it)
            if it.retain and self.topics.parse(it.topic)[0] in ("press", "request"):
                self._refuse_retained(it, now, out)  # needs no store
                continue
            env = envelope_of(it.payload) if "/request/" in it.topic else None
            device = self.topics.reply_device(env[1]) if env else None
            stored = self._stored_reply_quietly(device, env[0]) if env and device else None
            if stored is not None:
                out.add(env[1], stored)  # reading still works on a full disk
                continue
            if env and device:
                out.add(env[1], error_reply(env[0], "store_unavailable",
                                            "the hub cannot save right now; nothing was done"))
            out.add(self.topics.hub_error, {"topic": it.topic, "code": "store_unavailable", "reason": str(exc),
                                            "at": now})
        out.add(self.topics.alert, {"kind": "store_failed", "at": now, "text": "状态数据库无法写入（磁盘已满或只读）",
                                    "detail": str(exc)})
        for it in out.acks:
            self.bus.ack(it)
        if reconnected:
            self._publish_all(now)  # says store_ok: false on hub/status (e.g. a hub started on a full disk)
        else:
            self._publish_hub_status(now)
            self._publish_hub_device_status(now)
        for topic, payload, retain in out.messages:
            self.bus.publish(topic, payload, retain=retain, qos=0 if topic == self.topics.hub_error else 1)

    def _stored_reply_quietly(self, device: str, txn: str) -> dict[str, Any] | None:
        try:
            return self.store.stored_reply(device, txn)
        except StoreError:
            return None

    def _roll_day(self, now: float, day: str, out: Outbox) -> None:
        if day != self.queue.state.day:
            self.apply_logged(C.StartDay(now=now, day=day), out)
            out.windows.update(w.id for w in self.cfg.hall.windows)
            # dedupe records only matter for retries within minutes; old replies may hold masked data
            self.store.forget_dedupe(before=now - 86400 * DEDUPE_DAYS)
            ctx = OpContext(self.hall, now, "hub", out)
            for f in self.features:
                f.on_day_start(ctx)
            warning = self.info.calendar_warning(now)
            if warning:  # once a day, until staff type the schedule into calendar.toml
                out.add(self.topics.alert, {"id": f"calendar-{day}", "kind": "calendar_missing", "at": now,
                                            "text": warning})

    def apply_logged(self, cmd: C.Command, out: Outbox) -> list[C.Event]:
        events = self.queue.apply(cmd)
        self._log(cmd, events, out)
        return events

    def _log(self, cmd: C.Command, events: list[C.Event], out: Outbox) -> None:
        seq = self.store.add_command(cmd)
        self.store.add_events(seq, self.queue.state.day, events)
        self.version = seq
        self._since_snapshot += 1
        out.board = True
        if events:
            ctx = OpContext(self.hall, cmd.now, "hub", out)
            for f in self._event_features:
                f.on_events(ctx, events)
        for ev in events:
            w = getattr(ev, "window", None)
            if w:
                out.windows.add(w)
            if isinstance(ev, C.TicketCalled):
                out.add(self.topics.call, self._call_body(ev))
            elif isinstance(ev, _WAITING_CHANGES):
                out.windows.update(self._window_ids)  # waiting counts changed

    def _call_body(self, ev: C.TicketCalled) -> dict[str, Any]:
        w = self.cfg.hall.window(ev.window)
        num = w.number if w else 0
        return {"id": f"{self.version}-{ev.ticket}-{ev.recall}", "number": ev.number, "window": ev.window,
                "window_number": num, "window_name": w.name if w else ev.window, "recall": ev.recall,
                "at": ev.at, "text": ops.CALL_TEXT.format(number=ev.number, window=num),
                "speech": ops.CALL_SPEECH.format(letters=ops.spoken_number(ev.number), window=num)}

    def _decode_all(self, items: list[Inbound]) -> dict[int, Any]:
        """Every press and request of the batch decoded once (id of the item -> its Press or Request, or
        the exception decoding raised), and what the store already holds for them (a retried request's
        answer, a redelivered press's outcome) fetched with one statement for the whole batch."""
        decoded: dict[int, Any] = {}
        replies: list[tuple[str, str]] = []
        presses: list[tuple[str, str, int]] = []
        for it in items:
            if not it.topic or it.retain:
                continue
            kind, arg = self.topics.parse(it.topic)
            try:
                if kind == "press":
                    p = decode_press(it.payload)
                    decoded[id(it)] = p
                    presses.append((arg or "", p.device, p.seq))
                elif kind == "request":
                    req = decode_request(arg or "", it.payload)
                    decoded[id(it)] = req
                    device = self.topics.reply_device(req.reply_to)
                    if device is not None:
                        replies.append((device, req.txn))
            except Exception as exc:  # ProtocolError, or a defect: either is answered when the item is handled
                decoded[id(it)] = exc
        if replies or presses:
            self.store.prefetch(replies, presses)
        return decoded

    def _handle(self, it: Inbound, now: float, out: Outbox, decoded: Any = None) -> None:
        kind, arg = self.topics.parse(it.topic)
        if isinstance(decoded, Exception) and not isinstance(decoded, ProtocolError):
            raise decoded
        if kind in ("press", "request") and it.retain:
            self._refuse_retained(it, now, out)
        elif kind == "press":
            self._handle_press(it, arg or "", now, out, decoded)
        elif kind == "request":
            self._handle_request(it, arg or "", now, out, decoded)
        elif kind in ("availability", "status"):
            self._device_seen(kind, arg or "", it.payload, now, out)
        else:
            self._reject(out, it.topic, "unknown_topic", "the hub does not take messages on this topic", now)

    def _device_seen(self, kind: str, device: str, payload: bytes, now: float, out: Outbox) -> None:
        """Every device's availability and status, summed up in the retained hub/status."""
        if device == "hub":
            return
        try:
            if kind == "availability":
                self.devices.availability(device, payload, now)
                printer = None
            else:
                printer = self.devices.status(device, payload, now)
        except ProtocolError as exc:
            self._reject(out, self.topics.status(device) if kind == "status" else self.topics.availability(device),
                         exc.code, exc.reason, now)
            return
        if printer is not None:
            out.add(self.topics.alert, {"id": f"printer-{device}-{int(now)}", "kind": "printer", "at": now,
                                        "device": device, "printer": printer,
                                        "text": f"{device}：{PRINTER_ALERTS[printer]}"})
        out.hub_status = True

    def _reject(self, out: Outbox, topic: str, code: str, reason: str, now: float) -> None:
        log.info("rejected %s: %s %s", topic, code, reason)
        out.add(self.topics.hub_error, {"topic": topic[:200], "code": code, "reason": reason[:300], "at": now})

    def _refuse_retained(self, it: Inbound, now: float, out: Outbox) -> None:
        """A retained command (a press or request): never applied, never answered from the stored replies,
        and deleted from the broker so it is not delivered again at the next start."""
        if not it.payload:
            return  # the broker telling us about a deletion (ours, or anyone's)
        out.clear(it.topic)
        self._reject(out, it.topic, "retained_command", "commands must not be retained; deleted, not applied", now)

    def _handle_press(self, it: Inbound, window: str, now: float, out: Outbox, p: Any = None) -> None:
        try:
            if p is None:
                p = decode_press(it.payload)
            elif isinstance(p, ProtocolError):
                raise p
        except ProtocolError as exc:
            self._reject(out, it.topic, exc.code, exc.reason, now)
            return
        if self.cfg.hall.window(window) is None:
            self._reject(out, it.topic, "unknown_window", f"no window {window[:40]!r} in this hall", now)
            return
        who = self.identities.get(p.device)
        if (who is not None or self.strict_roles) and not roles.may_press(who, window):
            self._reject(out, it.topic, "forbidden", f"device {p.device!r} is not the call button of {window}", now)
            return
        if self.store.press_seen(window, p.device, p.seq) is not None:
            return  # a QoS 1 redelivery of a press already applied
        try:
            cmd = ops.press_command(window, p, now)
            events = self.queue.apply(cmd)
        except QueueError as exc:
            self.store.mark_press(window, p.device, p.seq, now, f"refused:{exc.code}")
            self._reject(out, it.topic, exc.code, exc.message, now)
            return
        self._log(cmd, events, out)
        self.store.mark_press(window, p.device, p.seq, now, "ok")
        out.windows.add(window)

    def _handle_request(self, it: Inbound, op: str, now: float, out: Outbox, req: Any = None) -> None:
        try:
            if req is None:
                req = decode_request(op, it.payload)
            elif isinstance(req, ProtocolError):
                raise req
        except ProtocolError as exc:
            self._reject(out, it.topic, exc.code, exc.reason, now)
            env = envelope_of(it.payload)
            if env and self.topics.reply_device(env[1]):
                out.add(env[1], error_reply(env[0], exc.code, exc.reason))
            return
        device = self.topics.reply_device(req.reply_to)
        if device is None:
            self._reject(out, it.topic, "bad_reply_to", f"reply_to must be {self.topics.reply('<id>')}", now)
            return
        refusal = self._role_refusal(device, req.device, op)
        if refusal is not None:
            self._reject(out, it.topic, "forbidden", refusal, now)
            out.add(req.reply_to, error_reply(req.txn, "forbidden", refusal))
            return
        stored = self.store.stored_reply(device, req.txn)
        if stored is not None:
            out.add(req.reply_to, stored)  # a retried request gets the very same answer
            return
        entry = self.ops.get(op)
        if entry is None:  # in the contract, but no feature of this hub implements it
            self._reject(out, it.topic, "unsupported_op", f"the hub does not implement {op}", now)
            out.add(req.reply_to, error_reply(req.txn, "unsupported_op", f"the hub does not implement {op}"))
            return
        try:
            reply = ok_reply(req.txn, entry.handler(OpContext(self.hall, now, device, out), req))
        except OpError as exc:
            reply = error_reply(req.txn, exc.code, exc.message)
            reply["error"].update(exc.extra)
            self._reject(out, it.topic, exc.code, exc.message, now)
        payload = encode(reply)  # once: the stored answer to retries is the very bytes published
        if not entry.read_only:
            self.store.save_reply(device, req.txn, now, payload)
        out.messages.append((req.reply_to, payload, False))

    def _role_refusal(self, device: str, claimed: str | None, op: str) -> str | None:
        """Why this sender may not send ``op`` (None: it may). The sender is the device of its reply_to;
        the broker lets an identity read only its own reply topic and write only its role's request topics."""
        if claimed is not None and claimed != device:
            return f"field 'device' ({claimed}) is not the device of reply_to ({device})"
        who = self.identities.get(device)
        if who is None:
            return f"device {device!r} is not provisioned in this hall" if self.strict_roles else None
        if not roles.may_send(who.role, op):
            return f"a {who.role} may not send {op}"
        return None

    # ------------------------------------------------------------------ publishing
    def _publish_hub_status(self, now: float) -> None:
        self.bus.publish(self.topics.hub_status, encode({
            "at": now, "day": self.queue.state.day, "version": __version__, "store_ok": self.store_ok,
            "calendar_warning": self.info.calendar_warning(now), "devices": self.devices.rows}), retain=True)

    def _publish_hub_device_status(self, now: float) -> None:
        self.bus.publish(self.topics.status("hub"), encode({
            "kind": "hub", "version": __version__, "started_at": self.started_at, "day": self.queue.state.day,
            "store_ok": self.store_ok, "calendar_warning": self.info.calendar_warning(now)}), retain=True)

    def _publish_mode(self, now: float) -> None:
        body, due = self.info.mode(now)
        self._mode_due = due
        self.mode = body
        self.bus.publish(self.topics.mode, encode(body), retain=True)

    def _flush_views(self, out: Outbox, now: float) -> None:
        """After the commit: the batch's window states and one board."""
        wids = [w.id for w in self.cfg.hall.windows if w.id in out.windows]
        owed = self._board_owed
        board = out.board or owed is not None
        if board and self.inbox.qsize() and (owed is None or now - owed < BOARD_DEFER_MAX_S):
            if owed is None:
                self._board_owed = now  # more is waiting: a later batch sends the board
            board = False
        if board:
            self._board_owed = None
            self._publish_views(wids, now)
        elif wids:
            self._publish_views(wids, None)

    def _flush_messages(self, out: Outbox, now: float) -> None:
        """Then: the hub's status if it changed, and the batch's messages (calls, replies, offers …)."""
        if out.hub_status:
            self._publish_hub_status(now)
        for topic, payload, retain in out.messages:
            if topic == self.topics.hub_error:
                self.bus.publish(topic, payload, qos=0, retain=retain)
            else:
                self.bus.send(topic, payload, retain=retain)

    def _publish_views(self, wids: list[str], board_at: float | None) -> None:
        self.views.publish(self.bus, self.queue, self.version, wids, board_at)

    def _publish_all(self, now: float) -> None:
        self._board_owed = None
        self._publish_views([w.id for w in self.cfg.hall.windows], now)
        self._publish_mode(now)
        if self.info.catalog is not None:
            self.bus.publish(self.topics.catalog, encode({"catalog": self.info.catalog}), retain=True)
        self._publish_hub_device_status(now)
        self._publish_hub_status(now)
        if not self._ready.is_set():
            self._ready.set()
            self.notifier.ready("serving the hall")

    def _collect_quietly(self) -> None:
        """In a process the hub owns: the collector's full pass now, at a moment nothing waits, rather than
        in the middle of a batch (``kiosk.system.collector``)."""
        if self.quiet_gc:
            collect_and_freeze()

    def _snapshot_quietly(self) -> None:
        try:
            with self.store.batch():
                self.store.save_snapshot(self.store.last_seq(), self.queue.state.to_dict())
            self._since_snapshot = 0
        except StoreError as exc:
            log.warning("snapshot not written: %s", exc)
