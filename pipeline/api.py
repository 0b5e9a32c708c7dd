"""`pipeline.run`: the stages over a corpus (the runner), then the corpus summary (an output)."""
from __future__ import annotations

from pathlib import Path

from .outputs.summary import refresh_summary
from .runtime.runner import RunReport, run_stages
from .runtime.settings import RunSettings


def run(corpus: str | Path | None, out: str | Path, settings: RunSettings | None = None, *,
        only: str | None = None, start: str | None = None, until: str | None = None,
        force: bool = False, progress: bool = True) -> RunReport:
    """Run the selected stages over `corpus` into the run directory `out` (`start`, `until`: from and
    up to these stages; `only`: these, comma-separated), then rewrite the corpus summary
    (RUN/summary/by-source-folder.parquet) if what it is made from changed."""
    report = run_stages(corpus, out, settings, only=only, start=start, until=until, force=force, progress=progress)
    refresh_summary(report.run)
    return report
