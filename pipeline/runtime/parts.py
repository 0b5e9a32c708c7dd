"""Parquet part files, atomic writes and manifests: everything a run directory holds.

A run directory looks like
    RUN/_run.json                       marks the folder as a vnpipe run
    RUN/<stage>/part-00000.parquet      one part per shard of documents
    RUN/<stage>/_manifest.json          what produced the parts (see runner.py)
    RUN/<stage>/_previous/              older parts kept while a stage reruns, for reuse
    RUN/<stage>/_sketches/part-00000.parquet   per-document sketches a corpus-level stage fits on (dedup)
    RUN/errors/<stage>-part-00000.parquet

A part's Parquet footer records its fingerprint, the fingerprint of each of its documents and
its counts. A part file is written last and atomically, after its error rows, so a part that
exists is complete: that is what lets a killed run resume where it stopped.
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

RUN_MARKER = "_run.json"
MANIFEST = "_manifest.json"
ERRORS_DIR = "errors"
PREVIOUS_DIR = "_previous"
SKETCHES_DIR = "_sketches"
_PART_KEY = b"vnpipe.part"  # footer metadata: {"fingerprint", "documents": {doc_id: fingerprint}, counts}

ERROR_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("record", pa.int64()),
    ("doc_id", pa.string()),
    ("stage", pa.string()),
    ("reason", pa.string()),
])


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def _temporary_sibling(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


def write_parquet_atomic(table: pa.Table, path: Path, part_info: dict[str, Any] | None = None) -> None:
    """Write `table` so that `path` is either absent, the old file, or the complete new file.
    `part_info` goes into the footer (see `read_part_info`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if part_info is not None:
        metadata = {**(table.schema.metadata or {}), _PART_KEY: json.dumps(part_info, sort_keys=True).encode()}
        table = table.replace_schema_metadata(metadata)
    tmp = _temporary_sibling(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json_atomic(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(path)
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def rows_to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def read_part(run: Path, stage: str, part: str, columns: list[str]) -> list[dict[str, Any]]:
    """Some columns of one part of a stage's output, as rows. (ParquetFile, not read_table: the
    datasets layer read_table goes through imports pandas, a second a process.)"""
    return pq.ParquetFile(stage_dir(run, stage) / part).read(columns=columns).to_pylist()


def read_part_info(path: Path) -> dict[str, Any] | None:
    """What the footer of part `path` records, or None for a missing or unreadable part."""
    try:
        metadata = pq.read_schema(path).metadata or {}
        return json.loads(metadata[_PART_KEY])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None


def read_rows(path: Path, doc_ids: set[str]) -> list[dict[str, Any]]:
    """The rows of the part file `path` whose doc_id is in `doc_ids`."""
    return pq.read_table(path, filters=[("doc_id", "in", sorted(doc_ids))]).to_pylist()


def stage_dir(run: Path, stage: str) -> Path:
    return run / stage


def sketch_dir(run: Path, stage: str) -> Path:
    """Where a corpus-level stage keeps the per-document sketches it fits on (see runner.py)."""
    return run / stage / SKETCHES_DIR


def read_table(path: Path) -> pa.Table:
    return pq.read_table(path)


def error_part_path(run: Path, stage: str, part: str) -> Path:
    return run / ERRORS_DIR / f"{stage}-{part}"


def list_parts(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.glob("part-*.parquet"))


def read_manifest(run: Path, stage: str) -> dict[str, Any] | None:
    return read_json(stage_dir(run, stage) / MANIFEST)


def write_manifest(run: Path, stage: str, manifest: dict[str, Any]) -> None:
    write_json_atomic(manifest, stage_dir(run, stage) / MANIFEST)
