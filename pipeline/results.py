"""Reading a run back: each stage as a pandas DataFrame, per document or one row per item."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import io

# The nested column that `shape="items"` explodes into one row per item, for each stage.
ITEMS = {"normalize": "sentences", "segment": "tokens", "ner": "entities", "keywords": "keywords"}


def read_stage(run: str | Path, stage: str, shape: str = "documents") -> pd.DataFrame:
    """A stage's output: one row per document (nested lists), or with `shape="items"` one row per
    sentence, token, entity or keyword, its fields as columns, joined to the document by `doc_id`."""
    frame = pd.read_parquet(io.stage_dir(Path(run), stage))
    if shape == "documents":
        return frame
    if shape != "items" or stage not in ITEMS:
        raise ValueError(f"shape must be 'documents' or 'items' (items exist for {', '.join(ITEMS)})")
    return explode(frame, ITEMS[stage])


def explode(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per element of the list column `column`, with the struct fields as columns."""
    items = frame[["doc_id", column]].explode(column, ignore_index=True).dropna(subset=[column])
    fields = pd.DataFrame(items[column].tolist(), index=items.index)
    return pd.concat([items[["doc_id"]], fields], axis=1)


def read_errors(run: str | Path) -> pd.DataFrame:
    return pd.read_parquet(Path(run) / io.ERRORS_DIR)
