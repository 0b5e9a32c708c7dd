"""Inline SVG charts, HTML tables and the page's style sheet: nothing is fetched, the page opens offline.

On a phone the page is no wider than the screen: a table scrolls inside its own box, and a chart
keeps a width at which its text stays legible (CHART_MIN_WIDTH) and scrolls inside its figure.
"""
from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

SERIES_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
CHART_WIDTH = 520  # a chart's own width (12 px text) ...
CHART_MIN_WIDTH = 440  # ... and the least it shrinks to (text of 10 px); narrower screens scroll the figure
CHARACTER_WIDTH = 6.8  # of a 12 px label, on average: what fits in the label column
NUMBER_ROOM = 56  # right of the longest bar, for its value


def _svg(kind: str, width: int, height: int, title: str) -> str:
    return (f'<figure><svg class="chart {kind}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>')


def _bar_chart(rows: list[tuple[str, float]], title: str, unit: str) -> str:
    """Horizontal bars, the label left of each: the label column is as wide as the longest label
    needs (at most 40% of the chart; longer labels are shortened, the whole one is the tooltip)."""
    if not rows:
        return ""
    width, bar_height = CHART_WIDTH, 20
    longest = max(len(label) for label, _ in rows)
    label_width = int(min(0.4 * width, max(60.0, CHARACTER_WIDTH * longest + 8)))
    fits = int((label_width - 8) / CHARACTER_WIDTH)
    height = len(rows) * (bar_height + 4) + 8
    most = max(value for _, value in rows) or 1
    out = [_svg("bar", width, height, title)]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * (bar_height + 4)
        length = (width - label_width - NUMBER_ROOM) * value / most
        out.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{_e(_short(label, fits))}</text>'
                   f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="#4c78a8">'
                   f"<title>{_e(label)}: {_n(value)} {unit}</title></rect>"
                   f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">{_n(value)}</text>')
    out.append(f"</svg><figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _column_chart(rows: list[tuple[str, float]], title: str) -> str:
    width, height, left, bottom = CHART_WIDTH, 160, 40, 30
    most = max((value for _, value in rows), default=0) or 1
    step = (width - left - 40) / max(len(rows), 1)  # room for the last date under the axis
    out = [_svg("columns", width, height, title), _axis(left, width, height, bottom, most)]
    every = max(1, math.ceil(len(rows) / 6))
    for i, (label, value) in enumerate(rows):
        bar = (height - bottom - 10) * value / most
        x = left + i * step
        out.append(f'<rect x="{x + step * 0.1:.1f}" y="{height - bottom - bar:.1f}" width="{step * 0.8:.1f}" '
                   f'height="{bar:.1f}" fill="#4c78a8"><title>{_e(label)}: {_n(value)}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">{_e(label)}</text>')
    out.append(f"</svg><figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _line_chart(periods: list[str], series: dict[str, list[int]], title: str) -> str:
    width, height, left, bottom = CHART_WIDTH, 220, 40, 30
    most = max((max(values) for values in series.values() if values), default=0) or 1
    step = (width - left - 40) / max(len(periods) - 1, 1)
    out = [_svg("line", width, height, title), _axis(left, width, height, bottom, most)]
    every = max(1, math.ceil(len(periods) / 6))
    for i, period in enumerate(periods):
        if i % every == 0:
            out.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle">{_e(period)}</text>')
    for n, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        points = " ".join(f"{left + i * step:.1f},{height - bottom - (height - bottom - 10) * v / most:.1f}"
                          for i, v in enumerate(values))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
                   f"<title>{_e(name)}</title></polyline>")
    out.append("</svg>" + _legend([(name, SERIES_COLOURS[n % len(SERIES_COLOURS)]) for n, name in enumerate(series)])
               + f"<figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _axis(left: int, width: int, height: int, bottom: int, most: float) -> str:
    return (f'<line x1="{left}" y1="{height - bottom}" x2="{width - 35}" y2="{height - bottom}" stroke="#888"/>'
            f'<line x1="{left}" y1="10" x2="{left}" y2="{height - bottom}" stroke="#888"/>'
            f'<text x="{left - 4}" y="14" text-anchor="end">{_n(most)}</text>'
            f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>')


def _share_bar(rows: list[tuple[str, float, str]], title: str) -> str:
    """One bar cut into the shares of its parts, with a legend."""
    total = sum(value for _, value, _ in rows) or 1
    width, x = CHART_WIDTH, 0.0
    out = [_svg("share", width, 28, title)]
    for label, value, colour in rows:
        length = width * value / total
        out.append(f'<rect x="{x:.1f}" y="2" width="{length:.1f}" height="24" fill="{colour}">'
                   f"<title>{_e(label)}: {_n(value)} ({_pct(value / total)})</title></rect>")
        x += length
    out.append("</svg>" + _legend([(f"{label} {_pct(value / total)}", colour) for label, value, colour in rows])
               + f"<figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _legend(items: list[tuple[str, str]]) -> str:
    return '<p class="legend">' + " ".join(f'<span><i style="background:{colour}"></i>{_e(label)}</span>'
                                          for label, colour in items) + "</p>"


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table of cells already escaped."""
    def cell(tag: str, i: int, value: str) -> str:
        return f'<{tag} class="n">{value}</{tag}>' if i in numeric else f"<{tag}>{value}</{tag}>"
    head = "".join(cell("th", i, _e(h)) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _n(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.0f}" if isinstance(value, (int, float, np.integer, np.floating)) else _e(value)


def _pct(share: float | None) -> str:
    if share is None or math.isnan(share):
        return ""
    return f"{100 * share:.1f}%" if share < 0.1 else f"{100 * share:.0f}%"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


CSS_TEMPLATE = """
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#222;background:#fafafa;overflow-wrap:anywhere}
main{max-width:1100px;margin:0 auto;padding:1em 1.5em 3em}
@media (max-width:600px){main{padding:.5em .7em 2em}}
header h1{font-size:1.5em;margin:.3em 0}header p{color:#555;margin:.2em 0}
nav{position:sticky;top:0;background:#fafafa;padding:.4em 0;border-bottom:1px solid #ddd;z-index:1;display:flex;flex-wrap:wrap;gap:.2em 1.2em}
nav a{color:#1f5fa8;text-decoration:none}
section{margin-top:1.5em}h2{border-bottom:2px solid #4c78a8;padding-bottom:.2em}h3{margin:1.2em 0 .4em;font-size:1.05em}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:150px}
.card .big{font-size:1.8em;font-weight:600}.card small{color:#666}
.row,.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr));gap:1.2em}
.row>div,.grid>div{min-width:0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em;margin:.3em 0;overflow-wrap:normal}
th,td{border-bottom:1px solid #e4e4e4;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:.5em 0;overflow-x:auto;max-width:100%}figcaption{color:#666;font-size:.85em}
svg.chart{width:100%;max-width:%(width)spx;min-width:%(min)spx;height:auto;font-size:12px;background:#fff}
svg.chart.share{min-width:0}svg.chart text{fill:#333}
.legend span{margin-right:1em;font-size:.85em;white-space:nowrap}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border-radius:2px}
.label{padding:.05em .4em;border-radius:.3em;font-size:.8em;font-weight:600}
.PER{background:#aa9cfc}.ORG{background:#7aecec}.LOC{background:#feca74}.MISC{background:#e4e7d2}
.kw{display:inline-block;background:#eef3fa;border:1px solid #cfdcee;border-radius:1em;padding:0 .55em;margin:.1em;font-size:.9em}
article{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.4em 1.2em 1em;margin:1em 0}
article h3{margin-top:.5em}.meta{color:#666;font-size:.85em;margin:.2em 0}
.text{line-height:2.1}mark.ent{padding:.15em .35em;margin:0 .1em;border-radius:.35em;color:#222}
mark.ent span{font-size:.65em;font-weight:700;margin-left:.4em;text-transform:uppercase;vertical-align:middle}
code{font-size:.88em;word-break:break-all}footer{margin-top:3em;color:#888;font-size:.85em}
"""
CSS = CSS_TEMPLATE.replace("%(width)s", str(CHART_WIDTH)).replace("%(min)s", str(CHART_MIN_WIDTH))
