"""What the runner hands a stage's planning (`Context`) and what planning hands back (`Outcome`):
the summary of every part, which parts this run wrote, and what the manifest adds."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Context:
    run_dir: Path
    engine: Any  # engines.LocalEngine or DaskEngine
    order: tuple[str, ...]  # the stages, in run order
    corpus: Path | None = None
    progress: bool = True


@dataclass
class Outcome:
    summaries: dict[str, dict[str, Any]]  # part -> its summary (fingerprint, rows_in, rows, errors, ...), in order
    ran: set[str] = field(default_factory=set)  # the parts this run wrote
    computed: int = 0  # the documents this run computed (the others were reused)
    worker_cpu: float = 0.0  # CPU seconds of other processes, for the parts they ran
    manifest: dict[str, Any] = field(default_factory=dict)  # what this kind of stage adds to its manifest
    totals: dict[str, Any] = field(default_factory=dict)  # what the stage counted (dedup: duplicates, clusters)


def part_summary(info: dict[str, Any]) -> dict[str, Any]:
    """What the manifest keeps of a part's footer: all but the per-document fingerprints (and the
    process that wrote it)."""
    return {key: value for key, value in info.items() if key not in ("documents", "pid")}
