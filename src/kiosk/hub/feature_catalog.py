"""The service catalogue replaced from a spreadsheet: ``catalog.replace`` {csv, by} (the director's page).

Rule: the web checked the file and showed a preview, but the hub trusts none of it: it parses and validates
the CSV again with the code of ``kiosk catalog import`` and installs it with the code of ``kiosk catalog
import --install`` (``HallInfo.replace_catalog``, in a short-lived worker process: the pinyin dictionaries
never stay in the hub). A bad file changes nothing and is refused with ``bad_catalog``, naming every bad
row and column (the first 20 in the message). A good one is written atomically below the state folder,
the previous one kept aside, and published retained on ``catalog`` at once: kiosks and screens take it as
they take it at every start. Who replaced it (``by``) is logged here and audited by the web.

The import takes the worker about a second (longer on a Pi), during which this batch waits: a rare act of
the director, never on the path of a press. A worker that dies (the kernel kills one when memory runs out)
or gives no answer within 2 minutes is answered as ``not_saved`` with the reason: the request is settled,
so it is not delivered again to a hub that would wait for it again.
"""

from __future__ import annotations

import logging
from typing import Any

from ..protocol import Request
from .features import Feature, Op, OpContext, OpError

log = logging.getLogger(__name__)
SHOWN_PROBLEMS = 20


def problems_text(problems: list[dict[str, Any]]) -> str:
    """第3行 [法定时限] … ；第5行 [事项编码] …（共 N 处）: what the reply's message says."""
    shown = "；".join(f"第{p['row']}行 [{p['column'] or '整个文件'}] {p['reason']}" for p in problems[:SHOWN_PROBLEMS])
    more = f"……（共 {len(problems)} 处）" if len(problems) > SHOWN_PROBLEMS else f"（共 {len(problems)} 处）"
    return shown + more


class CatalogImport(Feature):
    def __init__(self, hall) -> None:
        super().__init__(hall)
        self.ops = {"catalog.replace": Op(self.replace)}

    def replace(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        by = req.args["by"]
        problems, failure, summary = ctx.info.replace_catalog(ctx.cfg, req.args["csv"])
        if problems:
            log.info("catalogue import by %s (%s) refused: %d problems", by, ctx.device, len(problems))
            raise OpError("bad_catalog", problems_text(problems))
        if failure:
            log.error("catalogue import by %s (%s) failed: %s", by, ctx.device, failure)
            raise OpError("not_saved", failure)
        ctx.publish(ctx.topics.catalog, {"catalog": ctx.info.catalog}, retain=True)
        log.warning("catalogue replaced by %s (%s): %d items, %s (previous: %s)", by, ctx.device,
                    summary["items"], summary["version"], summary["previous"] or "the configured folder")
        return summary


FEATURE = CatalogImport
