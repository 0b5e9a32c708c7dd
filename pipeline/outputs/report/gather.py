"""The numbers of `vnpipe report`: `gather` reads only the columns it needs and aggregates them
(pyarrow, pandas), so the page's size depends on `top`, not on the corpus."""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...runtime import parts
from ...stages.registry import STAGES
from ..ranking import top_entities, top_keywords
from ..results import entity_stage, read_table, read_warnings, require_run
from ..summary import ALL_DOCUMENTS, SOURCE_FOLDER, document_groups, source_folders

LABELS = ["PER", "ORG", "LOC", "MISC"]
LABEL_NAMES = {"PER": "people", "ORG": "organisations", "LOC": "places", "MISC": "other names"}
# displaCy's colours for the same kinds of names, so the highlighting looks familiar.
LABEL_COLOURS = {"PER": "#aa9cfc", "ORG": "#7aecec", "LOC": "#feca74", "MISC": "#e4e7d2"}
MAX_GROUPS = 30  # groups listed one by one; the rest are summed as "others"
CLOSE_UP_DOCUMENTS = 6
CLOSE_UP_CHARS = 2500  # of each document's text, so that 30,000 documents make no bigger a page than 8


@dataclass
class Report:
    """The numbers of the page: small frames and dicts, whatever the size of the run."""
    run: str
    by: str
    corpus: str | None = None
    created: str | None = None
    vnpipe: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)  # read, analysed, errors, duplicates, ...
    stages: list[dict[str, Any]] = field(default_factory=list)  # stage, version, documents, errors, seconds, ...
    errors: pd.DataFrame | None = None  # stage, reason, documents, example
    languages: dict[str, int] = field(default_factory=dict)
    clusters: pd.DataFrame | None = None  # the largest duplicate clusters: size, exact, similarity, title, source
    boilerplate: dict[str, Any] = field(default_factory=dict)  # removed, characters, share, by reason
    warnings: pd.DataFrame | None = None  # documents kept whole that the rules would have halved: source, rule, characters
    removed_lines: pd.DataFrame | None = None  # reason, text, documents
    groups: pd.DataFrame | None = None  # group, documents, duplicates, errors, boilerplate, entities, keywords
    labels: pd.DataFrame | None = None  # label, mentions, documents
    top_entities: dict[str, pd.DataFrame] = field(default_factory=dict)  # label -> canonical, documents, mentions, aliases
    pairs: pd.DataFrame | None = None  # a, a_label, b, b_label, documents
    dated: int = 0  # documents with a date
    period: str | None = None  # day, week or month, chosen from the span of the dates
    timeline: pd.DataFrame | None = None  # period, documents
    trend: pd.DataFrame | None = None  # period, name, documents (of the top names)
    keywords: pd.DataFrame | None = None  # term, documents, score
    keywords_by_group: pd.DataFrame | None = None  # group, rank, term, documents
    rising: pd.DataFrame | None = None  # term, latest, earlier, latest_share, earlier_share
    latest_period: str | None = None
    tags: pd.DataFrame | None = None  # tag, documents, evidence
    documents: list[dict[str, Any]] = field(default_factory=list)  # title, source, url, date, group, text, entities, keywords, tags
    seconds: float = 0.0


