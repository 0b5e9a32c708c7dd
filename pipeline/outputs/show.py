"""A run at a glance: documents, errors, entities by label, the top entities and keywords.
`summarize` gathers the numbers (plain data, JSON-able); `render` lays them out as rich tables."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..runtime import parts
from .results import read_errors, read_stage, require_run


@dataclass
class RunSummary:
    run: str
    corpus: str | None = None
    documents: int = 0
    sources: int = 0
    errors: int = 0
    stages: list[dict[str, Any]] = field(default_factory=list)  # stage, documents, errors
    errors_by_reason: list[dict[str, Any]] = field(default_factory=list)  # stage, reason, documents
    entities_by_label: list[dict[str, Any]] = field(default_factory=list)  # label, mentions, documents
    top_entities: list[dict[str, Any]] = field(default_factory=list)  # entity, label, mentions, documents
    top_keywords: list[dict[str, Any]] = field(default_factory=list)  # term, documents, score

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(run: str | Path, top: int = 10) -> RunSummary:
    """The numbers `vnpipe show` prints. Entities count by canonical name; keywords rank by the
    number of documents they are a keyword of, then by their summed score."""
    run = require_run(run)
    summary = RunSummary(str(run))
    manifests = {stage: parts.read_manifest(run, stage) for stage in ("ingest", "normalize", "segment", "ner", "keywords")}
    summary.stages = [{"stage": stage, "documents": m["documents_out"], "errors": m["errors"]}
                      for stage, m in manifests.items() if m]
    if manifests["ingest"]:
        summary.corpus = manifests["ingest"].get("corpus")
        ingest = read_stage(run, "ingest")
        summary.documents, summary.sources = len(ingest), ingest["source"].nunique()
    if (run / parts.ERRORS_DIR).is_dir():
        errors = read_errors(run)
        summary.errors = len(errors)
        by_reason = errors.groupby(["stage", "reason"]).size().rename("documents").reset_index()
        by_reason = by_reason.sort_values(["documents", "stage", "reason"], ascending=[False, True, True])
        summary.errors_by_reason = _records(by_reason.head(top))
    if manifests["ner"]:
        entities = read_stage(run, "ner", shape="items")
        if not entities.empty:
            labels = entities.groupby("label").agg(mentions=("doc_id", "size"), documents=("doc_id", "nunique"))
            summary.entities_by_label = _records(labels.sort_values(["mentions"], ascending=False).reset_index())
            names = entities.groupby(["canonical", "label"]).agg(mentions=("doc_id", "size"),
                                                                 documents=("doc_id", "nunique")).reset_index()
            names = names.sort_values(["mentions", "documents", "canonical"], ascending=[False, False, True])
            summary.top_entities = _records(names.head(top).rename(columns={"canonical": "entity"}))
    if manifests["keywords"]:
        keywords = read_stage(run, "keywords", shape="items")
        if not keywords.empty:
            terms = keywords.groupby("term").agg(documents=("doc_id", "nunique"), score=("score", "sum")).reset_index()
            terms = terms.sort_values(["documents", "score", "term"], ascending=[False, False, True])
            summary.top_keywords = _records(terms.head(top).round({"score": 2}))
    return summary


def _records(frame) -> list[dict[str, Any]]:
    return [{key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
            for row in frame.to_dict("records")]


def render(summary: RunSummary) -> Group:
    """The summary for a terminal: three lines of counts, then the top entities and keywords side by
    side, then the commonest errors when there are any."""
    lines = [
        Text.assemble((summary.run, "bold"), f": {summary.documents} documents from {summary.sources} files",
                      f" of {summary.corpus}" if summary.corpus else "", ", ",
                      (f"{summary.errors} errors", "red" if summary.errors else "green"),
                      no_wrap=True, overflow="ignore"),
        Text("stages    " + " · ".join(f"{s['stage']} {s['documents']}" + (f" ({s['errors']} failed)" if s["errors"] else "")
                                    for s in summary.stages)),
        Text("entities  " + " · ".join(f"{row['label']} {row['mentions']}" for row in summary.entities_by_label)
             if summary.entities_by_label else "entities  none"),
    ]
    tops = Table.grid(padding=(0, 4))
    tops.add_row(_table("top entities", ["entity", "label", "mentions", "documents"], summary.top_entities),
                 _table("top keywords", ["term", "documents", "score"], summary.top_keywords))
    sections: list[Any] = [*lines, tops]
    if summary.errors_by_reason:
        sections.append(_table("errors", ["stage", "reason", "documents"], summary.errors_by_reason))
    return Group(*sections)


def _table(title: str, columns: list[str], rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False, show_edge=False)
    for column in columns:
        numeric = isinstance(rows[0][column], (int, float)) if rows else False
        table.add_column(HEADERS.get(column, column), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(str(row[column]) for column in columns))
    return table


HEADERS = {"documents": "docs", "mentions": "n"}
