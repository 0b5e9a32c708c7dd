"""The runner: orders the stages, decides which parts are stale from the manifests, runs the
stale ones (in parallel worker processes when asked) and writes parts, errors and manifests.

Every stage's output is split into the same parts as the ingest output, one per shard of
documents. A part is recomputed only when its fingerprint changes: the stage's own fingerprint
(version, settings, model checksum) combined with the fingerprints of the input parts it reads.
"""
from __future__ import annotations

import dataclasses
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version as package_version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tqdm import tqdm

from . import io, readers
from .errors import (IncompatibleStageOutput, MissingStageOutput, NotARunDirectory, RunLocked,
                     UnknownStage)
from .keywords import Keywords
from .ner import Ner
from .normalize import Normalize
from .segment import Segment
from .stage import Stage, fingerprint

STAGES: dict[str, type[Stage]] = {"normalize": Normalize, "segment": Segment, "ner": Ner, "keywords": Keywords}
ORDER = ("ingest", *STAGES)


@dataclass(frozen=True)
class RunSettings:
    """Every setting of a run; the CLI and the Python API both build one of these."""

    ingest: readers.Settings = field(default_factory=readers.Settings)
    normalize: Normalize.Settings = field(default_factory=Normalize.Settings)
    segment: Segment.Settings = field(default_factory=Segment.Settings)
    ner: Ner.Settings = field(default_factory=Ner.Settings)
    keywords: Keywords.Settings = field(default_factory=Keywords.Settings)
    workers: int = 1


@dataclass
class StageReport:
    stage: str
    documents_in: int = 0
    documents_out: int = 0
    errors: int = 0
    parts_run: int = 0
    parts_reused: int = 0
    seconds: float = 0.0


@dataclass
class RunReport:
    run: Path
    stages: list[StageReport]

    @property
    def errors(self) -> int:
        return sum(stage.errors for stage in self.stages)


def select_stages(only: str | None = None, start: str | None = None, until: str | None = None) -> list[str]:
    """The stages to run, in order, from `--only a,b` or `--from a` / `--until b`."""
    for name in [*(only.split(",") if only else []), start, until]:
        if name and name.strip() not in ORDER:
            raise UnknownStage(name.strip(), ORDER)
    if only:
        wanted = {name.strip() for name in only.split(",")}
        return [name for name in ORDER if name in wanted]
    first = ORDER.index(start) if start else 0
    last = ORDER.index(until) if until else len(ORDER) - 1
    return list(ORDER[first:last + 1])


def run(corpus: str | Path | None, out: str | Path, settings: RunSettings | None = None, *,
        only: str | None = None, start: str | None = None, until: str | None = None,
        force: bool = False, progress: bool = True) -> RunReport:
    """Run the selected stages over `corpus`, writing the run directory `out`."""
    settings = settings or RunSettings()
    names = select_stages(only, start, until)
    run_dir = Path(out)
    prepare_run_directory(run_dir, force)
    reports = []
    with run_lock(run_dir):
        for name in names:
            if name == "ingest":
                if corpus is None:
                    raise ValueError("the ingest stage needs a corpus path")
                reports.append(ingest(Path(corpus), run_dir, settings.ingest, progress))
            else:
                stage = STAGES[name](getattr(settings, name))
                reports.append(run_stage(stage, run_dir, settings.workers, progress))
    return RunReport(run_dir, reports)


# -- the run directory ----------------------------------------------------------------------------

def prepare_run_directory(run_dir: Path, force: bool) -> None:
    marker = run_dir / io.RUN_MARKER
    if run_dir.exists() and not marker.exists() and any(run_dir.iterdir()) and not force:
        raise NotARunDirectory(str(run_dir))
    run_dir.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        io.write_json_atomic({"created": _now(), "vnpipe": package_version("vnpipe")}, marker)


@contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """One writer per run directory; a lock left by a dead process is taken over."""
    lock = run_dir / "_lock"
    holder = f"pid {os.getpid()} on {socket.gethostname()}"
    while True:
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            previous = lock.read_text(encoding="utf-8", errors="replace").strip()
            if _holder_alive(previous):
                raise RunLocked(str(run_dir), previous) from None
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(holder)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _holder_alive(holder: str) -> bool:
    parts = holder.split()
    if len(parts) < 4 or parts[3] != socket.gethostname():
        return True  # another machine's lock: we cannot tell, so respect it
    try:
        os.kill(int(parts[1]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


# -- ingest ---------------------------------------------------------------------------------------

def ingest(corpus: Path, run_dir: Path, settings: readers.Settings, progress: bool = True) -> StageReport:
    """Read the corpus into parts of `shard_size` documents; parts whose documents did not
    change are left as they are (byte for byte)."""
    started = time.perf_counter()
    report = StageReport("ingest")
    previous = (io.read_manifest(run_dir, "ingest") or {}).get("parts", {})
    parts: dict[str, dict[str, Any]] = {}
    bar = tqdm(desc="ingest", unit="doc", disable=not progress or None, leave=False)
    for index, (rows, errors) in enumerate(_shards(readers.read_corpus(corpus, settings), settings.shard_size)):
        part = io.part_name(index)
        part_fingerprint = fingerprint([(row["doc_id"], row["content_hash"]) for row in rows],
                                       [(e["doc_id"], e["reason"]) for e in errors])
        path = io.stage_dir(run_dir, "ingest") / part
        if previous.get(part, {}).get("fingerprint") == part_fingerprint and path.exists():
            report.parts_reused += 1
        else:
            io.write_parquet_atomic(io.rows_to_table(rows, readers.SCHEMA), path)
            io.write_parquet_atomic(io.rows_to_table(errors, io.ERROR_SCHEMA),
                                    io.error_part_path(run_dir, "ingest", part))
            report.parts_run += 1
        parts[part] = {"fingerprint": part_fingerprint, "rows": len(rows), "errors": len(errors)}
        report.documents_in += len(rows) + len(errors)
        report.documents_out += len(rows)
        report.errors += len(errors)
        bar.update(len(rows) + len(errors))
    bar.close()
    _remove_stale_parts(run_dir, "ingest", parts)
    report.seconds = time.perf_counter() - started
    io.write_manifest(run_dir, "ingest", {
        "stage": "ingest", "version": "1", "settings": dataclasses.asdict(settings),
        "corpus": str(corpus), "input_fingerprint": fingerprint(sorted(p["fingerprint"] for p in parts.values())),
        "parts": parts, **_totals(report),
    })
    return report


def _shards(records: Iterator[readers.Record], size: int) -> Iterator[tuple[list[dict], list[dict]]]:
    """Group records into shards of at most `size` documents; unreadable records travel with the
    shard in which they were met."""
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for record in records:
        if record.error is None:
            rows.append(readers.to_row(record))
        else:
            errors.append({"source": record.source, "record": record.record,
                           "doc_id": readers.make_doc_id(record.source, record.record),
                           "stage": "ingest", "reason": record.error})
        if len(rows) >= size:
            yield rows, errors
            rows, errors = [], []
    if rows or errors:
        yield rows, errors


# -- the NLP stages -------------------------------------------------------------------------------

def run_stage(stage: Stage, run_dir: Path, workers: int = 1, progress: bool = True) -> StageReport:
    started = time.perf_counter()
    report = StageReport(stage.name)
    upstream = _upstream_manifests(stage, run_dir)
    driver = max(stage.requires, key=ORDER.index)  # the nearest stage before: its rows are the input
    part_names = list(upstream[driver]["parts"])
    stage_fingerprint = stage.fingerprint()
    if stage.corpus_level:
        corpus_fingerprint = fingerprint([upstream[r]["input_fingerprint"] for r in stage.requires])
        stage_fingerprint = fingerprint(stage_fingerprint, corpus_fingerprint)
    wanted = {part: fingerprint(stage_fingerprint, [upstream[r]["parts"][part]["fingerprint"]
                                                    for r in stage.requires]) for part in part_names}
    old_manifest = io.read_manifest(run_dir, stage.name) or {}
    # Settings, version or model changed: nothing old is reusable.
    previous = old_manifest.get("parts", {}) if old_manifest.get("fingerprint") == stage_fingerprint else {}
    stale = [p for p in part_names if previous.get(p, {}).get("fingerprint") != wanted[p]
             or not (io.stage_dir(run_dir, stage.name) / p).exists()]
    if stale and stage.corpus_level:
        stage.fit(doc for part in part_names for doc in load_inputs(stage, run_dir, part))
    parts = {p: previous[p] for p in part_names if p not in stale}
    for part, result in _run_parts(stage, run_dir, stale, workers, progress):
        parts[part] = {"fingerprint": wanted[part], **result}
    parts = {p: parts[p] for p in part_names}
    _remove_stale_parts(run_dir, stage.name, parts)
    report.parts_run, report.parts_reused = len(stale), len(part_names) - len(stale)
    report.documents_in = sum(p["rows_in"] for p in parts.values())
    report.documents_out = sum(p["rows"] for p in parts.values())
    report.errors = sum(p["errors"] for p in parts.values())
    report.seconds = time.perf_counter() - started
    io.write_manifest(run_dir, stage.name, {
        "stage": stage.name, "version": stage.version, "settings": dataclasses.asdict(stage.settings),
        "model_checksum": stage.model_checksum(), "fingerprint": stage_fingerprint,
        "input_fingerprint": fingerprint(sorted(p["fingerprint"] for p in parts.values())),
        "parts": parts, **_totals(report),
    })
    return report


def _upstream_manifests(stage: Stage, run_dir: Path) -> dict[str, dict[str, Any]]:
    manifests = {}
    for required in stage.requires:
        manifest = io.read_manifest(run_dir, required)
        if manifest is None:
            raise MissingStageOutput(stage.name, required, str(run_dir))
        expected = "1" if required == "ingest" else STAGES[required].version
        if manifest.get("version") != expected:
            raise IncompatibleStageOutput(required, str(run_dir), manifest.get("version"), expected)
        manifests[required] = manifest
    return manifests


def _run_parts(stage: Stage, run_dir: Path, parts: list[str], workers: int,
               progress: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    bar = tqdm(total=len(parts), desc=stage.name, unit="part", disable=not progress or None, leave=False)
    if workers <= 1 or len(parts) <= 1:
        for part in parts:
            yield part, process_part(stage, run_dir, part)
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            results = pool.map(process_part, [stage] * len(parts), [run_dir] * len(parts), parts)
            for part, result in zip(parts, results):
                yield part, result
                bar.update()
    bar.close()


def process_part(stage: Stage, run_dir: Path, part: str) -> dict[str, Any]:
    """Run `stage` over one part: read its inputs, write its rows and its error rows."""
    started = time.perf_counter()
    documents = load_inputs(stage, run_dir, part)
    result = stage.run(documents)
    origins = {d["doc_id"]: d for d in io.read_part(run_dir, "ingest", part, ["doc_id", "source", "record"])}
    errors = [{"source": origins[e["doc_id"]]["source"], "record": origins[e["doc_id"]]["record"],
               "doc_id": e["doc_id"], "stage": stage.name, "reason": e["reason"]} for e in result.errors]
    io.write_parquet_atomic(io.rows_to_table(result.rows, stage.schema), io.stage_dir(run_dir, stage.name) / part)
    io.write_parquet_atomic(io.rows_to_table(errors, io.ERROR_SCHEMA), io.error_part_path(run_dir, stage.name, part))
    return {"rows_in": len(documents), "rows": len(result.rows), "errors": len(errors),
            "seconds": round(time.perf_counter() - started, 3)}


def load_inputs(stage: Stage, run_dir: Path, part: str) -> list[dict[str, Any]]:
    """The documents of one part, with the columns `stage` reads from each earlier stage."""
    driver = max(stage.requires, key=ORDER.index)
    documents = io.read_part(run_dir, driver, part, ["doc_id", *stage.reads[driver]])
    for required, columns in stage.reads.items():
        if required == driver:
            continue
        extra = {row["doc_id"]: row for row in io.read_part(run_dir, required, part, ["doc_id", *columns])}
        for document in documents:
            document.update(extra[document["doc_id"]])
    return documents


def _remove_stale_parts(run_dir: Path, stage: str, parts: dict[str, Any]) -> None:
    """Delete parts (and their error parts) left by an earlier run over a larger corpus."""
    for name in io.list_parts(io.stage_dir(run_dir, stage)):
        if name not in parts:
            (io.stage_dir(run_dir, stage) / name).unlink()
            io.error_part_path(run_dir, stage, name).unlink(missing_ok=True)


def _totals(report: StageReport) -> dict[str, Any]:
    return {"documents_in": report.documents_in, "documents_out": report.documents_out,
            "errors": report.errors, "seconds": round(report.seconds, 3), "finished": _now(),
            "vnpipe": package_version("vnpipe")}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