def gather(run: str | Path, by: str = SOURCE_FOLDER, top: int = 10) -> Report:
    """Every number the page shows. Entities count by canonical name, keywords by the documents
    they are a keyword of (then by summed score), as `vnpipe show` and `vnpipe summary` do."""
    started = time.perf_counter()
    run = require_run(run)
    marker = json.loads((run / parts.RUN_MARKER).read_text(encoding="utf-8"))
    report = Report(str(run), by, created=marker.get("created"), vnpipe=marker.get("vnpipe"))
    manifests = {stage: parts.read_manifest(run, stage) for stage in STAGES.names()}
    report.stages = [_stage_row(stage, manifest) for stage, manifest in manifests.items() if manifest]
    if manifests["ingest"] is None:
        report.seconds = time.perf_counter() - started
        return report
    report.corpus = manifests["ingest"].get("corpus")

    groups = document_groups(run, by)  # doc_id -> group
    ingest = read_table(run, "ingest", ["doc_id"]).column("doc_id").to_pylist()
    order = pd.Series(range(len(ingest)), index=ingest)  # corpus order
    errors = _errors(run)
    last = next((stage for stage in reversed(list(manifests)) if manifests[stage]), "ingest")
    report.counts = {"read": len(ingest), "errors": len(errors), "analysed": manifests[last]["documents_out"],
                     "last_stage": last, "groups": groups.nunique()}
    if not errors.empty:
        report.errors = (errors.groupby(["stage", "reason"], as_index=False)
                         .agg(documents=("source", "size"), example=("source", "first"))
                         .sort_values(["documents", "stage", "reason"], ascending=[False, True, True])
                         .head(top * 2))

    normalize = dates = None
    if manifests.get("normalize"):
        normalize = read_table(run, "normalize", ["doc_id", "title", "date", "language"]).to_pandas().set_index("doc_id")
        report.languages = normalize["language"].value_counts().to_dict()
        dates = pd.to_datetime(normalize["date"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce").dropna()
        report.dated = len(dates)
        _boilerplate(report, run, groups, top)
        report.warnings = read_warnings(run)
        report.counts["restored"] = manifests["normalize"].get("restored", 0)

    duplicates = pd.Series(dtype=bool)
    if manifests.get("dedup"):
        dedup = read_table(run, "dedup", ["doc_id", "cluster", "duplicate_of", "similarity", "exact"]).to_pandas()
        duplicates = dedup.set_index("doc_id")["duplicate_of"].notna()
        report.counts["duplicates"] = int(duplicates.sum())
        report.counts["exact_duplicates"] = int(dedup["exact"].fillna(False).astype(bool).sum())
        report.clusters = _clusters(dedup, normalize, run, top)
        report.counts["clusters"] = int((dedup["cluster"].value_counts() > 1).sum())

    entities = None
    entity_source = entity_stage(run)
    if entity_source:
        entities = _items(read_table(run, entity_source, ["doc_id", "entities"]), "entities",
                          ["text", "label", "canonical", "start", "end"])
        _entities(report, entities, dates, top)
    keywords = None
    if manifests.get("keywords"):
        table = read_table(run, "keywords")
        keywords = _items(table, "keywords", ["term", "score"])
        _keywords(report, keywords, groups, dates, top)
        if "tags" in table.column_names:
            tags = _items(table.select(["doc_id", "tags"]), "tags", ["tag", "evidence"])
            if not tags.empty:
                tags["evidence"] = tags["evidence"].map(len)
                report.tags = (tags.groupby("tag", as_index=False)
                               .agg(documents=("doc_id", "nunique"), evidence=("evidence", "sum"))
                               .sort_values(["documents", "tag"], ascending=[False, True]))
    report.groups = _groups(groups, duplicates, errors, report, entities, keywords, by)
    report.documents = _close_ups(run, groups, duplicates, order, normalize, entities, keywords)
    report.seconds = time.perf_counter() - started
    return report


def _stage_row(stage: str, manifest: dict[str, Any]) -> dict[str, Any]:
    return {"stage": stage, "version": manifest.get("version"), "documents": manifest.get("documents_out"),
            "errors": manifest.get("errors"), "skipped": manifest.get("skipped", 0),
            "seconds": manifest.get("seconds"), "model": manifest.get("model_checksum"),
            "finished": manifest.get("finished"), "settings": manifest.get("settings", {})}


def _errors(run: Path) -> pd.DataFrame:
    folder = run / parts.ERRORS_DIR
    if not folder.is_dir() or not any(folder.glob("*.parquet")):
        return pd.DataFrame(columns=["source", "record", "doc_id", "stage", "reason"])
    return pd.read_parquet(folder, columns=["source", "record", "doc_id", "stage", "reason"])


def _items(table: pa.Table, column: str, fields: list[str]) -> pd.DataFrame:
    """One row per element of a list-of-structs column, in Arrow (a million entities in well
    under a second, where exploding Python objects would take many)."""
    lists = table.column(column).combine_chunks()
    if len(lists) == 0:
        return pd.DataFrame(columns=["doc_id", *fields])
    flat = pc.list_flatten(lists)
    data = {"doc_id": pc.take(table.column("doc_id"), pc.list_parent_indices(lists))}
    data.update({name: flat.field(name) for name in fields})
    return pa.table(data).to_pandas()


def _boilerplate(report: Report, run: Path, groups: pd.Series, top: int) -> None:
    lengths = read_table(run, "ingest", ["doc_id", "text"])
    lengths = pd.Series(pc.utf8_length(lengths.column("text")).to_numpy(zero_copy_only=False),
                        index=lengths.column("doc_id").to_pylist())
    removed = _items(read_table(run, "normalize", ["doc_id", "removed"]), "removed", ["start", "end", "reason", "text"])
    removed["characters"] = removed["end"] - removed["start"]
    total, cut = int(lengths.sum()), int(removed["characters"].sum())
    by_reason = removed.groupby("reason")["characters"].sum().sort_values(ascending=False)
    report.boilerplate = {"characters": total, "removed": cut, "share": cut / total if total else 0.0,
                          "documents": int(removed["doc_id"].nunique()), "by_reason": by_reason.to_dict(),
                          "by_group": (removed.groupby(removed["doc_id"].map(groups))["characters"].sum()
                                       / lengths.groupby(lengths.index.map(groups)).sum()).fillna(0).to_dict()}
    removed["line"] = removed["text"].str.strip().str.slice(0, 120)
    report.removed_lines = (removed.groupby(["line"], as_index=False)
                            .agg(reason=("reason", "first"), documents=("doc_id", "nunique"))
                            .sort_values(["documents", "line"], ascending=[False, True]).head(top))


def _clusters(dedup: pd.DataFrame, normalize: pd.DataFrame | None, run: Path, top: int) -> pd.DataFrame:
    copies = dedup[dedup["duplicate_of"].notna()]
    if copies.empty:
        return copies.iloc[:0]
    clusters = (copies.groupby("cluster", as_index=False)
                .agg(copies=("doc_id", "size"), exact=("exact", "sum"), similarity=("similarity", "min")))
    clusters["size"] = clusters["copies"] + 1
    clusters = clusters.sort_values(["size", "cluster"], ascending=[False, True]).head(top)
    titles = normalize["title"] if normalize is not None else pd.Series(dtype=str)
    sources = read_table(run, "ingest", ["doc_id", "source"], [("doc_id", "in", list(clusters["cluster"]))])
    sources = pd.Series(sources.column("source").to_pylist(), index=sources.column("doc_id").to_pylist())
    clusters["title"] = clusters["cluster"].map(titles).map(_text)
    clusters["source"] = clusters["cluster"].map(sources)
    return clusters.reset_index(drop=True)


def _entities(report: Report, entities: pd.DataFrame, dates: pd.Series | None, top: int) -> None:
    if entities.empty:
        return
    report.labels = (entities.groupby("label", as_index=False)
                     .agg(mentions=("doc_id", "size"), documents=("doc_id", "nunique"))
                     .sort_values(["mentions", "label"], ascending=[False, True]))
    names = top_entities(entities)[["label", "canonical", "documents", "mentions"]]
    variants = (entities[entities["text"] != entities["canonical"]]
                .groupby(["label", "canonical", "text"]).size().rename("n").reset_index()
                .sort_values(["n", "text"], ascending=[False, True]))
    for label in [*LABELS, *sorted(set(names["label"]) - set(LABELS))]:
        best = names[names["label"] == label].head(top).copy()
        if best.empty:
            continue
        aliases = variants[(variants["label"] == label) & variants["canonical"].isin(best["canonical"])]
        aliases = aliases.groupby("canonical")["text"].agg(lambda texts: list(texts)[:5])
        best["aliases"] = best["canonical"].map(aliases).map(lambda value: value if isinstance(value, list) else [])
        report.top_entities[label] = best.reset_index(drop=True)
    report.pairs = _pairs(entities, names, top)
    if dates is not None and dates.nunique() > 1:
        _timeline(report, entities, names, dates)


def _pairs(entities: pd.DataFrame, names: pd.DataFrame, top: int, candidates: int = 200) -> pd.DataFrame:
    """The pairs of names found in the most documents together, among the `candidates` names in the
    most documents: a sparse documents × names matrix times its transpose."""
    from scipy import sparse

    best = names.head(candidates).reset_index(drop=True)
    key = best["label"] + "\t" + best["canonical"]
    column = pd.Series(range(len(best)), index=key)
    found = entities.assign(key=entities["label"] + "\t" + entities["canonical"])
    found = found[found["key"].isin(column.index)].drop_duplicates(["doc_id", "key"])
    if found.empty:
        return pd.DataFrame(columns=["a", "a_label", "b", "b_label", "documents"])
    rows = found["doc_id"].astype("category").cat.codes.to_numpy()
    matrix = sparse.csr_matrix((np.ones(len(found), dtype=np.int32), (rows, column[found["key"]].to_numpy())),
                               shape=(rows.max() + 1, len(best)))
    together = sparse.triu(matrix.T @ matrix, k=1).tocoo()
    pairs = pd.DataFrame({"i": together.row, "j": together.col, "documents": together.data})
    pairs = pairs[pairs["documents"] > 1]
    pairs = pairs.sort_values(["documents", "i", "j"], ascending=[False, True, True]).head(top)
    return pd.DataFrame({"a": best["canonical"][pairs["i"]].to_numpy(), "a_label": best["label"][pairs["i"]].to_numpy(),
                         "b": best["canonical"][pairs["j"]].to_numpy(), "b_label": best["label"][pairs["j"]].to_numpy(),
                         "documents": pairs["documents"].to_numpy()})


def _period(dates: pd.Series) -> str:
    span = (dates.max() - dates.min()).days
    return "day" if span <= 45 else "week" if span <= 366 else "month"


def _period_of(dates: pd.Series, period: str) -> pd.Series:
    starts = dates.dt.to_period({"day": "D", "week": "W", "month": "M"}[period]).dt.start_time
    return starts.dt.strftime("%Y-%m" if period == "month" else "%Y-%m-%d")


def _timeline(report: Report, entities: pd.DataFrame, names: pd.DataFrame, dates: pd.Series, series: int = 6) -> None:
    report.period = _period(dates)
    periods = _period_of(dates, report.period)
    report.timeline = periods.value_counts().sort_index().rename_axis("period").rename("documents").reset_index()
    dated = entities[entities["doc_id"].isin(periods.index)].drop_duplicates(["doc_id", "label", "canonical"])
    leaders = (dated.groupby("canonical")["doc_id"].nunique().sort_values(ascending=False, kind="stable")
               .head(series).index)
    dated = dated[dated["canonical"].isin(leaders)]
    trend = (dated.assign(period=dated["doc_id"].map(periods))
             .groupby(["period", "canonical"])["doc_id"].nunique().rename("documents").reset_index())
    report.trend = trend.rename(columns={"canonical": "name"})


def _keywords(report: Report, keywords: pd.DataFrame, groups: pd.Series, dates: pd.Series | None, top: int) -> None:
    if keywords.empty:
        return
    report.keywords = top_keywords(keywords, top * 2)[["term", "documents", "score"]]
    grouped = keywords.assign(group=keywords["doc_id"].map(groups))
    report.keywords_by_group = top_keywords(grouped, top, per="group")
    if dates is not None and dates.nunique() > 1:
        report.latest_period, report.rising = _rising(keywords, _period_of(dates, _period(dates)), top)


def _rising(keywords: pd.DataFrame, periods: pd.Series, top: int) -> tuple[str, pd.DataFrame]:
    """Keywords of more documents, as a share, in the latest period than in the earlier ones
    (shares smoothed by half a document, so that one new document does not make a trend)."""
    latest = periods.max()
    in_latest = periods[periods == latest].index
    earlier = periods[periods != latest].index
    dated = keywords[keywords["doc_id"].isin(periods.index)].drop_duplicates(["doc_id", "term"])
    counts = pd.DataFrame({
        "latest": dated[dated["doc_id"].isin(in_latest)].groupby("term").size(),
        "earlier": dated[dated["doc_id"].isin(earlier)].groupby("term").size()}).fillna(0).astype(int)
    counts["latest_share"] = counts["latest"] / len(in_latest)
    counts["earlier_share"] = counts["earlier"] / max(len(earlier), 1)
    rise = ((counts["latest"] + 0.5) / (len(in_latest) + 1)) / ((counts["earlier"] + 0.5) / (len(earlier) + 1))
    counts = counts.assign(rise=rise)[(counts["latest"] >= 2) & (rise > 1)]
    counts = counts.rename_axis("term").reset_index()
    return latest, counts.sort_values(["rise", "latest", "term"], ascending=[False, False, True]).head(top)


def _groups(groups: pd.Series, duplicates: pd.Series, errors: pd.DataFrame, report: Report,
            entities: pd.DataFrame | None, keywords: pd.DataFrame | None, by: str) -> pd.DataFrame:
    error_groups = errors["doc_id"].map(groups)
    if by == SOURCE_FOLDER:  # a file that could not be read has no doc_id, but it has a folder
        flat = (groups == ALL_DOCUMENTS).all()
        error_groups = error_groups.fillna(source_folders(errors["source"], flat))
    counts = {"documents": groups.value_counts(), "duplicates": duplicates[duplicates].index.map(groups).value_counts(),
              "errors": error_groups.value_counts()}
    if entities is not None:
        counts["entities"] = entities["doc_id"].map(groups).value_counts()
    frame = pd.DataFrame(counts).fillna(0).astype(int)  # every group with a document or an error
    if report.boilerplate:
        frame["boilerplate"] = pd.Series(report.boilerplate["by_group"], dtype=float)
    if keywords is not None and report.keywords_by_group is not None:
        best = report.keywords_by_group[report.keywords_by_group["rank"] <= 5]
        frame["keywords"] = best.groupby("group")["term"].agg(list)
    frame = frame.rename_axis("group").reset_index()
    return frame.sort_values(["documents", "group"], ascending=[False, True]).reset_index(drop=True)


def _close_ups(run: Path, groups: pd.Series, duplicates: pd.Series, order: pd.Series,
               normalize: pd.DataFrame | None, entities: pd.DataFrame | None,
               keywords: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A few documents, one from each of the largest groups in turn: in each, the kept (not
    duplicate) document naming the most different entities."""
    if normalize is None:
        return []
    candidates = normalize.index[~normalize.index.isin(duplicates[duplicates].index)]
    if candidates.empty:
        return []
    richness = pd.Series(0, index=candidates)
    if entities is not None and not entities.empty:
        richness = richness.add(entities.drop_duplicates(["doc_id", "canonical"]).groupby("doc_id").size(),
                                fill_value=0).reindex(candidates)
    ranked = pd.DataFrame({"richness": richness, "order": order.reindex(candidates), "group": groups.reindex(candidates)})
    ranked = ranked.sort_values(["richness", "order"], ascending=[False, True])
    ranked["turn"] = ranked.groupby("group").cumcount()
    size = groups.value_counts()
    ranked["size"] = -ranked["group"].map(size)
    chosen = ranked.sort_values(["turn", "size", "group"]).head(CLOSE_UP_DOCUMENTS).index.tolist()
    if not chosen:
        return []
    texts = read_table(run, "normalize", ["doc_id", "text"], [("doc_id", "in", chosen)]).to_pandas().set_index("doc_id")
    ingest = read_table(run, "ingest", ["doc_id", "source", "metadata"], [("doc_id", "in", chosen)]).to_pandas()
    ingest = ingest.set_index("doc_id")
    documents = []
    for doc_id in chosen:
        text = texts.at[doc_id, "text"] or ""
        shown = _cut(text, CLOSE_UP_CHARS)
        spans = []
        if entities is not None:
            found = entities[(entities["doc_id"] == doc_id) & (entities["end"] <= len(shown))]
            spans = list(zip(found["start"], found["end"], found["label"], found["canonical"]))
        terms = keywords[keywords["doc_id"] == doc_id]["term"].tolist() if keywords is not None else []
        metadata = json.loads(ingest.at[doc_id, "metadata"] or "{}")
        url = next((str(metadata[key]) for key in ("url", "link", "href")
                    if str(metadata.get(key, "")).startswith(("http://", "https://"))), None)
        documents.append({"doc_id": doc_id, "title": _text(normalize.at[doc_id, "title"]),
                          "date": _text(normalize.at[doc_id, "date"]),
                          "source": ingest.at[doc_id, "source"], "url": url, "group": groups.get(doc_id),
                          "text": shown, "characters": len(text), "entities": spans, "keywords": terms})
    return documents


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    end = text.rfind("\n", 0, limit)
    return text[: end if end > limit // 2 else limit]


# ---------------------------------------------------------------------------------------------
# The page
