"""The runner: orders the stages, decides what is stale from fingerprints, runs the stale parts on
an engine (this process, local worker processes, or Dask) and writes parts, errors and manifests.

Every stage's output is split into the same parts as the ingest output, one per shard of
documents. Fingerprints decide all reuse, never file times:
* a part is reused when its fingerprint (the stage's version, settings and model, and the
  fingerprints of the input parts it reads) matches the one in its Parquet footer;
* inside a stale part, a document is reused when its own fingerprint (the stage's and those of
  its input rows) matches the one recorded for it by the run before, so adding or editing a few
  files recomputes those documents only, even when shard boundaries move.

Unless the user sets a shard size, it is sized from the corpus and the worker count (see
`auto_shard_size`), so a small corpus still gives every worker several parts.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version as package_version
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm import tqdm

from . import parts
from .. import checks
from ..stages import ingest
from .engines import check_engine, default_workers, make_engine
from ..errors import (CorpusNotFound, IncompatibleStageOutput, MissingStageOutput, NotARunDirectory, RunFailed,
                     RunLocked, UnknownStage, VnpipeError)
from ..stages import ORDER, STAGES
from ..stages.dedup import SKIPPABLE, Dedup, KeptOnly
from ..stages.keywords import Keywords
from ..stages.ner import Ner
from ..stages.normalize import Normalize
from ..stages.segment import Segment
from .stage import Stage, fingerprint



@dataclass(frozen=True)
class RunSettings:
    """Every setting of a run; the CLI and the Python API both build one of these."""

    ingest: ingest.Settings = field(default_factory=ingest.Settings)
    normalize: Normalize.Settings = field(default_factory=Normalize.Settings)
    dedup: Dedup.Settings = field(default_factory=Dedup.Settings)
    segment: Segment.Settings = field(default_factory=Segment.Settings)
    ner: Ner.Settings = field(default_factory=Ner.Settings)
    keywords: Keywords.Settings = field(default_factory=Keywords.Settings)
    workers: int = field(default_factory=default_workers)  # processes (local) or Dask workers
    engine: str = "local"  # or "dask"
    scheduler: str | None = None  # a Dask scheduler address; None starts a LocalCluster
    skip_duplicates: bool = False  # segment, ner and keywords analyse only the kept document of each dedup cluster

    def __post_init__(self) -> None:  # the stages' settings checked themselves when they were built
        check_engine(self.engine, self.workers, self.scheduler)


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
    checks.writable_folder("--out", run_dir)  # a file there is a usage error, not a disk to free
    if "ingest" in names:  # checked before anything is written, so a typo leaves no folder behind
        if corpus is None:
            raise ValueError("the ingest stage needs a corpus path")
        if not Path(corpus).exists():
            raise CorpusNotFound(str(corpus))
    try:
        prepare_run_directory(run_dir, force)
    except OSError as error:  # e.g. a read-only parent folder
        raise RunFailed(str(run_dir), error.strerror or str(error)) from error
    reports = []
    with run_lock(run_dir):
        _remove_partial_files(run_dir)
        engine = make_engine(settings.engine, settings.workers, settings.scheduler)
        try:
            for name in names:
                if name == "ingest":
                    if corpus is None:
                        raise ValueError("the ingest stage needs a corpus path")
                    reports.append(run_ingest(Path(corpus), run_dir, settings.ingest, progress, engine.workers))
                else:
                    stage = STAGES[name](getattr(settings, name))
                    if settings.skip_duplicates and name in SKIPPABLE:
                        stage = KeptOnly(stage)
                    if stage.sketch_schema is not None:
                        reports.append(run_sketched_stage(stage, run_dir, engine, progress))
                    else:
                        reports.append(run_stage(stage, run_dir, engine, progress))
            if "keywords" in names:
                _write_summary(run_dir)  # RUN/summary/by-source-folder.parquet
        except OSError as error:
            # Parts are written atomically, so what is on disk is complete and the next run resumes.
            raise RunFailed(str(run_dir), error.strerror or str(error)) from error
        finally:
            engine.close()
    return RunReport(run_dir, reports)


def _write_summary(run_dir: Path) -> None:
    """Rewrite the corpus summary when an output it reads changed; its footer keeps their fingerprints
    (reading 30,000 documents' keywords and entities takes seconds, so a rerun with nothing to do skips it)."""
    from ..outputs.summary import SUMMARY_READS, summary_path, write_summary  # pandas: only when needed

    inputs = fingerprint("summary", package_version("vnpipe"),
                         [(parts.read_manifest(run_dir, stage) or {}).get("input_fingerprint") for stage in SUMMARY_READS])
    if (parts.read_part_info(summary_path(run_dir)) or {}).get("fingerprint") != inputs:
        write_summary(run_dir, info={"fingerprint": inputs})


# -- the run directory ----------------------------------------------------------------------------

def prepare_run_directory(run_dir: Path, force: bool) -> None:
    marker = run_dir / parts.RUN_MARKER
    if run_dir.exists() and not marker.exists() and any(run_dir.iterdir()) and not force:
        raise NotARunDirectory(str(run_dir))
    run_dir.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        parts.write_json_atomic({"created": _now(), "vnpipe": package_version("vnpipe")}, marker)


def _remove_partial_files(run_dir: Path) -> None:
    """Temporary files a killed run was writing; they were never renamed into place."""
    for temporary in run_dir.glob("**/.*.tmp"):
        temporary.unlink(missing_ok=True)


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
    fields = holder.split()
    if len(fields) < 4 or fields[3] != socket.gethostname():
        return True  # another machine's lock: we cannot tell, so respect it
    try:
        os.kill(int(fields[1]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


# -- ingest ---------------------------------------------------------------------------------------

def run_ingest(corpus: Path, run_dir: Path, settings: ingest.Settings, progress: bool = True,
               workers: int = 1) -> StageReport:
    """Read the corpus into parts of `shard_size` documents (when it is None, a size that gives each
    of `workers` several parts: `auto_shard_size`); parts whose documents did not change are left as
    they are (byte for byte). A corpus identical to the last run's keeps its parts whatever the
    worker count, as the check below comes before any sizing."""
    started, cpu_started = time.perf_counter(), time.process_time()
    report = StageReport("ingest")
    digest = corpus_digest(corpus, settings)
    unchanged = _unchanged_ingest(run_dir, digest)
    if unchanged is not None:
        summaries = unchanged["parts"]
        report.parts_reused = len(summaries)
        report.documents_in = sum(p["rows_in"] for p in summaries.values())
        report.documents_out = report.documents_reused = sum(p["rows"] for p in summaries.values())
        report.errors = sum(p["errors"] for p in summaries.values())
        report.seconds, report.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        parts.write_manifest(run_dir, "ingest", {**unchanged, "corpus": str(corpus), **_totals(report)})
        return report
    summaries: dict[str, dict[str, Any]] = {}
    bar = tqdm(desc="ingest", unit="doc", disable=not progress or None, leave=False)
    records, shard_size = _sized_stream(ingest.read_corpus(corpus, settings), settings.shard_size, workers)
    for index, (rows, errors) in enumerate(_shards(records, shard_size)):
        part = parts.part_name(index)
        documents = {row["doc_id"]: fingerprint(INGEST_VERSION, row) for row in rows}
        info = {"fingerprint": fingerprint(INGEST_VERSION, dataclasses.asdict(settings), documents,
                                           [(e["doc_id"], e["reason"]) for e in errors]),
                "documents": documents, "rows_in": len(rows) + len(errors), "rows": len(rows),
                "errors": len(errors)}
        path = parts.stage_dir(run_dir, "ingest") / part
        if (parts.read_part_info(path) or {}).get("fingerprint") == info["fingerprint"]:
            report.parts_reused += 1
            report.documents_reused += len(rows)
        else:
            parts.write_parquet_atomic(parts.rows_to_table(errors, parts.ERROR_SCHEMA),
                                    parts.error_part_path(run_dir, "ingest", part))
            parts.write_parquet_atomic(parts.rows_to_table(rows, ingest.SCHEMA), path, info)
            report.parts_run += 1
            report.documents_computed += len(rows)
        summaries[part] = _part_summary(info)
        report.documents_in += len(rows) + len(errors)
        report.documents_out += len(rows)
        report.errors += len(errors)
        bar.update(len(rows) + len(errors))
    bar.close()
    _remove_stale_parts(run_dir, "ingest", summaries)
    report.seconds, report.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    parts.write_manifest(run_dir, "ingest", {
        "stage": "ingest", "version": INGEST_VERSION, "settings": dataclasses.asdict(settings),
        "corpus": str(corpus), "input_fingerprint": fingerprint(sorted(p["fingerprint"] for p in summaries.values())),
        "corpus_digest": digest, "shard_size": shard_size, "parts": summaries, **_totals(report),
    })
    return report


INGEST_VERSION = "3"  # 3: the roles of HTML and Markdown lines, one line per table row


def corpus_digest(corpus: Path, settings: ingest.Settings) -> str | None:
    """A hash of the name and bytes of every file of the corpus, with the ingest version and
    settings: when it matches the last run's, the parts are what reading the corpus again would
    write, and a rerun skips reading and parsing it (hashing 100 MB takes a tenth of a second).
    None when a file cannot be read (the ingest stage then reads and reports it)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(fingerprint(INGEST_VERSION, dataclasses.asdict(settings)).encode())
    try:
        for path, source in ingest.find_files(corpus):
            with open(path, "rb") as handle:
                file_hash = hashlib.file_digest(handle, "blake2b").hexdigest()
            digest.update(f"{source}\t{file_hash}\n".encode("utf-8", "surrogateescape"))
    except (OSError, VnpipeError):
        return None
    return digest.hexdigest()


def _unchanged_ingest(run_dir: Path, digest: str | None) -> dict[str, Any] | None:
    """The last ingest manifest, when the corpus is byte for byte the one it was made from and
    every part it lists is on disk with its fingerprint."""
    manifest = parts.read_manifest(run_dir, "ingest")
    if digest is None or not manifest or manifest.get("corpus_digest") != digest \
            or manifest.get("version") != INGEST_VERSION:
        return None
    for part, summary in manifest["parts"].items():
        if (parts.read_part_info(parts.stage_dir(run_dir, "ingest") / part) or {}).get("fingerprint") \
                != summary["fingerprint"]:
            return None
    return manifest


def _part_summary(info: dict[str, Any]) -> dict[str, Any]:
    """What the manifest keeps of a part's footer: all but the per-document fingerprints (and the
    process that wrote it)."""
    return {key: value for key, value in info.items() if key not in ("documents", "pid")}


# A part per worker leaves workers idle behind the slowest part of each stage; several per worker even
# that out. Below MIN_SHARD_SIZE documents a part costs more to start (a worker process, its models)
# than it saves; above MAX_SHARD_SIZE a worker holds more in memory for no gain.
PARTS_PER_WORKER = 4
MIN_SHARD_SIZE = 50
MAX_SHARD_SIZE = 500
# The most documents counted before sizing; they wait in the driver's memory while it counts.
SIZING_LOOKAHEAD = 10_000


def auto_shard_size(documents: int, workers: int) -> int:
    """Documents per part for a corpus of `documents` (counted up to SIZING_LOOKAHEAD) on `workers`:
    PARTS_PER_WORKER parts for each worker, each of MIN_SHARD_SIZE to MAX_SHARD_SIZE documents."""
    wanted = -(-min(documents, SIZING_LOOKAHEAD) // (max(1, workers) * PARTS_PER_WORKER))
    return max(MIN_SHARD_SIZE, min(MAX_SHARD_SIZE, wanted))


def _sized_stream(records: Iterator[ingest.Record], shard_size: int | None,
                  workers: int) -> tuple[Iterator[ingest.Record], int]:
    """The records and the shard size to cut them into: `shard_size`, or when it is None one sized
    from the corpus's readable documents, read ahead and kept for the shards (so the corpus is read
    once, and the same corpus always gets the same size for a worker count). Counting stops where
    more documents could not change the size."""
    if shard_size is not None:
        return records, shard_size
    enough = min(SIZING_LOOKAHEAD, max(1, workers) * PARTS_PER_WORKER * MAX_SHARD_SIZE)
    records = iter(records)
    ahead: list[ingest.Record] = []
    readable = 0
    for record in records:
        ahead.append(record)
        readable += record.error is None
        if readable >= enough:
            break
    return chain(ahead, records), auto_shard_size(readable, workers)


def _shards(records: Iterator[ingest.Record], size: int) -> Iterator[tuple[list[dict], list[dict]]]:
    """Group records into shards of at most `size` documents; unreadable records travel with the
    shard in which they were met."""
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for record in records:
        if record.error is None:
            rows.append(ingest.to_row(record))
        else:
            errors.append({"source": record.source, "record": record.record,
                           "doc_id": ingest.make_doc_id(record.source, record.record),
                           "stage": "ingest", "reason": record.error})
        if len(rows) >= size:
            yield rows, errors
            rows, errors = [], []
    if rows or errors:
        yield rows, errors


# -- the NLP stages -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartTask:
    """One stale part for a worker: what to compute, and which earlier rows it may reuse."""

    stage: Stage
    run_dir: Path
    part: str
    fingerprint: str
    documents: dict[str, str]  # doc_id -> the fingerprint it must have
    reusable: dict[str, str]  # doc_id -> a previous part file holding its row with that fingerprint
    sketch: bool = False  # compute the stage's sketches (into RUN/<stage>/_sketches), not its rows


def run_stage(stage: Stage, run_dir: Path, engine: Any = None, progress: bool = True) -> StageReport:
    started, cpu_started = time.perf_counter(), time.process_time()
    worker_cpu = 0.0
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
    out_dir = parts.stage_dir(run_dir, stage.name)
    summaries: dict[str, dict[str, Any]] = {}
    for part in part_names:
        info = parts.read_part_info(out_dir / part)
        if info and info["fingerprint"] == wanted[part]:
            summaries[part] = _part_summary(info)
    stale = [part for part in part_names if part not in summaries]
    if stale:
        previous = _set_aside_previous_parts(out_dir, set(summaries))
        if stage.corpus_level:
            stage.fit(doc for part in part_names for doc in load_inputs(stage, run_dir, part))
        tasks = [_part_task(stage, run_dir, part, wanted[part], stage_fingerprint, previous) for part in stale]
        bar = tqdm(total=len(tasks), desc=stage.name, unit="part", disable=not progress or None, leave=False)
        for part, info in (engine or make_engine("local", 1)).map(process_part, tasks):
            summaries[part] = _part_summary(info)
            worker_cpu += _worker_cpu(info)
            bar.update()
        bar.close()
        shutil.rmtree(out_dir / parts.PREVIOUS_DIR, ignore_errors=True)
    summaries = {part: summaries[part] for part in part_names}
    _remove_stale_parts(run_dir, stage.name, summaries)
    report.parts_run, report.parts_reused = len(stale), len(part_names) - len(stale)
    report.documents_in = sum(p["rows_in"] for p in summaries.values())
    report.documents_out = sum(p["rows"] for p in summaries.values())
    report.errors = sum(p["errors"] for p in summaries.values())
    report.documents_computed = sum(summaries[p]["computed"] for p in stale)
    report.documents_reused = report.documents_out - report.documents_computed
    report.skipped = report.documents_in - report.documents_out - report.errors
    report.seconds, report.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started + worker_cpu
    parts.write_manifest(run_dir, stage.name, {
        "stage": stage.name, "version": stage.version, "settings": dataclasses.asdict(stage.settings),
        "model_checksum": stage.model_checksum(), "fingerprint": stage_fingerprint,
        "input_fingerprint": fingerprint(sorted(p["fingerprint"] for p in summaries.values())),
        "parts": summaries, **_totals(report),
    })
    return report


def _set_aside_previous_parts(out_dir: Path, current: set[str]) -> dict[str, tuple[Path, str]]:
    """Move the parts that are not current to `_previous/` (where a killed run may have left older
    ones) and index their documents: doc_id -> (file, fingerprint)."""
    previous_dir = out_dir / parts.PREVIOUS_DIR
    for name in parts.list_parts(out_dir):
        if name in current:
            continue
        previous_dir.mkdir(exist_ok=True)
        if (previous_dir / name).exists():
            (out_dir / name).unlink()  # both are complete; keeping one is enough to reuse from
        else:
            os.replace(out_dir / name, previous_dir / name)
    index: dict[str, tuple[Path, str]] = {}
    for name in parts.list_parts(previous_dir):
        info = parts.read_part_info(previous_dir / name) or {}
        for doc_id, doc_fingerprint in info.get("documents", {}).items():
            index[doc_id] = (previous_dir / name, doc_fingerprint)
    return index


def _part_task(stage: Stage, run_dir: Path, part: str, part_fingerprint: str, stage_fingerprint: str,
               previous: dict[str, tuple[Path, str]]) -> PartTask:
    """The fingerprint each document of `part` must have, and those an earlier run already made."""
    inputs = {r: (parts.read_part_info(parts.stage_dir(run_dir, r) / part) or {}).get("documents", {})
              for r in stage.requires}
    driver = inputs[max(stage.requires, key=ORDER.index)]
    row_fingerprint, row_requires = stage.row_identity(stage_fingerprint)
    documents = {doc_id: fingerprint(row_fingerprint, [inputs[r].get(doc_id) for r in row_requires])
                 for doc_id in driver}
    reusable = {doc_id: str(previous[doc_id][0]) for doc_id, wanted in documents.items()
                if doc_id in previous and previous[doc_id][1] == wanted}
    return PartTask(stage, run_dir, part, part_fingerprint, documents, reusable)


def _upstream_manifests(stage: Stage, run_dir: Path) -> dict[str, dict[str, Any]]:
    manifests = {}
    for required in stage.requires:
        manifest = parts.read_manifest(run_dir, required)
        if manifest is None:
            raise MissingStageOutput(stage.name, required, str(run_dir))
        expected = INGEST_VERSION if required == "ingest" else STAGES[required].version
        if manifest.get("version") != expected:
            raise IncompatibleStageOutput(required, str(run_dir), manifest.get("version"), expected)
        manifests[required] = manifest
    return manifests


def run_sketched_stage(stage: Stage, run_dir: Path, engine: Any = None, progress: bool = True) -> StageReport:
    """A corpus-level stage that fits on per-document sketches (dedup), in three steps:
    1. sketches, part by part on the engine, reused per document like any stage's rows
       (RUN/<stage>/_sketches/part-*.parquet);
    2. `fit_sketches` over every sketch, in corpus order, in this process;
    3. the rows, part by part, here. A part's fingerprint is that of its rows, so a part whose rows
       did not change is left as it was, and so are the parts of later stages that read it.
    When neither the stage's settings nor any input part changed, nothing is read at all."""
    started, cpu_started = time.perf_counter(), time.process_time()
    worker_cpu = 0.0
    report = StageReport(stage.name)
    upstream = _upstream_manifests(stage, run_dir)
    driver = max(stage.requires, key=ORDER.index)
    part_names = list(upstream[driver]["parts"])
    stage_fingerprint, sketch_fingerprint = stage.fingerprint(), stage.sketch_fingerprint()
    wanted = {part: fingerprint(sketch_fingerprint, [upstream[r]["parts"][part]["fingerprint"] for r in stage.requires])
              for part in part_names}
    corpus_fingerprint = fingerprint(stage_fingerprint, [(part, wanted[part]) for part in part_names])
    out_dir, sketch_dir = parts.stage_dir(run_dir, stage.name), parts.sketch_dir(run_dir, stage.name)
    manifest = parts.read_manifest(run_dir, stage.name) or {}
    if manifest.get("corpus_fingerprint") == corpus_fingerprint and list(manifest.get("parts", {})) == part_names \
            and all((parts.read_part_info(out_dir / part) or {}).get("fingerprint") == summary["fingerprint"]
                    for part, summary in manifest["parts"].items()):
        report.parts_reused = len(part_names)
        for key in ("documents_in", "documents_out", "errors"):
            setattr(report, key, manifest[key])
        report.documents_reused = report.documents_out
        report.totals = {key: manifest[key] for key in manifest.get("totals_keys", [])}
        report.seconds, report.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        return report

    sketches: dict[str, dict[str, Any]] = {}
    for part in part_names:
        info = parts.read_part_info(sketch_dir / part)
        if info and info["fingerprint"] == wanted[part]:
            sketches[part] = info
    stale = [part for part in part_names if part not in sketches]
    if stale:
        previous = _set_aside_previous_parts(sketch_dir, set(sketches))
        tasks = [dataclasses.replace(_part_task(stage, run_dir, part, wanted[part], sketch_fingerprint, previous),
                                     sketch=True) for part in stale]
        bar = tqdm(total=len(tasks), desc=f"{stage.name} sketches", unit="part", disable=not progress or None,
                   leave=False)
        for part, info in (engine or make_engine("local", 1)).map(process_part, tasks):
            sketches[part] = info
            worker_cpu += _worker_cpu(info)
            bar.update()
        bar.close()
        shutil.rmtree(sketch_dir / parts.PREVIOUS_DIR, ignore_errors=True)
    for name in parts.list_parts(sketch_dir):
        if name not in sketches:
            (sketch_dir / name).unlink()

    tables = [parts.read_table(sketch_dir / part) for part in part_names]
    report.totals = stage.fit_sketches(pa.concat_tables(tables) if tables else stage.sketch_schema.empty_table())
    summaries: dict[str, dict[str, Any]] = {}
    for part, table in zip(part_names, tables):
        # Every sketched document has a row: fit_sketches saw it (a failure here is a bug, not the document's).
        rows = [{**stage.process({"doc_id": doc_id}), "doc_id": doc_id} for doc_id in table["doc_id"].to_pylist()]
        documents = {row["doc_id"]: fingerprint(stage_fingerprint, row) for row in rows}
        info = {"fingerprint": fingerprint(stage_fingerprint, documents), "documents": documents,
                "rows_in": sketches[part]["rows_in"], "rows": len(rows), "errors": sketches[part]["errors"],
                "computed": sketches[part].get("computed", 0)}
        if (parts.read_part_info(out_dir / part) or {}).get("fingerprint") == info["fingerprint"]:
            report.parts_reused += 1
        else:
            parts.write_parquet_atomic(parts.rows_to_table(rows, stage.schema), out_dir / part, info)
            report.parts_run += 1
        summaries[part] = _part_summary(info)
    _remove_stale_parts(run_dir, stage.name, summaries)
    report.documents_in = sum(p["rows_in"] for p in summaries.values())
    report.documents_out = sum(p["rows"] for p in summaries.values())
    report.errors = sum(p["errors"] for p in summaries.values())
    report.documents_computed = sum(sketches[p].get("computed", 0) for p in stale)
    report.documents_reused = report.documents_out - report.documents_computed
    report.seconds, report.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started + worker_cpu
    parts.write_manifest(run_dir, stage.name, {
        "stage": stage.name, "version": stage.version, "settings": dataclasses.asdict(stage.settings),
        "model_checksum": stage.model_checksum(), "fingerprint": stage_fingerprint,
        "corpus_fingerprint": corpus_fingerprint,
        "input_fingerprint": fingerprint(sorted(p["fingerprint"] for p in summaries.values())),
        "parts": summaries, "totals_keys": sorted(report.totals), **_totals(report),
    })
    return report


def process_part(task: PartTask) -> tuple[str, dict[str, Any]]:
    """Run a stage over one part: reuse the rows an earlier run made for unchanged documents,
    compute the others, and write the error rows and then the part (so a part that exists is
    complete)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    stage, run_dir, part = task.stage, task.run_dir, task.part
    documents = load_inputs(stage, run_dir, part)
    analysed = {d["doc_id"] for d in documents if stage.analyses(d)}
    reused: dict[str, dict[str, Any]] = {}
    by_file: dict[str, set[str]] = {}
    for doc_id, path in task.reusable.items():
        if doc_id not in analysed:
            continue
        by_file.setdefault(path, set()).add(doc_id)
    for path, doc_ids in by_file.items():
        reused.update((row["doc_id"], row) for row in parts.read_rows(Path(path), doc_ids))
    result = stage.run([d for d in documents if d["doc_id"] not in reused], sketch=task.sketch)
    computed = {row["doc_id"]: row for row in result.rows}
    rows = [reused.get(d["doc_id"]) or computed[d["doc_id"]] for d in documents
            if d["doc_id"] in reused or d["doc_id"] in computed]
    origins = {d["doc_id"]: d for d in parts.read_part(run_dir, "ingest", part, ["doc_id", "source", "record"])}
    errors = [{"source": origins[e["doc_id"]]["source"], "record": origins[e["doc_id"]]["record"],
               "doc_id": e["doc_id"], "stage": stage.name, "reason": e["reason"]} for e in result.errors]
    info = {"fingerprint": task.fingerprint,
            "documents": {row["doc_id"]: task.documents[row["doc_id"]] for row in rows},
            "rows_in": len(documents), "rows": len(rows), "errors": len(errors), "computed": len(computed),
            "seconds": round(time.perf_counter() - started, 3),
            "cpu_seconds": round(time.process_time() - cpu_started, 3)}
    parts.write_parquet_atomic(parts.rows_to_table(errors, parts.ERROR_SCHEMA), parts.error_part_path(run_dir, stage.name, part))
    out_dir = parts.sketch_dir(run_dir, stage.name) if task.sketch else parts.stage_dir(run_dir, stage.name)
    parts.write_parquet_atomic(parts.rows_to_table(rows, stage.sketch_schema if task.sketch else stage.schema),
                               out_dir / part, info)
    return part, {**info, "pid": os.getpid()}


def _worker_cpu(info: dict[str, Any]) -> float:
    """The CPU seconds a part took in another process (those taken here count in this process's)."""
    return info.get("cpu_seconds", 0.0) if info.get("pid") != os.getpid() else 0.0


def load_inputs(stage: Stage, run_dir: Path, part: str) -> list[dict[str, Any]]:
    """The documents of one part, with the columns `stage` reads from each earlier stage."""
    driver = max(stage.requires, key=ORDER.index)
    documents = parts.read_part(run_dir, driver, part, ["doc_id", *stage.reads[driver]])
    for required, columns in stage.reads.items():
        if required == driver:
            continue
        extra = {row["doc_id"]: row for row in parts.read_part(run_dir, required, part, ["doc_id", *columns])}
        for document in documents:
            document.update(extra[document["doc_id"]])
    return documents


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
            "finished": _now(), "vnpipe": package_version("vnpipe")}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
