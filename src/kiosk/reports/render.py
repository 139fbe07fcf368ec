"""Rendering a ``kiosk.reports.Report``: plain text, one CSV per table, and a self-contained HTML page.

Rule: rendering never queries anything; it only lays out what the report holds. Charts are PNGs drawn
with matplotlib (the optional ``report`` extra) and embedded as base64, so the HTML is one file that can
be mailed or printed. Without matplotlib the page has the tables only and says so.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import unicodedata
from pathlib import Path
from typing import Any

from ..core.textsafe import csv_cell, one_line
from .queries import Chart, Report, Table

CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _cell(v: Any) -> str:
    return "–" if v is None else one_line(str(v))  # cells may hold what visitors typed


def render_table_text(t: Table) -> list[str]:
    cells = [[_cell(c) for c in t.columns]] + [[_cell(v) for v in r] for r in t.rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(t.columns))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def render_text(r: Report) -> str:
    out = [f"{r.name} — 统计报表 {r.period.label}", f"({r.period.start} – {r.period.end}, site {r.site})", ""]
    for s in r.sections:
        out.append(f"## {s.title}")
        if s.note:
            out.append(one_line(s.note))
        for t in s.tables:
            if t.rows:
                out += render_table_text(t)
                out.append("")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_csv(r: Report, out_dir: str | Path) -> list[Path]:
    """One CSV per table, UTF-8 with a BOM so spreadsheet programs show the Chinese right."""
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for s in r.sections:
        for t in s.tables:
            p = d / f"{r.period.label}-{s.key}-{t.key}.csv"
            with p.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow([csv_cell(c) for c in t.columns])
                w.writerows([["" if v is None else csv_cell(v) for v in row] for row in t.rows])
            written.append(p)
    return written


# ---------------------------------------------------------------------------------------------- html
def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # no display on a hub; must precede pyplot
    from matplotlib import font_manager
    import matplotlib.pyplot as plt
    for path in CJK_FONTS:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            plt.rcParams["font.family"] = font_manager.FontProperties(fname=path).get_name()
            break
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def chart_png(chart: Chart) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=100)
    try:
        n = len(chart.series)
        xs = list(range(len(chart.labels)))
        for i, (name, values) in enumerate(chart.series.items()):
            if chart.kind == "line":
                ax.plot(xs, values, marker="o", label=name)
            else:
                width = 0.8 / n
                ax.bar([x - 0.4 + width * (i + 0.5) for x in xs], values, width=width, label=name)
        ax.set_xticks(xs, chart.labels, rotation=45 if len(xs) > 12 else 0)
        ax.set_title(chart.title)
        if chart.ylabel:
            ax.set_ylabel(chart.ylabel)
        if n > 1:
            ax.legend()
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def _table_html(t: Table) -> str:
    head = "".join(f"<th>{html.escape(_cell(c))}</th>" for c in t.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in t.rows)
    return f"<table><caption>{html.escape(t.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.6em}h2{border-bottom:2px solid #c33;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0}caption{text-align:left;font-weight:bold;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}.note{color:#777}img{max-width:100%}"""


def render_html(r: Report, *, charts: bool | None = None) -> str:
    """The report as one HTML page; ``charts`` None means "if matplotlib is installed"."""
    draw = matplotlib_available() if charts is None else charts
    title = f"{r.name} 统计报表 {r.period.label}"
    parts = [f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p>{r.period.start} – {r.period.end} · {html.escape(r.site)}</p>"]
    if not draw:
        parts.append('<p class="note">图表未生成：未安装 matplotlib（pip install "kiosk[report]"）。'
                     "Charts omitted: matplotlib is not installed.</p>")
    for s in r.sections:
        parts.append(f"<section id=\"{html.escape(s.key)}\"><h2>{html.escape(s.title)}</h2>")
        if s.note:
            parts.append(f"<p class=\"note\">{html.escape(one_line(s.note))}</p>")
        for t in s.tables:
            if t.rows:
                parts.append(_table_html(t))
        if draw and not s.note:
            for c in s.charts:
                if c.labels:
                    b64 = base64.b64encode(chart_png(c)).decode("ascii")
                    parts.append(f'<figure><img alt="{html.escape(c.title)}" data-chart="{c.key}" '
                                 f'src="data:image/png;base64,{b64}"></figure>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
