"""The runner: one loop over the selected stages of the registry. For each stage it plans (which
parts are stale: sources.py for the stage that reads the corpus, plans.py for the others), executes
the stale parts on an engine (this process, local worker processes, or Dask), then finishes: the
stage's totals and manifest are written here, in one place, for every kind of stage.

Unless the user sets a shard size, parts are sized from the corpus and the worker count (see
`sources.auto_shard_size`), so a small corpus still gives every worker several parts.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import checks
from ..digests import fingerprint
from ..errors import CorpusNotFound, RunFailed
from ..stages.base import SourceStage, Stage
from ..stages.registry import STAGES
from . import parts
from .engines import make_engine
from .outcome import Context, Outcome
from .plans import plan_documents, plan_sketches
from .rundir import prepare_run_directory, remove_partial_files, run_lock
from .settings import RunSettings
from .sources import read_source


def vnpipe_version() -> str:
    """The installed vnpipe's version; a checkout that was never installed has none."""
    from .. import __version__

    return __version__


@dataclass
class StageReport:
    stage: str
    documents_in: int = 0
    documents_out: int = 0
    errors: int = 0
    documents_computed: int = 0
    documents_reused: int = 0
    parts_run: int = 0
    parts_reused: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of this process and of the workers, for the parts they ran
    skipped: int = 0  # documents left out on purpose (--skip-duplicates): neither rows nor errors
    totals: dict[str, Any] = field(default_factory=dict)  # what the stage counted (dedup: duplicates, clusters)


@dataclass
class RunReport:
    run: Path
    stages: list[StageReport]

    @property
    def errors(self) -> int:
        return sum(stage.errors for stage in self.stages)

    @property
    def nothing_to_analyse(self) -> bool:
        """No document came through: an empty corpus, or one whose every document is an error row."""
        return bool(self.stages) and all(stage.documents_out == 0 for stage in self.stages)

    def stage(self, name: str) -> StageReport | None:
        return next((stage for stage in self.stages if stage.stage == name), None)


def select_stages(only: str | None = None, start: str | None = None, until: str | None = None) -> list[str]:
    """The stages to run, in order, from `--only a,b` or `--from a` / `--until b`."""
    order = STAGES.names()
    wanted = [STAGES[name].name for name in (only.split(",") if only else [])]  # unknown names: UnknownStage
    first = order.index(STAGES[start].name) if start else 0
    last = order.index(STAGES[until].name) if until else len(order) - 1
    if only:
        return [name for name in order if name in wanted]
    return list(order[first:last + 1])


def run_stages(corpus: str | Path | None, out: str | Path, settings: RunSettings | None = None, *,
               only: str | None = None, start: str | None = None, until: str | None = None,
               force: bool = False, progress: bool = True) -> RunReport:
    """Run the selected stages over `corpus`, writing the run directory `out`."""
    settings = settings or RunSettings()
    names = select_stages(only, start, until)
    run_dir = Path(out)
    checks.writable_folder("--out", run_dir)  # a file there is a usage error, not a disk to free
    if STAGES.source.name in names:  # checked before anything is written, so a typo leaves no folder behind
        if corpus is None:
            raise ValueError(f"the {STAGES.source.name} stage needs a corpus path")
        if not Path(corpus).exists():
            raise CorpusNotFound(str(corpus))
    try:
        prepare_run_directory(run_dir, force, {"created": _now(), "vnpipe": vnpipe_version()})
    except OSError as error:  # e.g. a read-only parent folder
        raise RunFailed(str(run_dir), error.strerror or str(error)) from error
    reports = []
    with run_lock(run_dir):
        remove_partial_files(run_dir)
        engine = make_engine(settings.engine, settings.workers, settings.scheduler)
        context = Context(run_dir, engine, STAGES.names(), Path(corpus) if corpus is not None else None, progress)
        try:
            for name in names:
                stage = STAGES.build(name, settings.of(name), settings.skip_duplicates)
                reports.append(run_stage(stage, context))
        except OSError as error:
            # Parts are written atomically, so what is on disk is complete and the next run resumes.
            raise RunFailed(str(run_dir), error.strerror or str(error)) from error
        finally:
            engine.close()
    return RunReport(run_dir, reports)


