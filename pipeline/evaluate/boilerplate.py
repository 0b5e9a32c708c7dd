"""Scoring boilerplate removal against a gold file of lines labelled `article` or `boilerplate`:
the share of article characters the normalize stage keeps and of boilerplate characters it removes.

Each gold document is read as ingest reads it and normalized with the given settings; the
characters of a line that the normalize row's `removed` audit covers count as removed (a credit
goes to `credits`, not `removed`: it is kept, as metadata).
"""
from __future__ import annotations

import json

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..stages import ingest
from ..stages.normalize import Normalize, split_lines

ARTICLE, BOILERPLATE = "article", "boilerplate"


def read_gold(path: Path) -> dict[tuple[str, int], dict[int, tuple[str, str]]]:
    """(document, record) -> line number -> (label, text), from a TSV with `#` comment lines."""
    gold: dict[tuple[str, int], dict[int, tuple[str, str]]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t",
                              quoting=csv.QUOTE_NONE)
        for number, row in enumerate(rows, start=2):
            if row["label"] not in (ARTICLE, BOILERPLATE):
                raise ValueError(f"{path}: row {number}: label {row['label']!r} is neither "
                                 f"{ARTICLE!r} nor {BOILERPLATE!r}")
            gold[(row["document"], int(row["record"]))][int(row["line"])] = (row["label"], row["text"])
    return gold


def evaluate(gold_path: Path, base: Path = Path("."), settings: Normalize.Settings | None = None) -> dict[str, Any]:
    """Per-document and overall % of article characters kept and % of boilerplate characters
    removed. Document paths in the gold file are relative to `base` (the repository root)."""
    stage = Normalize(settings or Normalize.Settings())
    gold = read_gold(gold_path)
    documents = []
    for document in sorted({doc for doc, _ in gold}):
        path = base / document
        if not path.is_file():
            raise ValueError(f"gold document not found: {path} (run from the repository root or pass --base)")
        for record in ingest.read_file(path, path.name, ingest.Settings()):
            if (document, record.record) in gold:
                documents.append(_score_document(stage, document, record, gold[(document, record.record)]))
    return {"gold": str(gold_path), "documents": documents, "overall": _percentages(documents)}


def _score_document(stage: Normalize, document: str, record: ingest.Record,
                    labels: dict[int, tuple[str, str]]) -> dict[str, Any]:
    if record.error:
        raise ValueError(f"{document}: cannot read record {record.record}: {record.error}")
    metadata = json.dumps(record.metadata or {})
    row = stage.process({"doc_id": document, "text": record.text, "title": record.title, "metadata": metadata})
    removed = sorted((span["start"], span["end"]) for span in row["removed"])
    counts = {"article_chars": 0, "article_kept": 0, "boilerplate_chars": 0, "boilerplate_removed": 0}
    missed = []
    for line in split_lines(record.text or ""):
        text = line.text
        if line.number not in labels or labels[line.number][1] != text:
            raise ValueError(f"{document} record {record.record} line {line.number}: the gold does not "
                             f"match the document ({text[:60]!r}); relabel it")
        label = labels[line.number][0]
        covered = sum(max(0, min(end, line.end) - max(start, line.start)) for start, end in removed)
        size = len(text)
        cut = round(size * min(1.0, covered / max(line.end - line.start, 1)))
        was_removed = 2 * cut > size
        if label == ARTICLE:
            counts["article_chars"] += size
            counts["article_kept"] += size - cut
        else:
            counts["boilerplate_chars"] += size
            counts["boilerplate_removed"] += cut
        if was_removed != (label == BOILERPLATE):
            missed.append({"line": line.number, "label": label, "text": text[:80]})
    return {"document": document, "record": record.record, **counts, **_percent(counts), "errors": missed}


def _percentages(documents: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("article_chars", "article_kept", "boilerplate_chars", "boilerplate_removed")
    counts = {key: sum(doc[key] for doc in documents) for key in keys}
    return {**counts, **_percent(counts)}


def _percent(counts: dict[str, int]) -> dict[str, float | None]:
    def share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 2) if whole else None
    return {"article_kept_pct": share(counts["article_kept"], counts["article_chars"]),
            "boilerplate_removed_pct": share(counts["boilerplate_removed"], counts["boilerplate_chars"])}
