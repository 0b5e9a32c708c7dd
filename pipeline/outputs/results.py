"""Reading a run back: each stage as a pandas DataFrame, per document or one row per item, and
the whole run as one row per document."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..runtime import parts
from ..errors import NotARun, StageNotRun

# The nested column that `shape="items"` explodes into one row per item, for each stage.
ITEMS = {"normalize": "sentences", "segment": "tokens", "ner": "entities", "keywords": "keywords"}

# What `read_run` takes from each stage, renamed where two stages share a column name.
RUN_COLUMNS = {
    "ingest": {"source": "source", "record": "record", "format": "format", "text": "original_text"},
    "normalize": {"title": "title", "date": "date", "language": "language", "text": "text",
                  "sentences": "sentences"},
    "dedup": {"cluster": "cluster", "duplicate_of": "duplicate_of", "similarity": "similarity", "exact": "exact"},
    "segment": {"tokens": "tokens"},
    "ner": {"entities": "entities"},
    "keywords": {"keywords": "keywords", "tags": "tags"},
}


def read_stage(run: str | Path, stage: str, shape: str = "documents", unique_only: bool = False) -> pd.DataFrame:
    """A stage's output: one row per document (nested lists), or with `shape="items"` one row per
    sentence, token, entity or keyword, its fields as columns, joined to the document by `doc_id`.
    `unique_only=True` leaves out the documents the dedup stage found to duplicate another one."""
    frame = _read_parts(Path(run), stage)
    if unique_only:
        frame = frame[~frame["doc_id"].isin(duplicate_ids(run))].reset_index(drop=True)
    if shape == "documents":
        return frame
    if shape != "items" or stage not in ITEMS:
        raise ValueError(f"shape must be 'documents' or 'items' (items exist for {', '.join(ITEMS)})")
    return explode(frame, ITEMS[stage])


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
    for stage, columns in RUN_COLUMNS.items():
        if parts.read_manifest(run, stage) is None:
            continue
        part = read_stage(run, stage)
        part = part[["doc_id", *[c for c in columns if c in part.columns]]].rename(columns=columns)
        frame = part if frame is None else frame.merge(part, on="doc_id", how="left")
    if frame is None:
        raise FileNotFoundError(f"{run} holds no stage output; run `vnpipe run CORPUS --out {run}` first")
    if unique_only:
        frame = frame[~frame["doc_id"].isin(duplicate_ids(run))].reset_index(drop=True)
    return frame


def duplicate_ids(run: str | Path) -> set[str]:
    """The doc_ids the dedup stage found to duplicate an earlier document (all but the kept one of
    each cluster)."""
    dedup = _read_parts(require_run(run), "dedup")
    return set(dedup.loc[dedup["duplicate_of"].notna(), "doc_id"])


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
        schema = _schema(stage)
        return schema.empty_table() if columns is None else pa.schema([schema.field(c) for c in columns]).empty_table()
    return pa.concat_tables(tables, promote_options="default")


def _schema(stage: str) -> pa.Schema:
    from ..stages.ingest import SCHEMA
    from ..stages import STAGES

    return SCHEMA if stage == "ingest" else STAGES[stage].schema


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
