"""Reading a run back: each stage as a pandas DataFrame, per document or one row per item, and
the whole run as one row per document."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import NotARun, StageNotRun
from ..runtime import parts
from ..stages.registry import STAGES

def read_stage(run: str | Path, stage: str, shape: str = "documents", unique_only: bool = False) -> pd.DataFrame:
    """A stage's output: one row per document (nested lists), or with `shape="items"` one row per
    sentence, token, entity or keyword, its fields as columns, joined to the document by `doc_id`.
    `unique_only=True` leaves out the documents the dedup stage found to duplicate another one."""
    frame = _read_parts(Path(run), stage)
    if unique_only:
        frame = frame[~frame["doc_id"].isin(duplicate_ids(run))].reset_index(drop=True)
    if shape == "documents":
        return frame
    items = STAGES[stage].items
    if shape != "items" or items is None:
        with_items = ", ".join(s.name for s in STAGES if s.items)
        raise ValueError(f"shape must be 'documents' or 'items' (items exist for {with_items})")
    return explode(frame, items)


def read_run(run: str | Path, unique_only: bool = False) -> pd.DataFrame:
    """One row per document that came through ingest, with every stage joined by `doc_id`:
    `source`, `record`, `format`, `original_text` (as read), `title`, `date`, `language`, `text`
    (normalized; offsets point here), `sentences`, `cluster`, `duplicate_of`, `similarity`, `exact`
    (dedup), `tokens`, `entities`, `keywords` (and `tags` when the keywords stage wrote them). A
    stage that has not run adds no columns; a document that failed in a stage has NaN there (its
    reason is in `read_errors`), and so has a duplicate that a `--skip-duplicates` run did not
    analyse. `unique_only=True` keeps one document per dedup cluster (the first, in corpus order)."""
    run = require_run(run)
    frame = None
    for stage in STAGES:
        columns = stage.exposes
        if not columns or parts.read_manifest(run, stage.name) is None:
            continue
        part = read_stage(run, stage.name)
        part = part[["doc_id", *[c for c in columns if c in part.columns]]].rename(columns=columns)
        if frame is not None:  # a later stage's column replaces an earlier one's (aliases' entities, ner's)
            frame = frame.drop(columns=[c for c in part.columns if c != "doc_id" and c in frame.columns])
        frame = part if frame is None else frame.merge(part, on="doc_id", how="left")
    if frame is None:
        raise FileNotFoundError(f"{run} holds no stage output; run `vnpipe run CORPUS --out {run}` first")
    if unique_only:
        frame = frame[~frame["doc_id"].isin(duplicate_ids(run))].reset_index(drop=True)
    return frame


def entity_stage(run: str | Path) -> str | None:
    """The stage whose entities a run's readers show: the last one of the registry that gives
    entities and has run (aliases, with corpus-wide names; else ner)."""
    run = require_run(run)
    found = [stage.name for stage in STAGES if stage.items == "entities" and parts.read_manifest(run, stage.name)]
    return found[-1] if found else None


def duplicate_ids(run: str | Path) -> set[str]:
    """The doc_ids the dedup stage found to duplicate an earlier document (all but the kept one of
    each cluster)."""
    stage, column = STAGES.duplicates() or (None, None)
    if stage is None:
        return set()
    table = read_table(run, stage, ["doc_id", column]).to_pandas()
    return set(table.loc[table[column].notna(), "doc_id"])


def read_warnings(run: str | Path) -> pd.DataFrame:
    """The documents the normalize stage kept whole although its rules would have removed more than
    half of them (`suspicious_removal`): `source`, `record`, `doc_id`, `rule`, `characters` (that
    the rule would have removed), `document_characters`. Empty when there are none, or no
    normalize output, or one written before warnings existed."""
    columns = ["source", "record", "doc_id", "reason", "rule", "characters", "document_characters"]
    run = require_run(run)
    manifest = parts.read_manifest(run, "normalize")
    if manifest is None or "warnings" not in STAGES["normalize"].schema.names:
        return pd.DataFrame(columns=columns)
    table = read_table(run, "normalize", ["doc_id", "warnings"])
    warned = explode(table.to_pandas(), "warnings")
    if warned.empty:
        return pd.DataFrame(columns=columns)
    sources = read_table(run, STAGES.source.name, ["doc_id", "source", "record"],
                         [("doc_id", "in", sorted(set(warned["doc_id"])))]).to_pandas()
    return sources.merge(warned, on="doc_id")[columns]


def warning_line(documents: int) -> str:
    """What show, report and a run's summary say of the documents `read_warnings` lists."""
    return (f"{documents} document{'s' if documents != 1 else ''} would have lost more than half of "
            f"{'their' if documents != 1 else 'its'} text to one rule; the text was kept: check "
            f"{'these' if documents != 1 else 'it'}")


