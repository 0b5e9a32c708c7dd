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

from ..errors import StageNotRun
from ..runtime import parts
from ..stages.registry import STAGES
from .ranking import top_entities, top_keywords
from .results import entity_stage, read_errors, read_stage, read_warnings, require_run, warning_line


@dataclass
class RunSummary:
    run: str
    corpus: str | None = None
    documents: int = 0
    sources: int = 0
    errors: int = 0
    # stage, documents, errors, skipped (duplicates), restored (documents typed without diacritics)
    stages: list[dict[str, Any]] = field(default_factory=list)
    # dedup: duplicates, exact_duplicates, clusters (of 2 or more), largest_cluster, unique; None without dedup
    duplicates: dict[str, int] | None = None
    unique_only: bool = False  # entities and keywords counted over the kept document of each cluster only
    errors_by_reason: list[dict[str, Any]] = field(default_factory=list)  # stage, reason, documents
    warnings: list[dict[str, Any]] = field(default_factory=list)  # source, rule, characters: text kept, check it
    entities_by_label: list[dict[str, Any]] = field(default_factory=list)  # label, mentions, documents
    top_entities: list[dict[str, Any]] = field(default_factory=list)  # entity, label, mentions, documents
    top_keywords: list[dict[str, Any]] = field(default_factory=list)  # term, documents, score
    warned: int = 0  # documents with a warning (the first `top` are in `warnings`)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(run: str | Path, top: int = 10, unique_only: bool = False) -> RunSummary:
    """The numbers `vnpipe show` prints. Entities count by canonical name; entities and keywords
    rank as `ranking` says (documents, then mentions or summed score); with `unique_only`, over the
    kept document of each dedup cluster only."""
    run = require_run(run)
    summary = RunSummary(str(run), unique_only=unique_only)
    manifests = {stage: parts.read_manifest(run, stage) for stage in STAGES.names()}
    summary.stages = [{"stage": stage, "documents": m["documents_out"], "errors": m["errors"],
                       "skipped": m.get("skipped", 0), **({"restored": m["restored"]} if "restored" in m else {})}
                      for stage, m in manifests.items() if m]
    duplicates = STAGES.duplicates()
    if duplicates and manifests[duplicates[0]]:
        dedup = manifests[duplicates[0]]
        summary.duplicates = {key: dedup.get(key, 0) for key in ("duplicates", "exact_duplicates", "clusters",
                                                                 "largest_cluster")}
        summary.duplicates["unique"] = dedup["documents_out"] - summary.duplicates["duplicates"]
    elif unique_only:
        raise StageNotRun(str(run), duplicates[0] if duplicates else "dedup")
    source = STAGES.source.name
    if manifests[source]:
        summary.corpus = manifests[source].get("corpus")
        ingest = read_stage(run, source)
        summary.documents, summary.sources = len(ingest), ingest["source"].nunique()
    if (run / parts.ERRORS_DIR).is_dir():
        errors = read_errors(run)
        summary.errors = len(errors)
        by_reason = errors.groupby(["stage", "reason"]).size().rename("documents").reset_index()
        by_reason = by_reason.sort_values(["documents", "stage", "reason"], ascending=[False, True, True])
        summary.errors_by_reason = _records(by_reason.head(top))
    warned = read_warnings(run)
    summary.warnings = _records(warned[["source", "rule", "characters"]].head(top)) if len(warned) else []
    summary.warned = len(warned)
    entity_source = entity_stage(run)
    if entity_source:
        entities = read_stage(run, entity_source, shape="items", unique_only=unique_only)
        if not entities.empty:
            labels = entities.groupby("label").agg(mentions=("doc_id", "size"), documents=("doc_id", "nunique"))
            summary.entities_by_label = _records(labels.sort_values(["mentions"], ascending=False).reset_index())
            names = top_entities(entities, top)[["canonical", "label", "mentions", "documents"]]
            summary.top_entities = _records(names.rename(columns={"canonical": "entity"}))
    if manifests.get("keywords"):
        keywords = read_stage(run, "keywords", shape="items", unique_only=unique_only)
        if not keywords.empty:
            terms = top_keywords(keywords, top)[["term", "documents", "score"]]
            summary.top_keywords = _records(terms.round({"score": 2}))
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
        _labelled("stages", " · ".join(f"{s['stage']} {s['documents']}" + _stage_notes(s) for s in summary.stages)),
        *([Text("duplicates " + _duplicates_line(summary))] if summary.duplicates is not None else []),
        Text("entities  " + " · ".join(f"{row['label']} {row['mentions']}" for row in summary.entities_by_label)
             if summary.entities_by_label else "entities  none"),
    ]
    tops = Table.grid(padding=(0, 4))
    tops.add_row(_table("top entities", ["entity", "label", "mentions", "documents"], summary.top_entities),
                 _table("top keywords", ["term", "documents", "score"], summary.top_keywords))
    sections: list[Any] = [*lines, tops]
    if summary.errors_by_reason:
        sections.append(_table("errors", ["stage", "reason", "documents"], summary.errors_by_reason))
    if summary.warned:
        sections.append(_table(warning_line(summary.warned), ["source", "rule", "characters"], summary.warnings))
    return Group(*sections)


def _labelled(label: str, text: str) -> Table:
    """`label` then `text`, which wraps under itself, not under the label."""
    grid = Table.grid()
    grid.add_column(width=10)
    grid.add_column()
    grid.add_row(label, text)
    return grid


def _stage_notes(stage: dict[str, Any]) -> str:
    notes = [f"{stage['errors']} failed"] if stage["errors"] else []
    notes += [f"{stage['skipped']} duplicates skipped"] if stage.get("skipped") else []
    notes += [f"diacritics restored in {stage['restored']}"] if stage.get("restored") else []
    return f" ({', '.join(notes)})" if notes else ""


def _duplicates_line(summary: RunSummary) -> str:
    found = summary.duplicates or {}
    if not found.get("duplicates"):
        return "none"
    clusters = found["clusters"]
    line = (f"{found['duplicates']} of {found['duplicates'] + found['unique']} documents ({found['exact_duplicates']} "
            f"exact) in {clusters} cluster{'s' if clusters != 1 else ''}, largest {found['largest_cluster']}; "
            f"{found['unique']} unique")
    return line + (" · entities and keywords of unique documents only" if summary.unique_only else "")


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
