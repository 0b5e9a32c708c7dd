"""The file formats ingest reads: plain text, Markdown, HTML, JSON, JSON Lines, CSV, TSV and Parquet,
and the decoding of their bytes (BOMs, UTF-8, UTF-16, the Vietnamese legacy encodings, detection).
Each reader yields `Record`s: a document, or the reason one could not be read."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ...errors import DocumentError
from ...text.legacy import detect_legacy, with_mojibake_repaired

if TYPE_CHECKING:
    from . import Settings

FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
           ".jsonl": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}

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
        if kind in _STREAMED:  # dumps can be larger than memory: read record by record
            yield from _STREAMED[kind](path, source, settings)
        else:
            yield from _READERS[kind](path.read_bytes(), source, settings)
    except OSError as error:
        yield Record(source, None, format=kind, error=f"cannot read file: {error.strerror or error}")
    except DocumentError as error:
        yield Record(source, None, format=kind, error=str(error))


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name of `data`: BOMs first, then UTF-8, then the Vietnamese legacy
    encodings (TCVN3, VNI-Windows, VISCII, Windows-1258), then detection.

    UTF-8 text that is legacy Vietnamese already read as Windows-1252 (`Hµ Néi`) is converted
    too, and its encoding is given as e.g. `utf-8 (tcvn3)`.
    """
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as error:
                raise DocumentError(f"file starts with a {encoding} byte-order mark but is not "
                                    f"valid {encoding}: {error.reason} at byte {error.start}") from None
            return with_mojibake_repaired(text, encoding)
    try:
        return with_mojibake_repaired(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    legacy = detect_legacy(data)
    if legacy is not None:
        return legacy
    from charset_normalizer import from_bytes  # imported here: only needed for non-UTF-8 files

    best = from_bytes(data).best()
    if best is None:
        raise DocumentError("not text: no encoding decodes it (binary file?)")
    text = str(best)
    if _looks_binary(text):
        raise DocumentError("not text: mostly control characters (binary file?)")
    return text, best.encoding


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few broken bytes (a truncated copy, one stray byte) is UTF-8: the broken bytes
    become U+FFFD and the encoding says how many, rather than the whole file being guessed as
    some other encoding and turned into mojibake."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    if broken > max(3, len(data) // 1000):
        return None
    return text, f"utf-8 ({broken} invalid byte{'s' if broken > 1 else ''} replaced)"


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark shows itself by NUL bytes on one side of each pair
    (the high byte of ASCII letters, spaces and many Vietnamese letters)."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if not odd or len(data) % 2:
        return None
    for encoding, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) >= 0.4 * len(high) and low.count(0) <= 0.05 * len(low):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return None if _looks_binary(text) else (text, encoding)
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return not sample or controls / len(sample) > 0.05


def _decode_text(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        raise DocumentError("not text: contains NUL bytes (binary file, or UTF-16 without a byte-order mark)")
    return decode(data)


def _read_text(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    text, encoding = _decode_text(data)
    yield Record(source, 0, text=text, format="text", encoding=encoding)


def _read_html(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    from ...text.html import extract  # selectolax: only loaded for corpora with HTML

    text, encoding = _decode_text(data)
    yield _page_record(extract(text), source, "html", encoding)


def _read_markdown(data: bytes, source: str, settings: Settings) -> Iterator[Record]:
    from ...text.markdown import extract  # markdown-it-py: only loaded for corpora with Markdown

    text, encoding = _decode_text(data)
    yield _page_record(extract(text), source, "markdown", encoding)


def _page_record(page: Any, source: str, kind: str, encoding: str) -> Record:
    """A record of an extracted page; its link spans and the roles of its lines (`blocks`) travel in
    the metadata for normalize, beside what the page says of itself (front matter, byline)."""
    metadata = {**page.metadata, **({"date": page.date} if page.date else {}),
                **({"links": page.links} if page.links else {}), **({"blocks": page.blocks} if page.blocks else {})}
    return Record(source, 0, text=page.text, title=page.title, format=kind, encoding=encoding,
                  metadata=metadata or None)


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


def _read_jsonl(path: Path, source: str, settings: Settings) -> Iterator[Record]:
    """One record a line, streamed. JSON Lines are UTF-8; a line that is not is decoded on its own
    (legacy encodings, detection), and legacy text inside a record's text is repaired."""
    with open(path, "rb") as lines:
        head = lines.read(4096)
        if b"\x00" in head:  # UTF-16 (rare for JSONL), or not text at all: read whole
            yield from _read_jsonl_text(*_decode_text(head + lines.read()), source, settings)
            return
        lines.seek(3 if head.startswith(b"\xef\xbb\xbf") else 0)
        for number, raw in enumerate(lines):
            try:
                line, encoding = raw.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                line, encoding = decode(raw)
            yield from _read_jsonl_text(line, encoding, source, settings, first=number)


def _read_jsonl_text(text: str, encoding: str, source: str, settings: Settings,
                     first: int = 0) -> Iterator[Record]:
    # Only "\n" ends a JSON line: U+2028 and other line separators may sit inside strings.
    for number, line in enumerate(text.split("\n"), first):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            yield Record(source, number, format="jsonl", encoding=encoding,
                         error=f"line {number + 1} is not valid JSON: {_json_problem(error)}")
            continue
        record = _record_from_object(obj, source, number, "jsonl", encoding, settings.text_field)
        if record.text:
            record.text, record.encoding = with_mojibake_repaired(record.text, encoding)
        yield record


def _json_problem(error: json.JSONDecodeError) -> str:
    # json's messages read "Expecting value" or "Unterminated string starting at".
    return f"{error.msg} column {error.colno}" if error.msg.endswith(" at") else f"{error.msg} at column {error.colno}"


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


def _read_parquet(path: Path, source: str, settings: Settings) -> Iterator[Record]:
    """One record a row, streamed a batch at a time."""
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        columns = table.schema_arrow.names
    except (pa.ArrowInvalid, pa.ArrowException) as error:
        raise DocumentError(f"not a readable Parquet file: {error}") from None
    if settings.text_field not in columns:
        raise DocumentError(f"no {settings.text_field!r} column (columns: {', '.join(columns)}); "
                            "choose it with --text-field")
    number = 0
    for batch in table.iter_batches(batch_size=1000):
        for row in batch.to_pylist():
            yield _record_from_object(row, source, number, "parquet", "", settings.text_field)
            number += 1


_READERS = {"text": _read_text, "markdown": _read_markdown, "html": _read_html, "json": _read_json,
            "csv": _read_csv, "tsv": _read_tsv}
_STREAMED = {"jsonl": _read_jsonl, "parquet": _read_parquet}
