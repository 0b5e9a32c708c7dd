"""Ingest: read a folder of documents in many formats into rows of (doc_id, source, record, text).

Every input is accounted for: a file or record that cannot be read yields an error row naming the
file, the record and the reason, never a silent skip.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from .errors import CorpusNotFound, DocumentError

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

FORMATS = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl",
           ".json": "json", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}


@dataclass(frozen=True)
class Settings:
    text_field: str = "text"   # the field or column that holds the text in JSON, CSV and Parquet
    shard_size: int = 500      # documents per part file


@dataclass
class Record:
    """One document read from a file, or the reason it could not be read (`error`)."""

    source: str
    record: int | None
    text: str | None = None
    title: str | None = None
    source_id: str | None = None
    metadata: dict[str, Any] | None = None
    format: str = ""
    encoding: str = ""
    error: str | None = None


def make_doc_id(source: str, record: int | None) -> str:
    """Stable across runs: the same path (relative to the corpus) and record give the same id."""
    key = f"{source}\0{record if record is not None else ''}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def content_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


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
    (a loop) is not followed again.
    """
    if not corpus.exists():
        raise CorpusNotFound(str(corpus))
    if corpus.is_file():
        yield corpus, corpus.name
        return
    seen: set[tuple[int, int]] = set()
    yield from _walk(corpus, corpus, seen)


def _walk(folder: Path, root: Path, seen: set[tuple[int, int]]) -> Iterator[tuple[Path, str]]:
    try:
        info = folder.stat()
    except OSError:
        return
    if (info.st_dev, info.st_ino) in seen:
        return
    seen.add((info.st_dev, info.st_ino))
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        yield folder, f"{folder.relative_to(root).as_posix()}/"  # reported as unreadable below
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_dir():
            yield from _walk(path, root, seen)
        else:
            yield path, path.relative_to(root).as_posix()


# -- reading ---------------------------------------------------------------------------------------

def read_corpus(corpus: Path, settings: Settings) -> Iterator[Record]:
    for path, source in find_files(corpus):
        yield from read_file(path, source, settings)


def read_file(path: Path, source: str, settings: Settings) -> Iterator[Record]:
    kind = FORMATS.get(path.suffix.lower())
    if path.is_dir():
        yield Record(source, None, error="folder could not be listed (permission denied?)")
        return
    if kind is None:
        yield Record(source, None, error=f"unsupported file type {path.suffix or '(none)'}; "
                     f"vnpipe reads {', '.join(sorted(FORMATS))}")
        return
    try:
        data = path.read_bytes()
    except OSError as error:
        yield Record(source, None, format=kind, error=f"cannot read file: {error.strerror or error}")
        return
    try:
        yield from _READERS[kind](data, source, settings)
    except DocumentError as error:
        yield Record(source, None, format=kind, error=str(error))


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name of `data`: BOMs first, then UTF-8, then detection."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise DocumentError(f"file starts with a {encoding} byte-order mark but is not "
                                    f"valid {encoding}: {error.reason} at byte {error.start}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported here: only needed for non-UTF-8 files

    best = from_bytes(data).best()
    if best is None:
        raise DocumentError("not text: no encoding decodes it (binary file?)")
    text = str(best)
    if _looks_binary(text):
        raise DocumentError("not text: mostly control characters (binary file?)")
    return text, best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return not sample or controls / len(sample) > 0.05


def _decode_text(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("not text: contains NUL bytes (binary file, or UTF-16 without a byte-order mark)")
    return decode(data)


def _read_text(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    text, encoding = _decode_text(data)
    yield Record(source, 0, text=text, format="text", encoding=encoding)


def _read_html(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    from .html import extract  # selectolax: only loaded for corpora with HTML

    text, encoding = _decode_text(data)
    page = extract(text)
    yield Record(source, 0, text=page.text, title=page.title, format="html", encoding=encoding,
                 metadata={"date": page.date} if page.date else None)


def _split_record(obj: Any, text_field: str) -> tuple[str, str | None, str | None, dict[str, Any]]:
    if not isinstance(obj, dict):
        raise DocumentError(f"record is a JSON {type(obj).__name__}, not an object with a {text_field!r} field")
    if text_field not in obj:
        raise DocumentError(f"record has no {text_field!r} field (fields: {', '.join(map(str, obj)) or 'none'}); "
                            "choose the field with --text-field")
    text = obj[text_field]
    if not isinstance(text, str):
        raise DocumentError(f"field {text_field!r} is {type(text).__name__}, not text")
    source_id = obj.get("id")
    title = obj.get("title")
    metadata = {k: v for k, v in obj.items() if k not in (text_field, "id", "title")}
    return text, None if source_id is None else str(source_id), title if isinstance(title, str) else None, metadata


def _record_from_object(obj: Any, source: str, number: int, kind: str, encoding: str,
                        text_field: str) -> Record:
    try:
        text, source_id, title, metadata = _split_record(obj, text_field)
    except DocumentError as error:
        return Record(source, number, format=kind, encoding=encoding, error=str(error))
    return Record(source, number, text=text, title=title, source_id=source_id, metadata=metadata,
                  format=kind, encoding=encoding)


def _read_jsonl(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    text, encoding = _decode_text(data)
    for number, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            yield Record(source, number, format="jsonl", encoding=encoding,
                         error=f"line {number + 1} is not valid JSON: {error.msg} at column {error.colno}")
            continue
        yield _record_from_object(obj, source, number, "jsonl", encoding, settings.text_field)


def _read_json(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    text, encoding = _decode_text(data)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError(f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    records = obj if isinstance(obj, list) else [obj]
    for number, item in enumerate(records):
        yield _record_from_object(item, source, number, "json", encoding, settings.text_field)


def _read_delimited(data: bytes, source: str, settings: Settings, kind: str) -> Iterator[Record]:
    text, encoding = _decode_text(data)
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if kind == "tsv" else ",")
    if reader.fieldnames is None or settings.text_field not in reader.fieldnames:
        columns = ", ".join(reader.fieldnames or []) or "none"
        raise DocumentError(f"no {settings.text_field!r} column (columns: {columns}); choose it with --text-field")
    for number, row in enumerate(reader):
        yield _record_from_object(row, source, number, kind, encoding, settings.text_field)


def _read_csv(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    yield from _read_delimited(data, source, settings, "csv")


def _read_tsv(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    yield from _read_delimited(data, source, settings, "tsv")


def _read_parquet(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as error:
        raise DocumentError(f"not a readable Parquet file: {error}") from None
    if settings.text_field not in table.column_names:
        raise DocumentError(f"no {settings.text_field!r} column (columns: {', '.join(table.column_names)}); "
                            "choose it with --text-field")
    for number, row in enumerate(table.to_pylist()):
        yield _record_from_object(row, source, number, "parquet", "", settings.text_field)


_READERS = {"text": _read_text, "html": _read_html, "jsonl": _read_jsonl, "json": _read_json,
            "csv": _read_csv, "tsv": _read_tsv, "parquet": _read_parquet}
