"""`vnpipe report`: one self-contained HTML page about a run, for people who look rather than query.
`gather` (gather.py) reads only the columns it needs and aggregates them; `render` (render.py) lays
the numbers out as HTML with inline SVG charts (charts.py): no script, no style sheet or font
fetched, so the file opens from disk in any browser, offline, and its size depends on `top`, not
on the corpus."""
from __future__ import annotations

from pathlib import Path

from ..summary import SOURCE_FOLDER
from .gather import Report, gather
from .render import render

__all__ = ["Report", "gather", "render", "write_report"]


def write_report(run: str | Path, out: str | Path | None = None, by: str = SOURCE_FOLDER, top: int = 10) -> Path:
    """Write the report of `run` to `out` (default RUN/report.html) and return its path."""
    report = gather(run, by, top)
    path = Path(out) if out is not None else Path(run) / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report), encoding="utf-8")
    return path