def restored_line(documents: int) -> str:
    """What a run's summary and the report say of the documents normalize restored diacritics in."""
    return (f"{documents} document{'s' if documents != 1 else ''} typed (in part) without diacritics: "
            f"{'their' if documents != 1 else 'its'} marks restored")


def explode(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per element of the list column `column`, with the struct fields as columns."""
    items = frame[["doc_id", column]].explode(column, ignore_index=True).dropna(subset=[column])
    fields = pd.DataFrame(items[column].tolist(), index=items.index)
    return pd.concat([items[["doc_id"]], fields], axis=1)


def _read_parts(run: Path, stage: str) -> pd.DataFrame:
    return read_table(run, stage).to_pandas()


def read_table(run: str | Path, stage: str, columns: list[str] | None = None, filters=None) -> pa.Table:
    """A stage's output as one Arrow table, reading only `columns` (all when None) and the rows
    that pass `filters` (pyarrow's DNF, e.g. `[("doc_id", "in", ids)]`), from the parts the stage's
    manifest lists: the complete, current output, and nothing else that may sit in the folder (a
    part a killed rerun left, a user's own file)."""
    manifest = parts.read_manifest(require_run(run), stage)
    if manifest is None:
        raise StageNotRun(str(run), stage)
    paths = [parts.stage_dir(Path(run), stage) / part for part in manifest["parts"]]
    tables = [pq.read_table(path, columns=columns, filters=filters) for path in paths]
    if not tables:
        schema = STAGES[stage].schema
        return schema.empty_table() if columns is None else pa.schema([schema.field(c) for c in columns]).empty_table()
    return pa.concat_tables(tables, promote_options="default")


def require_run(run: str | Path) -> Path:
    """`run` as a Path, after checking that it is a run directory."""
    run = Path(run)
    if not (run / parts.RUN_MARKER).is_file():
        raise NotARun(str(run))
    return run


def read_errors(run: str | Path) -> pd.DataFrame:
    folder = Path(require_run(run)) / parts.ERRORS_DIR
    if not any(folder.glob("*.parquet")):  # a run over a corpus without files has no part, so no error part
        return parts.ERROR_SCHEMA.empty_table().to_pandas()
    return pd.read_parquet(folder)


def output_digest(run: str | Path, stage: str, decimals: int = 3) -> str:
    """A hash of a stage's rows in doc_id order, floats rounded to `decimals` (the last digits of a
    model's confidence may differ between CPUs): equal digests, equal outputs. What the golden
    test (tests/test_golden.py) and benchmarks/output_hashes.py compare."""
    import hashlib
    import json

    rows = sorted(read_table(run, stage).to_pylist(), key=lambda row: row["doc_id"])
    payload = json.dumps(_rounded(rows, decimals), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest()


def _rounded(value, decimals: int):
    if isinstance(value, float):
        return None if value != value else round(value, decimals)
    if isinstance(value, dict):
        return {key: _rounded(item, decimals) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item, decimals) for item in value]
    return value