def run_stage(stage: Stage, context: Context) -> StageReport:
    """Plan and execute one stage, then write its totals and manifest."""
    started, cpu_started = time.perf_counter(), time.process_time()
    settled = _settle(stage, context)
    if isinstance(stage, SourceStage):
        outcome = read_source(stage, context)
    elif stage.sketch_schema is not None:
        outcome = plan_sketches(stage, context)
    else:
        outcome = plan_documents(stage, context)
    _remove_stale_parts(context.run_dir, stage.name, outcome.summaries)
    report = _report(stage, outcome)
    report.seconds = time.perf_counter() - started
    report.cpu_seconds = time.process_time() - cpu_started + outcome.worker_cpu
    parts.write_manifest(context.run_dir, stage.name, {
        "stage": stage.name, "version": stage.version, "settings": dataclasses.asdict(stage.settings),
        "model_checksum": stage.model_checksum(), **outcome.manifest,
        "input_fingerprint": fingerprint(sorted(p["fingerprint"] for p in outcome.summaries.values())),
        "parts": outcome.summaries, **({"settled": settled} if settled else {}), **_totals(report),
    })
    return report


def _settle(stage: Stage, context: Context) -> dict[str, Any]:
    """Let the stage decide its open settings from the whole corpus (see `Stage.settle`), or take the
    decision the last run made from the same inputs and settings."""
    needed = stage.unsettled()
    if not needed:
        return {}
    inputs = fingerprint(dataclasses.asdict(stage.settings),
                         [(parts.read_manifest(context.run_dir, name) or {}).get("input_fingerprint") for name in needed])
    previous = (parts.read_manifest(context.run_dir, stage.name) or {}).get("settled") or {}
    if previous.get("inputs") == inputs and "settings" in previous:
        stage.settings = dataclasses.replace(stage.settings, **previous["settings"])
        return previous

    def documents():
        for part in (parts.read_manifest(context.run_dir, STAGES.source.name) or {}).get("parts", {}):
            rows = {}
            for required, columns in needed.items():
                for row in parts.read_part(context.run_dir, required, part, ["doc_id", *columns]):
                    rows.setdefault(row["doc_id"], {}).update(row)
            yield from rows.values()

    return {**stage.settle(documents()), "inputs": inputs}


def _report(stage: Stage, outcome: Outcome) -> StageReport:
    summaries = outcome.summaries.values()
    report = StageReport(stage.name, totals=dict(outcome.totals))
    report.documents_in = sum(p["rows_in"] for p in summaries)
    report.documents_out = sum(p["rows"] for p in summaries)
    report.errors = sum(p["errors"] for p in summaries)
    report.documents_computed = outcome.computed
    report.documents_reused = report.documents_out - outcome.computed
    report.parts_run, report.parts_reused = len(outcome.ran), len(outcome.summaries) - len(outcome.ran)
    report.skipped = report.documents_in - report.documents_out - report.errors
    for column in stage.counts:  # documents with something in these columns (normalize: warnings)
        report.totals[column] = sum(p.get(column, 0) for p in summaries)
    return report


def _remove_stale_parts(run_dir: Path, stage: str, summaries: dict[str, Any]) -> None:
    """Delete parts and error parts left by an earlier run over a larger corpus."""
    for name in parts.list_parts(parts.stage_dir(run_dir, stage)):
        if name not in summaries:
            (parts.stage_dir(run_dir, stage) / name).unlink()
    for path in (run_dir / parts.ERRORS_DIR).glob(f"{stage}-part-*.parquet"):
        if path.name.removeprefix(f"{stage}-") not in summaries:
            path.unlink()


def _totals(report: StageReport) -> dict[str, Any]:
    return {"documents_in": report.documents_in, "documents_out": report.documents_out,
            "errors": report.errors, "skipped": report.skipped, **report.totals,
            "seconds": round(report.seconds, 3), "cpu_seconds": round(report.cpu_seconds, 3),
            "finished": _now(), "vnpipe": vnpipe_version()}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
