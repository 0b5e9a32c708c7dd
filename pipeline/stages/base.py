"""The stage protocol: a named, versioned, pure function from document rows to document rows.

A stage declares everything the rest of vnpipe needs to know about it, as class attributes: which
columns of which earlier stages it reads, the schema of its rows, its settings (whose fields marked
with `setting(flag=...)` become options of `vnpipe run`), what readers expose of it (the list
column `items` that `read_stage(shape="items")` explodes, the columns `read_run` takes), and
whether `--skip-duplicates` applies to it. It never opens files, parses arguments or prints: the
runner does that. A document that fails raises DocumentError (or anything else) and becomes one
row of the errors table.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from ..digests import fingerprint
from ..errors import DocumentError


def setting(default: Any = MISSING, *, flag: str | None = None, help: str = "", path: bool = False,
            negate: str | None = None) -> Any:
    """A field of a stage's Settings. With `flag` (`--top-k`) it is also an option of `vnpipe run`
    and of the text commands that run the stage, with `help`; `path`: the option names a file,
    stored as an absolute path (so a manifest means the same file wherever it is read); `negate`:
    the option is a switch that sets the field to False (`--keep-boilerplate` for
    `remove_boilerplate`)."""
    return field(default=default, metadata={"flag": flag, "help": help, "path": path, "negate": negate})


@dataclass
class StageResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # doc_id, reason


class Stage:
    name: ClassVar[str]
    version: ClassVar[str]  # bump when the code changes what the stage outputs (tests/test_golden.py checks)
    reads: ClassVar[dict[str, tuple[str, ...]]]  # earlier stage -> columns this stage needs
    schema: ClassVar[pa.Schema]  # the rows it produces, one per document
    Settings: ClassVar[type]
    items: ClassVar[str | None] = None  # the list column `read_stage(shape="items")` gives one row per element of
    exposes: ClassVar[dict[str, str]] = {}  # the columns `read_run` takes, and their names there
    skips_duplicates: ClassVar[bool] = False  # with --skip-duplicates, only the kept document of each cluster
    marks_duplicates: ClassVar[str | None] = None  # the column that names a duplicate's kept document (dedup)
    counts: ClassVar[tuple[str, ...]] = ()  # list columns whose non-empty documents the manifest counts (warnings)
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
        """Identifies the models the stage uses, without loading them; empty when it uses none."""
        return ""

    def fingerprint(self) -> str:
        return fingerprint(self.name, self.version, dataclasses.asdict(self.settings), self.model_checksum())

    def row_identity(self, stage_fingerprint: str) -> tuple[str, tuple[str, ...]]:
        """What a document's row depends on: the stage's fingerprint and the rows of these earlier
        stages. A row whose fingerprint matches one an earlier run wrote is reused."""
        return stage_fingerprint, self.requires

    def unsettled(self) -> dict[str, tuple[str, ...]]:
        """The columns of earlier stages whose corpus-wide statistics decide a setting still open
        (normalize's `auto` tone style reads the ingest text); empty when nothing is open."""
        return {}

    def settle(self, documents: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """Decide the open settings from every document (the columns `unsettled` names) and set
        them in `self.settings`, so the stage's fingerprint and manifest show the decision; returns
        what the manifest records of it, the decided fields under "settings". The runner calls it
        before taking the fingerprint (when the decision does not change, neither do the rows, and
        they are reused), and reuses the decision while the columns it read are unchanged."""
        return {}

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


class SourceStage(Stage):
    """The first stage: it reads a corpus (files), not the rows of earlier stages, and its output
    decides the parts every later stage is split into."""

    reads: ClassVar[dict[str, tuple[str, ...]]] = {}

    @property
    def shard_size(self) -> int | None:
        """Documents per part; None: sized from the corpus and the workers."""
        return None

    def read(self, corpus: Path) -> Iterator[tuple[dict[str, Any], str | None]]:
        """(row, None) for each document of `corpus`, or (row, reason) for one that cannot be read:
        an error row, whose row carries at least `doc_id`, `source` and `record`."""
        raise NotImplementedError

    def corpus_digest(self, corpus: Path) -> str | None:
        """A hash of everything `read` would read: when it matches the last run's, the parts are
        what reading the corpus again would write. None: cannot tell (read it)."""
        return None


class KeptOnly(Stage):
    """`stage`, analysing only the kept document of each duplicate cluster (`--skip-duplicates`):
    it also reads the column that names a duplicate's kept document (`duplicates`, a stage and
    its column), and the duplicates get no row (they are counted as skipped)."""

    def __init__(self, stage: Stage, duplicates: tuple[str, str]) -> None:  # noqa: D107 - wraps
        self.stage = stage
        self.settings = stage.settings
        self.name, self.version, self.schema, self.Settings = stage.name, stage.version, stage.schema, stage.Settings
        self.duplicate_column = duplicates[1]
        self.reads = {**stage.reads, duplicates[0]: (duplicates[1],)}
        self.corpus_level = stage.corpus_level
        self.sketch_schema = stage.sketch_schema
        self.counts = stage.counts

    def model_checksum(self) -> str:
        return self.stage.model_checksum()

    def fingerprint(self) -> str:
        return fingerprint(self.stage.fingerprint(), "kept only")

    def sketch_fingerprint(self) -> str:
        return self.stage.sketch_fingerprint()

    def row_identity(self, stage_fingerprint: str) -> tuple[str, tuple[str, ...]]:
        if self.corpus_level:
            return stage_fingerprint, self.requires
        # A kept document's row is the wrapped stage's row: reused with or without --skip-duplicates.
        return self.stage.fingerprint(), self.stage.requires

    def unsettled(self) -> dict[str, tuple[str, ...]]:
        return self.stage.unsettled()

    def settle(self, documents: Iterable[dict[str, Any]]) -> dict[str, Any]:
        decided = self.stage.settle(documents)
        self.settings = self.stage.settings  # the wrapped stage's settings, with what it decided
        return decided

    def analyses(self, document: dict[str, Any]) -> bool:
        return document.get(self.duplicate_column) is None

    def fit(self, documents) -> None:
        self.stage.fit(d for d in documents if self.analyses(d))

    def run(self, documents: list[dict[str, Any]], sketch: bool = False) -> StageResult:
        return self.stage.run([d for d in documents if self.analyses(d)], sketch=sketch)


# Documents per `process_batch` call: enough sentences (about a thousand) for the batched models to run
# at full speed, few enough that a part of 500 documents is not held as arrays at once (1.6 GB per worker).
BATCH_DOCUMENTS = 64


def _describe(error: Exception) -> str:
    message = str(error) or type(error).__name__
    return message if isinstance(error, DocumentError) else f"{type(error).__name__}: {message}"
