"""Planning a stage that reads earlier stages: which parts are stale, and running them.

Every stage's output is split into the same parts as the source stage's. Fingerprints decide all
reuse, never file times:
* a part is reused when its fingerprint (the stage's version, settings and model, and the
  fingerprints of the input parts it reads) matches the one in its Parquet footer;
* inside a stale part, a document is reused when its own fingerprint (the stage's and those of
  its input rows) matches the one recorded for it by the run before, so adding or editing a few
  files recomputes those documents only, even when shard boundaries move.

A corpus-level stage that fits on per-document sketches (dedup) runs in three steps: sketches part
by part on the engine (RUN/<stage>/_sketches/, reused per document like rows), `fit_sketches` over
all of them in this process, then its rows, part by part, here.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm import tqdm

from ..digests import fingerprint
from ..errors import IncompatibleStageOutput, MissingStageOutput
from ..stages.base import Stage
from ..stages.registry import STAGES
from . import parts
from .outcome import Context, Outcome, part_summary


@dataclass(frozen=True)
class PartTask:
    """One stale part for a worker: what to compute, and which earlier rows it may reuse."""

    stage: Stage
    run_dir: Path
    part: str
    fingerprint: str
    driver: str  # the stage whose rows are the input (the nearest one before)
    documents: dict[str, str]  # doc_id -> the fingerprint it must have
    reusable: dict[str, str]  # doc_id -> a previous part file holding its row with that fingerprint
    sketch: bool = False  # compute the stage's sketches (into RUN/<stage>/_sketches), not its rows


def plan_documents(stage: Stage, context: Context) -> Outcome:
    """Run the stale parts of a stage that makes one row per document."""
    upstream = _upstream_manifests(stage, context.run_dir)
    driver = _driver(stage, context.order)
    part_names = list(upstream[driver]["parts"])
    stage_fingerprint = stage.fingerprint()
    if stage.corpus_level:
        stage_fingerprint = fingerprint(stage_fingerprint,
                                        fingerprint([upstream[r]["input_fingerprint"] for r in stage.requires]))
    wanted = {part: fingerprint(stage_fingerprint, [upstream[r]["parts"][part]["fingerprint"] for r in stage.requires])
              for part in part_names}
    out_dir = parts.stage_dir(context.run_dir, stage.name)
    summaries: dict[str, dict[str, Any]] = {}
    for part in part_names:
        info = parts.read_part_info(out_dir / part)
        if info and info["fingerprint"] == wanted[part]:
            summaries[part] = part_summary(info)
    outcome = Outcome({}, manifest={"fingerprint": stage_fingerprint})
    stale = [part for part in part_names if part not in summaries]
    if stale:
        previous = _set_aside_previous_parts(out_dir, set(summaries))
        if stage.corpus_level:
            stage.fit(doc for part in part_names for doc in load_inputs(stage, context.run_dir, part, driver))
        tasks = [_part_task(stage, context, part, wanted[part], stage_fingerprint, previous) for part in stale]
        for part, info in _execute(tasks, context, stage.name):
            summaries[part] = part_summary(info)
            outcome.computed += info["computed"]
            outcome.worker_cpu += _worker_cpu(info)
        shutil.rmtree(out_dir / parts.PREVIOUS_DIR, ignore_errors=True)
    outcome.summaries = {part: summaries[part] for part in part_names}
    outcome.ran = set(stale)
    return outcome


def plan_sketches(stage: Stage, context: Context) -> Outcome:
    """A corpus-level stage that fits on sketches (see the module's docstring). A part's fingerprint
    is that of its rows, so a part whose rows did not change is left as it was, and so are the parts
    of later stages that read it. When neither the stage's settings nor any input part changed,
    nothing is read at all."""
    upstream = _upstream_manifests(stage, context.run_dir)
    driver = _driver(stage, context.order)
    part_names = list(upstream[driver]["parts"])
    stage_fingerprint, sketch_fingerprint = stage.fingerprint(), stage.sketch_fingerprint()
    wanted = {part: fingerprint(sketch_fingerprint, [upstream[r]["parts"][part]["fingerprint"] for r in stage.requires])
              for part in part_names}
    corpus_fingerprint = fingerprint(stage_fingerprint, [(part, wanted[part]) for part in part_names])
    out_dir, sketch_dir = parts.stage_dir(context.run_dir, stage.name), parts.sketch_dir(context.run_dir, stage.name)
    extra = {"fingerprint": stage_fingerprint, "corpus_fingerprint": corpus_fingerprint}
    manifest = parts.read_manifest(context.run_dir, stage.name) or {}
    if manifest.get("corpus_fingerprint") == corpus_fingerprint and list(manifest.get("parts", {})) == part_names \
            and all((parts.read_part_info(out_dir / part) or {}).get("fingerprint") == summary["fingerprint"]
                    for part, summary in manifest["parts"].items()):
        totals = {key: manifest[key] for key in manifest.get("totals_keys", [])}
        return Outcome(manifest["parts"], manifest={**extra, "totals_keys": sorted(totals)}, totals=totals)

    outcome = Outcome({})
    sketches: dict[str, dict[str, Any]] = {}
    for part in part_names:
        info = parts.read_part_info(sketch_dir / part)
        if info and info["fingerprint"] == wanted[part]:
            sketches[part] = info
    stale = [part for part in part_names if part not in sketches]
    if stale:
        previous = _set_aside_previous_parts(sketch_dir, set(sketches))
        tasks = [dataclasses.replace(_part_task(stage, context, part, wanted[part], sketch_fingerprint, previous),
                                     sketch=True) for part in stale]
        for part, info in _execute(tasks, context, f"{stage.name} sketches"):
            sketches[part] = info
            outcome.worker_cpu += _worker_cpu(info)
        shutil.rmtree(sketch_dir / parts.PREVIOUS_DIR, ignore_errors=True)
    for name in parts.list_parts(sketch_dir):
        if name not in sketches:
            (sketch_dir / name).unlink()

    tables = [parts.read_table(sketch_dir / part) for part in part_names]
    outcome.totals = stage.fit_sketches(pa.concat_tables(tables) if tables else stage.sketch_schema.empty_table())
    for part, table in zip(part_names, tables):
        # Every sketched document has a row: fit_sketches saw it (a failure here is a bug, not the document's).
        rows = [{**stage.process({"doc_id": doc_id}), "doc_id": doc_id} for doc_id in table["doc_id"].to_pylist()]
        documents = {row["doc_id"]: fingerprint(stage_fingerprint, row) for row in rows}
        info = {"fingerprint": fingerprint(stage_fingerprint, documents), "documents": documents,
                "rows_in": sketches[part]["rows_in"], "rows": len(rows), "errors": sketches[part]["errors"],
                "computed": sketches[part].get("computed", 0)}
        if (parts.read_part_info(out_dir / part) or {}).get("fingerprint") != info["fingerprint"]:
            parts.write_parquet_atomic(parts.rows_to_table(rows, stage.schema), out_dir / part, info)
            outcome.ran.add(part)
        outcome.summaries[part] = part_summary(info)
    outcome.computed = sum(sketches[part].get("computed", 0) for part in stale)
    outcome.manifest = {**extra, "totals_keys": sorted(outcome.totals)}
    return outcome


def _execute(tasks: list[PartTask], context: Context, label: str):
    """(part, footer info) of each task as the engine finishes it, with a progress bar."""
    bar = tqdm(total=len(tasks), desc=label, unit="part", disable=not context.progress or None, leave=False)
    for result in context.engine.map(process_part, tasks):
        yield result
        bar.update()
    bar.close()


def process_part(task: PartTask) -> tuple[str, dict[str, Any]]:
    """Run a stage over one part: reuse the rows an earlier run made for unchanged documents,
    compute the others, and write the error rows and then the part (so a part that exists is
    complete)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    stage, run_dir, part = task.stage, task.run_dir, task.part
    documents = load_inputs(stage, run_dir, part, task.driver)
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
    source = STAGES.source.name
    origins = {d["doc_id"]: d for d in parts.read_part(run_dir, source, part, ["doc_id", "source", "record"])}
    errors = [{"source": origins[e["doc_id"]]["source"], "record": origins[e["doc_id"]]["record"],
               "doc_id": e["doc_id"], "stage": stage.name, "reason": e["reason"]} for e in result.errors]
    info = {"fingerprint": task.fingerprint,
            "documents": {row["doc_id"]: task.documents[row["doc_id"]] for row in rows},
            "rows_in": len(documents), "rows": len(rows), "errors": len(errors), "computed": len(computed),
            **{column: sum(1 for row in rows if row.get(column)) for column in stage.counts},
            "seconds": round(time.perf_counter() - started, 3),
            "cpu_seconds": round(time.process_time() - cpu_started, 3)}
    parts.write_parquet_atomic(parts.rows_to_table(errors, parts.ERROR_SCHEMA),
                               parts.error_part_path(run_dir, stage.name, part))
    out_dir = parts.sketch_dir(run_dir, stage.name) if task.sketch else parts.stage_dir(run_dir, stage.name)
    parts.write_parquet_atomic(parts.rows_to_table(rows, stage.sketch_schema if task.sketch else stage.schema),
                               out_dir / part, info)
    return part, {**info, "pid": os.getpid()}


def load_inputs(stage: Stage, run_dir: Path, part: str, driver: str | None = None) -> list[dict[str, Any]]:
    """The documents of one part, with the columns `stage` reads from each earlier stage; `driver`
    (the nearest of them, by default in the registry's order) gives the documents."""
    driver = driver or _driver(stage, STAGES.names())
    documents = parts.read_part(run_dir, driver, part, ["doc_id", *stage.reads[driver]])
    for required, columns in stage.reads.items():
        if required == driver:
            continue
        extra = {row["doc_id"]: row for row in parts.read_part(run_dir, required, part, ["doc_id", *columns])}
        for document in documents:
            document.update(extra[document["doc_id"]])
    return documents


def _driver(stage: Stage, order: tuple[str, ...]) -> str:
    """The nearest stage before `stage` that it reads: its rows are the documents."""
    return max(stage.requires, key=order.index)


def _worker_cpu(info: dict[str, Any]) -> float:
    """The CPU seconds a part took in another process (those taken here count in this process's)."""
    return info.get("cpu_seconds", 0.0) if info.get("pid") != os.getpid() else 0.0


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


def _part_task(stage: Stage, context: Context, part: str, part_fingerprint: str, stage_fingerprint: str,
               previous: dict[str, tuple[Path, str]]) -> PartTask:
    """The fingerprint each document of `part` must have, and those an earlier run already made."""
    inputs = {r: (parts.read_part_info(parts.stage_dir(context.run_dir, r) / part) or {}).get("documents", {})
              for r in stage.requires}
    driver = _driver(stage, context.order)
    row_fingerprint, row_requires = stage.row_identity(stage_fingerprint)
    documents = {doc_id: fingerprint(row_fingerprint, [inputs[r].get(doc_id) for r in row_requires])
                 for doc_id in inputs[driver]}
    reusable = {doc_id: str(previous[doc_id][0]) for doc_id, wanted in documents.items()
                if doc_id in previous and previous[doc_id][1] == wanted}
    return PartTask(stage, context.run_dir, part, part_fingerprint, driver, documents, reusable)


def _upstream_manifests(stage: Stage, run_dir: Path) -> dict[str, dict[str, Any]]:
    manifests = {}
    for required in stage.requires:
        manifest = parts.read_manifest(run_dir, required)
        if manifest is None:
            raise MissingStageOutput(stage.name, required, str(run_dir))
        expected = STAGES[required].version
        if manifest.get("version") != expected:
            raise IncompatibleStageOutput(required, str(run_dir), manifest.get("version"), expected)
        manifests[required] = manifest
    return manifests
