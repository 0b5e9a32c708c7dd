"""The Stage protocol: a named, versioned, pure function from document rows to document rows.

A stage declares which columns of which earlier stages it reads and the schema of the rows it
produces. It never opens files, parses arguments or prints: the runner does that. A document
that fails raises DocumentError (or anything else) and becomes one row of the errors table.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from ..errors import DocumentError


@dataclass
class StageResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # doc_id, reason


def file_digest(path: str | Path) -> str:
    """A short hash of a file's content: a model, word list or rules file that is part of a
    stage's fingerprint."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def fingerprint(*parts: Any) -> str:
    """A short, stable hash of JSON-able values."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest()


class Stage:
    name: ClassVar[str]
    version: ClassVar[str]  # bump when the code changes what the stage outputs
    reads: ClassVar[dict[str, tuple[str, ...]]]  # earlier stage -> columns this stage needs
    schema: ClassVar[pa.Schema]  # the rows it produces, one per document
    Settings: ClassVar[type]
    corpus_level: ClassVar[bool] = False  # True: fit() sees every document before run()
    # A corpus-level stage may need only a summary of each document to fit (dedup: a signature).
    # Then it declares the summary's schema and computes it in `sketch`: a sketch depends only on
    # the document and the settings, so the runner computes sketches in the parts (on any engine),
    # reuses them across runs like per-document rows, and gives them all to `fit_sketches`.
    sketch_schema: ClassVar[pa.Schema | None] = None

    def __init__(self, settings: Any = None) -> None:
        self.settings = settings if settings is not None else self.Settings()

    @property
    def requires(self) -> tuple[str, ...]:
        return tuple(self.reads)

    def model_checksum(self) -> str:
        """Identifies the models the stage uses; empty when it uses none."""
        return ""

    def fingerprint(self) -> str:
        return fingerprint(self.name, self.version, dataclasses.asdict(self.settings),
                           self.model_checksum())

    def row_identity(self, stage_fingerprint: str) -> tuple[str, tuple[str, ...]]:
        """What a document's row depends on: the stage's fingerprint and the rows of these earlier
        stages. A row whose fingerprint matches one an earlier run wrote is reused."""
        return stage_fingerprint, self.requires

    def analyses(self, document: dict[str, Any]) -> bool:
        """False for a document the stage leaves out on purpose (no row, no error)."""
        return True

    def sketch_fingerprint(self) -> str:
        """What a sketch depends on: by default all that the rows do; a stage whose sketches ignore
        some settings (dedup's threshold) leaves them out, so changing those reuses every sketch."""
        return self.fingerprint()

    def fit(self, documents: Iterable[dict[str, Any]]) -> None:
        """Learn corpus-wide statistics; only called when `corpus_level` is True."""

    def sketch(self, document: dict[str, Any]) -> dict[str, Any]:
        """The summary of one document that `fit_sketches` needs (see `sketch_schema`)."""
        raise NotImplementedError

    def fit_sketches(self, sketches: pa.Table) -> dict[str, Any]:
        """Learn from the sketches of every document (an Arrow table in corpus order); returns
        totals for the manifest."""
        raise NotImplementedError

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        """One output row for one document (with its `doc_id`)."""
        raise NotImplementedError

    def process_batch(self, documents: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The rows of several documents at once, for a model that is fast only in batches (as
        spaCy's `nlp.pipe`), equal to `process` of each; None: the stage has no batched path."""
        return None

    def run(self, documents: list[dict[str, Any]], sketch: bool = False) -> StageResult:
        """The rows (or with `sketch`, the sketches) of `documents`; a failure is an error row.
        A stage with a batched path gets the documents `BATCH_DOCUMENTS` at a time."""
        result = StageResult()
        for first in range(0, len(documents), BATCH_DOCUMENTS):
            chunk = documents[first:first + BATCH_DOCUMENTS]
            rows = None
            if not sketch:
                try:
                    rows = self.process_batch(chunk)
                except Exception:  # noqa: BLE001 - redone one document at a time, so the failure is its row
                    rows = None
            if rows is not None:
                for document, row in zip(chunk, rows):
                    row["doc_id"] = document["doc_id"]
                    result.rows.append(row)
            else:
                self._run_one_at_a_time(chunk, sketch, result)
        return result

    def _run_one_at_a_time(self, documents: list[dict[str, Any]], sketch: bool, result: StageResult) -> None:
        compute = self.sketch if sketch else self.process
        for document in documents:
            try:
                row = compute(document)
            except Exception as error:  # noqa: BLE001 - any failure is one document's error row
                result.errors.append({"doc_id": document["doc_id"], "reason": _describe(error)})
            else:
                row["doc_id"] = document["doc_id"]
                result.rows.append(row)


# Documents per `process_batch` call: enough sentences (about a thousand) for the batched models to run
# at full speed, few enough that a part of 500 documents is not held as arrays at once (1.6 GB per worker).
BATCH_DOCUMENTS = 64


def _describe(error: Exception) -> str:
    message = str(error) or type(error).__name__
    return message if isinstance(error, DocumentError) else f"{type(error).__name__}: {message}"
