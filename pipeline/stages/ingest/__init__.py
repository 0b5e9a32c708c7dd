"""Ingest: read a folder of documents in many formats (readers.py) into rows of (doc_id, source,
record, text). The source stage: its parts are the parts of every later stage.

Every input is accounted for: a file or record that cannot be read yields an error row naming the
file, the record and the reason, never a silent skip.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ... import checks
from ...digests import fingerprint, text_digest
from ...errors import CorpusNotFound, InvalidSetting, VnpipeError
from ..base import SourceStage, setting
from .readers import FORMATS, Record, decode, read_file

__all__ = ["FORMATS", "SCHEMA", "Ingest", "Record", "Settings", "content_hash", "decode", "find_files", "make_doc_id",
           "read_corpus", "read_file", "to_row"]

SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("source", pa.string()),
    ("record", pa.int64()),
    ("source_id", pa.string()),
    ("title", pa.string()),
    ("text", pa.string()),
    ("content_hash", pa.string()),
    ("format", pa.string()),
    ("encoding", pa.string()),
    ("metadata", pa.string()),  # JSON object of the record's other fields
])


@dataclass(frozen=True)
class Settings:
    text_field: str = setting("text", flag="--text-field",
                              help="Field or column holding the text in JSON, CSV and Parquet.")
    shard_size: int | None = setting(None, flag="--shard-size", help="Documents per part file; default: sized "
                                     "so that every worker gets several parts (50 to 500 documents each).")
    max_chars: int = setting(10_000_000, flag="--max-chars", help="Longer documents are error rows, not processed.")

    def __post_init__(self) -> None:
        if not isinstance(self.text_field, str) or not self.text_field.strip():
            raise InvalidSetting("--text-field (ingest.text_field)", self.text_field, "give a field name")
        if self.shard_size is not None:
            checks.at_least("--shard-size (ingest.shard_size)", self.shard_size, 1)
        checks.at_least("--max-chars (ingest.max_chars)", self.max_chars, 1)



def make_doc_id(source: str, record: int | None) -> str:
    """Stable across runs: the same path (relative to the corpus) and record give the same id."""
    key = f"{source}\0{record if record is not None else ''}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def content_hash(text: str) -> str:
    return text_digest(text)


def to_row(record: Record) -> dict[str, Any]:
    return {
        "doc_id": make_doc_id(record.source, record.record),
        "source": record.source,
        "record": record.record,
        "source_id": record.source_id,
        "title": record.title,
        "text": record.text,
        "content_hash": content_hash(record.text or ""),
        "format": record.format,
        "encoding": record.encoding,
        "metadata": json.dumps(record.metadata or {}, ensure_ascii=False, default=str),
    }


# -- finding files -------------------------------------------------------------------------------

def find_files(corpus: Path) -> Iterator[tuple[Path, str]]:
    """(path, path relative to the corpus) of every file under `corpus`, sorted, hidden ones skipped.

    Symlinked folders are followed once: a link that points back into a folder already seen
    (a loop) is not followed again. The walk keeps its own stack, so depth is not limited by
    Python's recursion limit.
    """
    if not corpus.exists():
        raise CorpusNotFound(str(corpus))
    if corpus.is_file():
        yield corpus, corpus.name
        return
    seen: set[tuple[int, int]] = set()
    top = _entries(corpus, seen)
    if isinstance(top, OSError):
        yield corpus, "./"  # reported as unreadable
        return
    stack = [iter(top or [])]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        if not _is_folder(entry):
            yield path, path.relative_to(corpus).as_posix()
            continue
        entries = _entries(path, seen)
        if entries is None:
            continue  # a folder seen before: a symlink loop
        if isinstance(entries, OSError):
            yield path, f"{path.relative_to(corpus).as_posix()}/"  # reported as unreadable
            continue
        stack.append(iter(entries))


def _entries(folder: Path, seen: set[tuple[int, int]]) -> list[os.DirEntry] | OSError | None:
    """The visible entries of `folder` in name order; None if it was seen before (or vanished)."""
    try:
        info = folder.stat()
    except OSError:
        return None
    if (info.st_dev, info.st_ino) in seen:
        return None
    seen.add((info.st_dev, info.st_ino))
    try:
        return sorted((e for e in os.scandir(folder) if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as error:
        return error


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # e.g. a symlink loop: stat fails with ELOOP; reading it reports the error
        return False


# -- reading ---------------------------------------------------------------------------------------

def read_corpus(corpus: Path, settings: Settings) -> Iterator[Record]:
    for path, source in find_files(corpus):
        for record in read_file(path, source, settings):
            yield _checked(record, settings)


def _checked(record: Record, settings: Settings) -> Record:
    """A record whose text is empty, or too long to process, becomes an error."""
    if record.error is not None:
        return record
    text = record.text or ""
    if not text.strip():
        what = {"html": "the page has no visible text (only markup or scripts?)",
                "markdown": "the document has no text besides its markup",
                "text": "the file is empty" if not text else "the file holds only white space"}
        record.error = f"no text: {what.get(record.format, f'its {settings.text_field!r} is empty')}"
    elif len(text) > settings.max_chars:
        record.error = (f"document too long: {len(text):,} characters, more than the limit of "
                        f"{settings.max_chars:,}; split it, or raise --max-chars")
    if record.error is not None:
        record.text = None
    return record


class Ingest(SourceStage):
    name = "ingest"
    version = "3"  # 3: the roles of HTML and Markdown lines, one line per table row
    Settings = Settings
    schema = SCHEMA
    exposes = {"source": "source", "record": "record", "format": "format", "text": "original_text"}

    @property
    def shard_size(self) -> int | None:
        return self.settings.shard_size

    def read(self, corpus: Path) -> Iterator[tuple[dict[str, Any], str | None]]:
        for record in read_corpus(corpus, self.settings):
            row = to_row(record) if record.error is None else {
                "doc_id": make_doc_id(record.source, record.record), "source": record.source, "record": record.record}
            yield row, record.error

    def corpus_digest(self, corpus: Path) -> str | None:
        """A hash of the name and bytes of every file of the corpus, with the stage's version and
        settings (hashing 100 MB takes a tenth of a second; reading and parsing it, much longer).
        None when a file cannot be read (reading it then reports it)."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(fingerprint(self.version, dataclasses.asdict(self.settings)).encode())
        try:
            for path, source in find_files(corpus):
                with open(path, "rb") as handle:
                    file_hash = hashlib.file_digest(handle, "blake2b").hexdigest()
                digest.update(f"{source}\t{file_hash}\n".encode("utf-8", "surrogateescape"))
        except (OSError, VnpipeError):
            return None
        return digest.hexdigest()
