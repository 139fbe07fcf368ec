"""``kiosk``: one command, one subcommand per role and staff tool.

Rule: subcommands import their role lazily, so ``kiosk press`` never loads pygame and roles never
import each other. Every error a person can fix ends as one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from . import __version__
from .errors import ConfigError, KioskError


def build_parser() -> argparse.ArgumentParser:
    from .hub.main import register as reg_hub
    from .config import add_common
    from .tools.queue_tools import register as reg_queue
    from .demo import register as reg_demo

    p = argparse.ArgumentParser(prog="kiosk", description="黄潭镇便民服务中心 — hall queue, kiosk and displays")
    p.add_argument("--version", action="version", version=f"kiosk {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    reg_hub(sub)
    reg_queue(sub, add_common)
    reg_demo(sub)
    for tools in _tool_modules():
        tools.register(sub, add_common)
    for extra in _optional_registrations():
        extra(sub)
    return p


def _tool_modules():
    """Staff tools: every ``kiosk.tools.<name>_tools`` module with ``register(sub, add_common)``."""
    import importlib
    import pkgutil
    from pathlib import Path
    here = Path(__file__).parent / "tools"
    for m in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if m.name.endswith("_tools") and m.name != "queue_tools":
            yield importlib.import_module(f"kiosk.tools.{m.name}")


def _optional_registrations():
    """Roles and tools registered by their own packages (terminal, display, devices, …)."""
    import importlib
    for mod in ("kiosk.terminal.main", "kiosk.display.main", "kiosk.bridge.main", "kiosk.pad.main", "kiosk.web.main"):
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("kiosk"):
                continue
            raise
        yield m.register


class SafeStream:
    """stdout/stderr of every subcommand: visitor text can never drive the staff member's terminal
    (escape sequences, bidi overrides, lone surrogates are printed as ``\\uXXXX``)."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def write(self, s: str) -> int:
        from .core.textsafe import printable
        return self.raw.write(printable(s))

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def main(argv: list[str] | None = None) -> int:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s" if os.environ.get("INVOCATION_ID")
                        else "%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"kiosk {args.command}: configuration error: {exc}", file=sys.stderr)
        return 2
    except KioskError as exc:
        print(f"kiosk {args.command}: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
