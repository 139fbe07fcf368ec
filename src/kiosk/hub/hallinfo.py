"""What the hub publishes about the hall besides the queue: its mode (open, lunch, closed …) and the
service catalogue.

Rule: loaded once at start from the files named in the site config; a broken file stops the hub with
file, key and reason. The mode is computed from the calendar with ``now`` passed in. The catalogue is
read by a library call in a short-lived worker process: adding pinyin to it needs dictionaries of about
55 MB that the long-running hub should not keep. It is the latest import below the state folder if there
is one (``kiosk.loaders.catalog_install``), else ``[hub] catalog_dir``; ``replace_catalog`` imports a new
one (``catalog.replace``) in the same kind of worker, with the code of ``kiosk catalog import --install``.
The calendar is loaded by the same worker at start (its ``holidays`` package would keep about 13 MB) and
built again in the hub from plain values.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from ..config import SiteConfig
from ..core.calendar import HallCalendar, OfficialSchedule
from ..core.hours import HallMode, HallSchedule, SessionKind
from ..errors import ConfigError, KioskError


class HallInfo:
    def __init__(self, cfg: SiteConfig, now: float, *, state_dir: Path | None = None) -> None:
        self.state_dir = state_dir
        self.tz = ZoneInfo(cfg.timezone)
        self.alive: Callable[[], Any] | None = None  # called while a worker process is waited for
        year = datetime.fromtimestamp(now, self.tz).year
        self.schedule: HallSchedule | None = None
        self._walk_in: tuple[float, float, tuple[str, float | None]] | None = None  # see walk_in_window
        # The calendar (its `holidays` package, about 13 MB) and the catalogue (pinyin, about 55 MB) are
        # read in one short-lived worker process; the hub keeps only what they give.
        calls: list[tuple[Any, tuple]] = []
        hours = None
        if cfg.calendar_path is not None:
            from ..loaders.calendar_data import CalendarConfigError, load_hours
            try:
                hours = load_hours(cfg.calendar_path)
            except CalendarConfigError as exc:
                raise ConfigError(exc.path, exc.key, exc.reason) from None
            calls.append((calendar_as_data, (str(cfg.calendar_path), list(range(year - 1, year + 3)))))
        self.catalog: dict[str, Any] | None = None
        from ..loaders.catalog_install import serving_dir  # no pinyin: that module's loader stays unimported
        source = serving_dir(cfg.catalog_dir, state_dir)
        if source is not None:
            calls.append((catalog_as_dict, (str(source),)))
        try:
            results = run_apart_each(calls) if calls else []
        except WorkerFailed as exc:
            raise KioskError(f"reading the calendar and the service catalogue: {exc}") from None
        if hours is not None:
            error, data = results.pop(0)
            if error is not None:
                raise ConfigError(*error)
            self.schedule = HallSchedule(calendar=calendar_from_data(data), hours=hours)
        if source is not None:
            problem, catalog = results.pop(0)
            if problem:
                raise ConfigError(source, "", f"service catalogue: {problem}")
            self._set_catalog(cfg, catalog)

    def _set_catalog(self, cfg: SiteConfig, catalog: dict[str, Any] | None) -> None:
        self.catalog = catalog
        booking = self.booking_line(cfg)
        if booking and self.catalog is not None:
            self.catalog["booking"] = booking  # guides say what the configured sessions offer

    def replace_catalog(self, cfg: SiteConfig, csv_text: str) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
        """Import a 事项目录 CSV as the catalogue served from now on: (problems, failure, summary). Problems
        (row, column, reason) or a failure (the disk) leave everything as it was."""
        if self.state_dir is None:
            return [], "this hub has no state folder to keep an imported catalogue in", {}
        try:
            problems, failure, catalog, summary = run_apart(import_as_dict, csv_text, str(self.state_dir),
                                                            alive=self.alive)
        except WorkerFailed as exc:
            return [], f"{exc}; the catalogue served is unchanged", {}
        if not problems and not failure:
            self._set_catalog(cfg, catalog)
        return problems, failure, summary

    def booking_line(self, cfg: SiteConfig) -> str:
        """The bookable items' line, from the calendar's sessions and ``[appointments] sessions``."""
        from ..core.booking import booking_line
        sec = cfg.roles.get("appointments") or {}
        if self.schedule is None or not sec.get("categories"):
            return ""
        names = sec.get("sessions", [k.value for k in SessionKind])
        kinds = [k for k in SessionKind if k.value in names]
        return booking_line(self.schedule.hours, kinds)

    def mode(self, now: float) -> tuple[dict[str, Any], float]:
        """The `mode` payload and the epoch second at which it must be recomputed."""
        if self.schedule is None:
            return {"state": "open", "label": "办公中", "since": None, "until": None, "next_open": None}, \
                now + 3600
        dt = datetime.fromtimestamp(now, self.tz)
        m: HallMode = self.schedule.mode(dt)
        body = {
            "state": m.state.value, "label": m.label, "since": m.since.timestamp(), "until": m.until.timestamp(),
            "next_open": m.next_open.timestamp() if m.next_open else None,
            "next_open_text": m.next_open.strftime("%m月%d日 %H:%M") if m.next_open else None,
            "day": m.day.date.isoformat(), "day_label": m.day.label, "working_day": m.day.working,
            "sessions": [s.text for s in self.schedule.sessions_on(dt.date())],
        }
        return body, m.until.timestamp()

    def walk_in_window(self, now: float) -> tuple[str, float | None]:
        """('open', today's closing time) while walk-in tickets make sense, else (mode state, None).

        Asked for every ticket.issue; the answer is kept for the rest of the mode's segment (its ``since``
        to its ``until``: the same state on the same day, and the last walk-in session's end is itself a
        segment's end, so which side of it ``now`` is on cannot change inside one). Working it out from the
        calendar took about a third of the worker's time per ticket in the hall's own configuration."""
        if self.schedule is None:
            return "open", float("inf")  # no office hours configured: always open
        kept = self._walk_in
        if kept is not None and kept[0] <= now < kept[1]:
            return kept[2]
        dt = datetime.fromtimestamp(now, self.tz)
        mode = self.schedule.mode(dt)
        state = mode.state.value
        ends = [datetime.combine(dt.date(), s.end, tzinfo=self.tz).timestamp()
                for s in self.schedule.sessions_on(dt.date())
                if s.kind in (SessionKind.WALK_IN, SessionKind.EXTENDED)]
        answer: tuple[str, float | None] = (state, None)
        if state in ("open", "closing", "lunch") and ends and max(ends) > now:
            answer = ("open", max(ends))
        self._walk_in = (mode.since.timestamp(), mode.until.timestamp(), answer)
        return answer

    def calendar_warning(self, now: float) -> str | None:
        if self.schedule is None:
            return None
        return self.schedule.calendar.missing_schedule_warning(datetime.fromtimestamp(now, self.tz).date())


def catalog_as_dict(directory: str) -> tuple[str, dict[str, Any] | None]:
    """(problem, catalogue as published): runs in the worker process, so only plain values cross back."""
    from ..loaders.catalog_data import CatalogError, load_catalog
    try:
        return "", load_catalog(directory).to_dict()
    except (CatalogError, OSError) as exc:
        return str(exc), None


def import_as_dict(csv_text: str, state_dir: str) -> tuple[list[dict[str, Any]], str, dict[str, Any] | None,
                                                           dict[str, Any]]:
    """(problems, failure, catalogue as published, summary) of importing and installing a CSV: runs in
    the worker process. The catalogue is read back from the installed files: what a restart serves."""
    from ..loaders.catalog_data import CatalogError, CatalogImportError, import_csv, load_catalog
    from ..loaders.catalog_install import install_catalog
    try:
        cat = import_csv("事项目录.csv", raw=csv_text.encode("utf-8"))
    except CatalogImportError as exc:
        return [p._asdict() for p in exc.problems], "", None, {}
    try:
        done = install_catalog(cat, state_dir)
        served = load_catalog(done.directory).to_dict()
    except (CatalogError, OSError) as exc:
        return [], f"the catalogue could not be saved: {exc}", None, {}
    return [], "", served, {"items": len(cat), "departments": len(cat.by_department),
                            "version": done.directory.name, "previous": done.previous.name if done.previous else ""}


WORKER_LIMIT_S = 120.0  # a worker that has not answered by then is stopped (a catalogue import takes seconds)


class WorkerFailed(KioskError):
    """The worker process died (killed, e.g. by the kernel when memory ran out) or did not answer in time."""


def run_apart(fn, *args: Any, limit_s: float = WORKER_LIMIT_S, alive: Callable[[], Any] | None = None) -> Any:
    """``fn(*args)`` in a fresh worker process (spawned: safe beside the hub's threads)."""
    return run_apart_each([(fn, args)], limit_s=limit_s, alive=alive)[0]


def run_apart_each(calls: list[tuple[Any, tuple]], *, limit_s: float = WORKER_LIMIT_S,
                   alive: Callable[[], Any] | None = None) -> list[Any]:
    """Each ``fn(*args)`` of ``calls``, in order, in one fresh worker process; ``alive`` is called about once
    a second while waiting (the hub's watchdog ping). An exception in ``fn`` is raised here; a worker that
    dies or outlives ``limit_s`` raises ``WorkerFailed`` (a process pool would wait for a dead worker's
    answer for ever)."""
    ctx = multiprocessing.get_context("spawn")
    answers, reply = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_serve, args=(calls, reply), name="kiosk-hub-worker", daemon=True)
    proc.start()
    reply.close()  # the worker holds the only writing end: its death reads as the end of the pipe
    try:
        deadline = time.monotonic() + limit_s
        while not answers.poll(min(1.0, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise WorkerFailed(f"the worker process gave no answer within {limit_s:.0f} s and was stopped")
            if alive is not None:
                alive()
        try:
            ok, value = answers.recv()
        except (EOFError, OSError):
            proc.join(5)
            raise WorkerFailed(f"the worker process stopped before it answered ({_exit_text(proc.exitcode)})") from None
    finally:
        answers.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if not ok:
        raise value
    return value


def _serve(calls: list[tuple[Any, tuple]], reply: Any) -> None:
    """The worker process: every call's result, or the first exception, sent back at once."""
    try:
        answer: tuple[bool, Any] = (True, [fn(*args) for fn, args in calls])
    except BaseException as exc:  # sent back to be raised in the hub, as a process pool would
        answer = (False, exc)
    reply.send(answer)
    reply.close()


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}" + (", as the kernel does when memory runs out" if code == -signal.SIGKILL else "")
    return f"exit status {code}"


def calendar_as_data(path: str, years: list[int]) -> tuple[tuple[Any, str, str] | None, Any]:
    """(the error as (file, key, reason), or None; the calendar as plain values): runs in the worker
    process, so the hub never imports the `holidays` package."""
    from ..loaders.calendar_data import CalendarConfigError, load_calendar
    try:
        cal = load_calendar(path, years=years)
    except CalendarConfigError as exc:
        return (exc.path, exc.key, exc.reason), None
    schedules = [(s.year, dict(s.holidays), sorted(s.makeup_workdays), s.source, s.provisional)
                 for s in cal.schedules]
    return None, (schedules, dict(cal.closures), dict(cal.extra_workdays))


def calendar_from_data(data: Any) -> HallCalendar:
    """The calendar ``calendar_as_data`` gave, built again in the hub."""
    schedules, closures, extra = data
    return HallCalendar(schedules=tuple(
        OfficialSchedule(year=year, holidays=named, makeup_workdays=frozenset(makeups), source=source,
                         provisional=provisional) for year, named, makeups, source, provisional in schedules),
        closures=closures, extra_workdays=extra)

