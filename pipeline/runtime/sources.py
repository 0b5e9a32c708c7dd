"""Planning the source stage (ingest): the corpus read into parts of `shard_size` documents.

Parts whose documents did not change are left as they are (byte for byte). When the corpus is byte
for byte the one the last run read (its digest matches the manifest's) and every part is on disk,
nothing is read at all, whatever the worker count (that check comes before any sizing).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..digests import fingerprint
from ..stages.base import SourceStage
from . import parts
from .outcome import Context, Outcome, part_summary

# A part per worker leaves workers idle behind the slowest part of each stage; several per worker even
# that out. Below MIN_SHARD_SIZE documents a part costs more to start (a worker process, its models)
# than it saves; above MAX_SHARD_SIZE a worker holds more in memory for no gain.
PARTS_PER_WORKER = 4
MIN_SHARD_SIZE = 50
MAX_SHARD_SIZE = 500
# The most documents counted before sizing; they wait in the driver's memory while it counts.
SIZING_LOOKAHEAD = 10_000

Read = tuple[dict[str, Any], str | None]  # a row, and the reason it could not be read (None: it could)


def auto_shard_size(documents: int, workers: int) -> int:
    """Documents per part for a corpus of `documents` (counted up to SIZING_LOOKAHEAD) on `workers`:
    PARTS_PER_WORKER parts for each worker, each of MIN_SHARD_SIZE to MAX_SHARD_SIZE documents."""
    wanted = -(-min(documents, SIZING_LOOKAHEAD) // (max(1, workers) * PARTS_PER_WORKER))
    return max(MIN_SHARD_SIZE, min(MAX_SHARD_SIZE, wanted))


def read_source(stage: SourceStage, context: Context) -> Outcome:
    corpus = context.corpus
    if corpus is None:
        raise ValueError(f"the {stage.name} stage needs a corpus path")
    digest = stage.corpus_digest(Path(corpus))
    unchanged = _unchanged(stage, context.run_dir, digest)
    extra = {"corpus": str(corpus), "corpus_digest": digest}
    if unchanged is not None:
        return Outcome(unchanged["parts"], manifest={**extra, "shard_size": unchanged.get("shard_size")})
    outcome = Outcome({})
    bar = tqdm(desc=stage.name, unit="doc", disable=not context.progress or None, leave=False)
    found, shard_size = _sized(stage.read(Path(corpus)), stage.shard_size, context.engine.workers)
    settings = dataclasses.asdict(stage.settings)
    for index, (rows, errors) in enumerate(_shards(found, shard_size, stage.name)):
        part = parts.part_name(index)
        documents = {row["doc_id"]: fingerprint(stage.version, row) for row in rows}
        info = {"fingerprint": fingerprint(stage.version, settings, documents,
                                           [(e["doc_id"], e["reason"]) for e in errors]),
                "documents": documents, "rows_in": len(rows) + len(errors), "rows": len(rows),
                "errors": len(errors)}
        path = parts.stage_dir(context.run_dir, stage.name) / part
        if (parts.read_part_info(path) or {}).get("fingerprint") != info["fingerprint"]:
            parts.write_parquet_atomic(parts.rows_to_table(errors, parts.ERROR_SCHEMA),
                                       parts.error_part_path(context.run_dir, stage.name, part))
            parts.write_parquet_atomic(parts.rows_to_table(rows, stage.schema), path, info)
            outcome.ran.add(part)
            outcome.computed += len(rows)
        outcome.summaries[part] = part_summary(info)
        bar.update(len(rows) + len(errors))
    bar.close()
    outcome.manifest = {**extra, "shard_size": shard_size}
    return outcome


def _unchanged(stage: SourceStage, run_dir: Path, digest: str | None) -> dict[str, Any] | None:
    """The last manifest, when the corpus is byte for byte the one it was made from and every part
    it lists is on disk with its fingerprint."""
    manifest = parts.read_manifest(run_dir, stage.name)
    if digest is None or not manifest or manifest.get("corpus_digest") != digest \
            or manifest.get("version") != stage.version:
        return None
    for part, summary in manifest["parts"].items():
        if (parts.read_part_info(parts.stage_dir(run_dir, stage.name) / part) or {}).get("fingerprint") \
                != summary["fingerprint"]:
            return None
    return manifest


def _sized(found: Iterator[Read], shard_size: int | None, workers: int) -> tuple[Iterator[Read], int]:
    """The documents and the shard size to cut them into: `shard_size`, or when it is None one sized
    from the corpus's readable documents, read ahead and kept for the shards (so the corpus is read
    once, and the same corpus always gets the same size for a worker count). Counting stops where
    more documents could not change the size."""
    if shard_size is not None:
        return found, shard_size
    enough = min(SIZING_LOOKAHEAD, max(1, workers) * PARTS_PER_WORKER * MAX_SHARD_SIZE)
    found = iter(found)
    ahead: list[Read] = []
    readable = 0
    for item in found:
        ahead.append(item)
        readable += item[1] is None
        if readable >= enough:
            break
    return chain(ahead, found), auto_shard_size(readable, workers)


def _shards(found: Iterator[Read], size: int, stage: str) -> Iterator[tuple[list[dict], list[dict]]]:
    """Group documents into shards of at most `size`; unreadable ones travel with the shard in
    which they were met, as error rows."""
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for row, reason in found:
        if reason is None:
            rows.append(row)
        else:
            errors.append({"source": row["source"], "record": row["record"], "doc_id": row["doc_id"],
                           "stage": stage, "reason": reason})
        if len(rows) >= size:
            yield rows, errors
            rows, errors = [], []
    if rows or errors:
        yield rows, errors
