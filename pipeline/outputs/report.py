"""`vnpipe report`: one self-contained HTML page about a run, for people who look rather than query.
`gather` reads only the columns it needs and aggregates them (pyarrow, pandas); `render` lays the
numbers out as HTML with inline SVG charts: no script, no style sheet or font fetched, so the file
opens from disk in any browser, offline, and its size depends on `top`, not on the corpus."""
from __future__ import annotations

import html
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

from ..runtime import parts
from .results import read_table, require_run
from .summary import SOURCE_FOLDER, document_groups

LABELS = ["PER", "ORG", "LOC", "MISC"]
LABEL_NAMES = {"PER": "people", "ORG": "organisations", "LOC": "places", "MISC": "other names"}
# displaCy's colours for the same kinds of names, so the highlighting looks familiar.
LABEL_COLOURS = {"PER": "#aa9cfc", "ORG": "#7aecec", "LOC": "#feca74", "MISC": "#e4e7d2"}
SERIES_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
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


def write_report(run: str | Path, out: str | Path | None = None, by: str = SOURCE_FOLDER, top: int = 10) -> Path:
    """Write the report of `run` to `out` (default RUN/report.html) and return its path."""
    report = gather(run, by, top)
    path = Path(out) if out is not None else Path(run) / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report), encoding="utf-8")
    return path


def gather(run: str | Path, by: str = SOURCE_FOLDER, top: int = 10) -> Report:
    """Every number the page shows. Entities count by canonical name, keywords by the documents
    they are a keyword of (then by summed score), as `vnpipe show` and `vnpipe summary` do."""
    started = time.perf_counter()
    run = require_run(run)
    marker = json.loads((run / parts.RUN_MARKER).read_text(encoding="utf-8"))
    report = Report(str(run), by, created=marker.get("created"), vnpipe=marker.get("vnpipe"))
    manifests = {stage: parts.read_manifest(run, stage)
                 for stage in ("ingest", "normalize", "dedup", "segment", "ner", "keywords")}
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
    if manifests["normalize"]:
        normalize = read_table(run, "normalize", ["doc_id", "title", "date", "language"]).to_pandas().set_index("doc_id")
        report.languages = normalize["language"].value_counts().to_dict()
        dates = pd.to_datetime(normalize["date"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce").dropna()
        report.dated = len(dates)
        _boilerplate(report, run, groups, top)

    duplicates = pd.Series(dtype=bool)
    if manifests["dedup"]:
        dedup = read_table(run, "dedup", ["doc_id", "cluster", "duplicate_of", "similarity", "exact"]).to_pandas()
        duplicates = dedup.set_index("doc_id")["duplicate_of"].notna()
        report.counts["duplicates"] = int(duplicates.sum())
        report.counts["exact_duplicates"] = int(dedup["exact"].fillna(False).astype(bool).sum())
        report.clusters = _clusters(dedup, normalize, run, top)
        report.counts["clusters"] = int((dedup["cluster"].value_counts() > 1).sum())

    entities = None
    if manifests["ner"]:
        entities = _items(read_table(run, "ner", ["doc_id", "entities"]), "entities",
                          ["text", "label", "canonical", "start", "end"])
        _entities(report, entities, dates, top)
    keywords = None
    if manifests["keywords"]:
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
    names = (entities.groupby(["label", "canonical"], as_index=False)
             .agg(documents=("doc_id", "nunique"), mentions=("doc_id", "size"))
             .sort_values(["documents", "mentions", "canonical"], ascending=[False, False, True]))
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
    report.keywords = (keywords.groupby("term", as_index=False)
                       .agg(documents=("doc_id", "nunique"), score=("score", "sum"))
                       .sort_values(["documents", "score", "term"], ascending=[False, False, True]).head(top * 2))
    grouped = keywords.assign(group=keywords["doc_id"].map(groups))
    counted = (grouped.groupby(["group", "term"], as_index=False)
               .agg(documents=("doc_id", "nunique"), score=("score", "sum"))
               .sort_values(["group", "documents", "score", "term"], ascending=[True, False, False, True]))
    counted["rank"] = counted.groupby("group").cumcount() + 1
    report.keywords_by_group = counted[counted["rank"] <= top]
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
        error_groups = error_groups.fillna(errors["source"].map(lambda s: s.split("/", 1)[0] if "/" in s else "."))
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

def render(report: Report) -> str:
    """The report as one HTML document: inline CSS and SVG, nothing to fetch."""
    title = f"vnpipe report: {report.run}"
    body = [f"<header><h1>{_e(title)}</h1><p>{_header_line(report)}</p>",
            '<nav><a href="#overview">Overview</a> <a href="#entities">Entities</a> '
            '<a href="#keywords">Keywords and tags</a> <a href="#documents">Documents</a> '
            '<a href="#settings">Settings</a></nav></header>',
            _overview(report), _entities_section(report), _keywords_section(report),
            _documents_section(report), _settings_section(report),
            f'<footer>Made by vnpipe {_e(report.vnpipe or "")} from {_e(report.run)} in {report.seconds:.1f} s.'
            "</footer>"]
    return ("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def _header_line(report: Report) -> str:
    made = f"run started {report.created[:16].replace('T', ' ')} UTC" if report.created else ""
    corpus = f"corpus <code>{_e(report.corpus)}</code>" if report.corpus else ""
    return " · ".join(part for part in (corpus, made, f"grouped by {_e(_by_name(report.by))}") if part)


def _by_name(by: str) -> str:
    return "source folder" if by == SOURCE_FOLDER else f"the field <code>{_e(by)}</code>"


def _overview(report: Report) -> str:
    counts = report.counts
    if not counts:
        return '<section id="overview"><h2>Overview</h2><p>The ingest stage has not run.</p></section>'
    read, analysed = counts["read"], counts["analysed"]
    cards = [("documents read", _n(read), f"{_n(counts['groups'])} groups"),
             ("analysed", _n(analysed), f"through {counts['last_stage']}"),
             ("in error", _n(counts["errors"]), "rows of RUN/errors")]
    if "duplicates" in counts:
        cards.append(("duplicates", _n(counts["duplicates"]),
                      f"{_pct(counts['duplicates'] / read if read else 0)} of documents, {_n(counts['exact_duplicates'])} exact"))
    if report.boilerplate:
        cards.append(("boilerplate removed", _pct(report.boilerplate["share"]),
                      f"of characters, in {_n(report.boilerplate['documents'])} documents"))
    parts_ = ['<section id="overview"><h2>Overview</h2><div class="cards">']
    parts_ += [f'<div class="card"><div class="big">{value}</div><div>{_e(name)}</div><small>{_e(note)}</small></div>'
               for name, value, note in cards]
    parts_.append("</div>")
    if report.groups is not None and len(report.groups):
        parts_.append(f"<h3>By {_by_name(report.by)}</h3>")
        parts_.append(_bar_chart([(g, d) for g, d in zip(report.groups["group"], report.groups["documents"])][:MAX_GROUPS],
                                 "documents per group", "documents"))
        parts_.append(_groups_table(report))
    row = ['<div class="row">']
    if report.languages:
        row.append("<div><h3>Languages</h3>" + _share_bar(
            [(language, n, SERIES_COLOURS[i % len(SERIES_COLOURS)]) for i, (language, n) in enumerate(report.languages.items())],
            "documents by language") + "</div>")
    if report.boilerplate.get("by_reason"):
        reasons = list(report.boilerplate["by_reason"].items())
        row.append("<div><h3>Boilerplate removed, by reason</h3>" + _share_bar(
            [(reason, n, SERIES_COLOURS[i % len(SERIES_COLOURS)]) for i, (reason, n) in enumerate(reasons[:8])]
            + ([("other", sum(n for _, n in reasons[8:]), "#cccccc")] if len(reasons) > 8 else []),
            "characters removed by reason") + "</div>")
    row.append("</div>")
    parts_ += row if len(row) > 2 else []
    if report.removed_lines is not None and len(report.removed_lines):
        parts_.append("<h3>Lines removed most often</h3>" + _table(
            ["line", "reason", "documents"],
            [[_e(r.line), _e(r.reason), _n(r.documents)] for r in report.removed_lines.itertuples()], numeric={2}))
    parts_.append("<h3>Errors</h3>")
    if report.errors is None:
        parts_.append("<p>No document failed.</p>")
    else:
        parts_.append(_table(["stage", "reason", "documents", "for example"],
                             [[_e(r.stage), _e(r.reason), _n(r.documents), f"<code>{_e(r.example)}</code>"]
                              for r in report.errors.itertuples()], numeric={2}))
    parts_.append("<h3>Duplicates</h3>")
    if "duplicates" not in counts:
        parts_.append("<p>The dedup stage has not run.</p>")
    elif not counts["duplicates"]:
        parts_.append(f"<p>No duplicates among {_n(read)} documents.</p>")
    else:
        parts_.append(f"<p>{_n(counts['duplicates'])} documents copy an earlier one ({_n(counts['exact_duplicates'])} "
                      f"exactly), in {_n(counts['clusters'])} clusters. The largest:</p>")
        parts_.append(_table(["documents", "exact copies", "lowest similarity", "title of the kept document", "source"],
                             [[_n(r.size), _n(r.exact), f"{r.similarity:.2f}", _e(r.title or "(no title)"),
                               f"<code>{_e(r.source)}</code>"] for r in report.clusters.itertuples()], numeric={0, 1, 2}))
    parts_.append("</section>")
    return "\n".join(parts_)


def _groups_table(report: Report) -> str:
    frame = report.groups
    shown, rest = frame.head(MAX_GROUPS), frame.iloc[MAX_GROUPS:]
    rows = []
    for r in shown.itertuples():
        rows.append([_e(r.group), _n(r.documents), _n(r.duplicates), _n(r.errors),
                     _pct(getattr(r, "boilerplate", None)), _n(getattr(r, "entities", None)),
                     _e(", ".join(getattr(r, "keywords", None) if isinstance(getattr(r, "keywords", None), list) else []))])
    if len(rest):
        rows.append([f"{len(rest)} others", _n(rest["documents"].sum()), "", "", "", "", ""])
    return _table([report.by.replace("_", " "), "documents", "duplicates", "errors", "boilerplate", "entity mentions",
                   "top keywords"], rows, numeric={1, 2, 3, 4, 5})


def _entities_section(report: Report) -> str:
    out = ['<section id="entities"><h2>Entities</h2>']
    if report.labels is None:
        out.append("<p>No entities: the ner stage has not run, or found none.</p></section>")
        return "\n".join(out)
    out.append(_share_bar([(f"{label} ({LABEL_NAMES.get(label, label)})", n, LABEL_COLOURS.get(label, "#dddddd"))
                           for label, n in zip(report.labels["label"], report.labels["mentions"])],
                          "mentions by label"))
    out.append('<div class="grid">')
    for label, names in report.top_entities.items():
        out.append(f'<div><h3><span class="label {label}">{_e(label)}</span> {_e(LABEL_NAMES.get(label, label))}</h3>')
        out.append(_table(["name", "documents", "mentions", "also written"],
                          [[_e(r.canonical), _n(r.documents), _n(r.mentions), _e(", ".join(r.aliases))]
                           for r in names.itertuples()], numeric={1, 2}))
        out.append("</div>")
    out.append("</div>")
    out.append("<h3>Names that appear together</h3>")
    if report.pairs is None or report.pairs.empty:
        out.append("<p>No two names appear together in more than one document.</p>")
    else:
        out.append(_bar_chart([(f"{a} + {b}", n) for a, b, n in zip(report.pairs["a"], report.pairs["b"],
                                                                   report.pairs["documents"])],
                              "pairs of names in the most documents together", "documents"))
    out.append("<h3>Over time</h3>")
    if report.trend is None:
        out.append(f"<p>{_trend_missing(report)}</p>")
    else:
        periods = report.timeline["period"].tolist()
        out.append(f"<p>{_n(report.dated)} of {_n(report.counts['read'])} documents have a date; "
                   f"counted per {report.period}.</p>")
        out.append(_column_chart(list(zip(periods, report.timeline["documents"])), f"documents per {report.period}"))
        table = report.trend.pivot(index="period", columns="name", values="documents").reindex(periods).fillna(0)
        order = report.trend.groupby("name")["documents"].sum().sort_values(ascending=False, kind="stable").index
        out.append(_line_chart(periods, {name: table[name].astype(int).tolist() for name in order},
                               f"documents naming the leading names, per {report.period}"))
    out.append("</section>")
    return "\n".join(out)


def _trend_missing(report: Report) -> str:
    if not report.dated:
        return "No document has a date (a dateline in the text, or a <code>date</code> field), so there is no trend."
    return (f"{_n(report.dated)} of {_n(report.counts['read'])} documents have a date, all on one day: "
            "a trend needs dates on more than one.")


def _keywords_section(report: Report) -> str:
    out = ['<section id="keywords"><h2>Keywords and tags</h2>']
    if report.keywords is None:
        out.append("<p>No keywords: the keywords stage has not run, or kept none.</p></section>")
        return "\n".join(out)
    out.append('<div class="row"><div>')
    out.append(_bar_chart([(t.replace("_", " "), n) for t, n in zip(report.keywords["term"], report.keywords["documents"])],
                          "keywords of the most documents", "documents"))
    out.append("</div><div>")
    out.append("<h3>Rising</h3>")
    if report.rising is None:
        out.append("<p>Rising keywords need documents with dates on more than one day.</p>")
    elif report.rising.empty:
        out.append(f"<p>No keyword is in more documents in the latest {report.period} ({_e(report.latest_period)}) "
                   "than before.</p>")
    else:
        out.append(f"<p>Keywords in a larger share of the documents of the latest {report.period} "
                   f"({_e(report.latest_period)}) than of the earlier ones.</p>")
        out.append(_table(["keyword", "latest", "earlier", "share latest", "share earlier"],
                          [[_e(r.term), _n(r.latest), _n(r.earlier), _pct(r.latest_share), _pct(r.earlier_share)]
                           for r in report.rising.itertuples()], numeric={1, 2, 3, 4}))
    out.append("<h3>Tags</h3>")
    if report.tags is None:
        out.append("<p>No tags (run with <code>--tag-rules FILE</code> to tag documents).</p>")
    else:
        out.append(_table(["tag", "documents", "evidence"],
                          [[_e(r.tag), _n(r.documents), _n(r.evidence)] for r in report.tags.itertuples()],
                          numeric={1, 2}))
    out.append("</div></div>")
    by_group = report.keywords_by_group
    if by_group is not None and len(by_group):
        out.append(f"<h3>Top keywords by {_by_name(report.by)}</h3>")
        order = report.groups["group"].head(MAX_GROUPS).tolist() if report.groups is not None else []
        rows = []
        for group in order:
            terms = by_group[by_group["group"] == group]
            rows.append([_e(group), " ".join(f'<span class="kw">{_e(t.replace("_", " "))} <small>{n}</small></span>'
                                             for t, n in zip(terms["term"], terms["documents"]))])
        out.append(_table([report.by.replace("_", " "), "keywords (documents)"], rows))
    out.append("</section>")
    return "\n".join(out)


def _documents_section(report: Report) -> str:
    out = ['<section id="documents"><h2>A few documents up close</h2>']
    if not report.documents:
        out.append("<p>No documents came through normalize.</p></section>")
        return "\n".join(out)
    out.append("<p>" + " ".join(f'<span class="label {label}">{label}</span> {_e(LABEL_NAMES[label])}'
                                for label in LABELS) + "</p>")
    for document in report.documents:
        source = f"<code>{_e(document['source'])}</code>"
        if document["url"]:
            source += f' · <a href="{_e(document["url"])}">source</a>'
        meta = " · ".join(part for part in (source, _e(document["date"] or ""), _e(document["group"] or "")) if part)
        out.append(f'<article><h3>{_e(document["title"] or "(no title)")}</h3><p class="meta">{meta}</p>')
        if document["keywords"]:
            out.append('<p class="keywords">' + " ".join(f'<span class="kw">{_e(t.replace("_", " "))}</span>'
                                                         for t in document["keywords"]) + "</p>")
        out.append(f'<div class="text">{_highlight(document["text"], document["entities"])}</div>')
        if document["characters"] > len(document["text"]):
            out.append(f'<p class="meta">… {_n(document["characters"] - len(document["text"]))} more characters.</p>')
        out.append("</article>")
    out.append("</section>")
    return "\n".join(out)


def _highlight(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """The text with each entity marked as displaCy marks them: a coloured box, its label after it."""
    out, at = [], 0
    for start, end, label, canonical in sorted(spans):
        if start < at:
            continue
        title = f' title="{_e(canonical)}"' if canonical and canonical != text[start:end] else ""
        out.append(_e(text[at:start]))
        out.append(f'<mark class="ent {_e(label)}"{title}>{_e(text[start:end])}<span>{_e(label)}</span></mark>')
        at = end
    out.append(_e(text[at:]))
    return "".join(out).replace("\n", "<br>\n")


def _settings_section(report: Report) -> str:
    rows = [[_e(s["stage"]), _e(s["version"]), _n(s["documents"]), _n(s["errors"]),
             f"{s['seconds']:.1f}" if s["seconds"] is not None else "", f"<code>{_e(s['model'] or '')}</code>",
             f"<code>{_e(_settings_text(s['settings']))}</code>"] for s in report.stages]
    return ('<section id="settings"><h2>Settings and model versions</h2>'
            + _table(["stage", "version", "documents", "errors", "seconds", "model", "settings"], rows,
                     numeric={2, 3, 4}) + "</section>")


def _settings_text(settings: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in settings.items() if value not in (None, "", [], {}))


# ---------------------------------------------------------------------------------------------
# Charts: inline SVG, sized by a viewBox so they scale with the page

def _bar_chart(rows: list[tuple[str, float]], title: str, unit: str) -> str:
    if not rows:
        return ""
    width, label_width, bar_height = 640, 220, 20
    height = len(rows) * (bar_height + 4) + 8
    most = max(value for _, value in rows) or 1
    out = [f'<figure><svg class="chart bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{_e(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>']
    for i, (label, value) in enumerate(rows):
        y = 4 + i * (bar_height + 4)
        length = (width - label_width - 60) * value / most
        out.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{_e(_short(label, 32))}</text>'
                   f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="#4c78a8">'
                   f"<title>{_e(label)}: {_n(value)} {unit}</title></rect>"
                   f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">{_n(value)}</text>')
    out.append(f"</svg><figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _column_chart(rows: list[tuple[str, float]], title: str) -> str:
    width, height, left, bottom = 640, 160, 40, 30
    most = max((value for _, value in rows), default=0) or 1
    step = (width - left - 40) / max(len(rows), 1)  # room for the last date under the axis
    out = [f'<figure><svg class="chart columns" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{_e(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>',
           _axis(left, width, height, bottom, most)]
    every = max(1, math.ceil(len(rows) / 8))
    for i, (label, value) in enumerate(rows):
        bar = (height - bottom - 10) * value / most
        x = left + i * step
        out.append(f'<rect x="{x + step * 0.1:.1f}" y="{height - bottom - bar:.1f}" width="{step * 0.8:.1f}" '
                   f'height="{bar:.1f}" fill="#4c78a8"><title>{_e(label)}: {_n(value)}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">{_e(label)}</text>')
    out.append(f"</svg><figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _line_chart(periods: list[str], series: dict[str, list[int]], title: str) -> str:
    width, height, left, bottom = 640, 220, 40, 30
    most = max((max(values) for values in series.values() if values), default=0) or 1
    step = (width - left - 40) / max(len(periods) - 1, 1)
    out = [f'<figure><svg class="chart line" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{_e(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>',
           _axis(left, width, height, bottom, most)]
    every = max(1, math.ceil(len(periods) / 8))
    for i, period in enumerate(periods):
        if i % every == 0:
            out.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle">{_e(period)}</text>')
    for n, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        points = " ".join(f"{left + i * step:.1f},{height - bottom - (height - bottom - 10) * v / most:.1f}"
                          for i, v in enumerate(values))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
                   f"<title>{_e(name)}</title></polyline>")
    out.append("</svg>" + _legend([(name, SERIES_COLOURS[n % len(SERIES_COLOURS)]) for n, name in enumerate(series)])
               + f"<figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _axis(left: int, width: int, height: int, bottom: int, most: float) -> str:
    return (f'<line x1="{left}" y1="{height - bottom}" x2="{width - 35}" y2="{height - bottom}" stroke="#888"/>'
            f'<line x1="{left}" y1="10" x2="{left}" y2="{height - bottom}" stroke="#888"/>'
            f'<text x="{left - 4}" y="14" text-anchor="end">{_n(most)}</text>'
            f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>')


def _share_bar(rows: list[tuple[str, float, str]], title: str) -> str:
    """One bar cut into the shares of its parts, with a legend."""
    total = sum(value for _, value, _ in rows) or 1
    width, x = 640, 0.0
    out = [f'<figure><svg class="chart share" viewBox="0 0 {width} 28" width="{width}" height="28" role="img" aria-label="{_e(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}</title>']
    for label, value, colour in rows:
        length = width * value / total
        out.append(f'<rect x="{x:.1f}" y="2" width="{length:.1f}" height="24" fill="{colour}">'
                   f"<title>{_e(label)}: {_n(value)} ({_pct(value / total)})</title></rect>")
        x += length
    out.append("</svg>" + _legend([(f"{label} {_pct(value / total)}", colour) for label, value, colour in rows])
               + f"<figcaption>{_e(title)}</figcaption></figure>")
    return "".join(out)


def _legend(items: list[tuple[str, str]]) -> str:
    return '<p class="legend">' + " ".join(f'<span><i style="background:{colour}"></i>{_e(label)}</span>'
                                          for label, colour in items) + "</p>"


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table of cells already escaped."""
    def cell(tag: str, i: int, value: str) -> str:
        return f'<{tag} class="n">{value}</{tag}>' if i in numeric else f"<{tag}>{value}</{tag}>"
    head = "".join(cell("th", i, _e(h)) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _n(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.0f}" if isinstance(value, (int, float, np.integer, np.floating)) else _e(value)


def _pct(share: float | None) -> str:
    if share is None or math.isnan(share):
        return ""
    return f"{100 * share:.1f}%" if share < 0.1 else f"{100 * share:.0f}%"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


CSS = """
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#222;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:1em 1.5em 3em}
header h1{font-size:1.5em;margin:.3em 0}header p{color:#555;margin:.2em 0}
nav{position:sticky;top:0;background:#fafafa;padding:.4em 0;border-bottom:1px solid #ddd;z-index:1}
nav a{margin-right:1.2em;color:#1f5fa8;text-decoration:none}
section{margin-top:1.5em}h2{border-bottom:2px solid #4c78a8;padding-bottom:.2em}h3{margin:1.2em 0 .4em;font-size:1.05em}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:150px}
.card .big{font-size:1.8em;font-weight:600}.card small{color:#666}
.row,.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1.2em}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em;margin:.3em 0}
th,td{border-bottom:1px solid #e4e4e4;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:.5em 0}figcaption{color:#666;font-size:.85em}
svg.chart{max-width:100%;height:auto;font-size:12px;background:#fff}svg.chart text{fill:#333}
.legend span{margin-right:1em;font-size:.85em;white-space:nowrap}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border-radius:2px}
.label{padding:.05em .4em;border-radius:.3em;font-size:.8em;font-weight:600}
.PER{background:#aa9cfc}.ORG{background:#7aecec}.LOC{background:#feca74}.MISC{background:#e4e7d2}
.kw{display:inline-block;background:#eef3fa;border:1px solid #cfdcee;border-radius:1em;padding:0 .55em;margin:.1em;font-size:.9em}
article{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.4em 1.2em 1em;margin:1em 0}
article h3{margin-top:.5em}.meta{color:#666;font-size:.85em;margin:.2em 0}
.text{line-height:2.1}mark.ent{padding:.15em .35em;margin:0 .1em;border-radius:.35em;color:#222}
mark.ent span{font-size:.65em;font-weight:700;margin-left:.4em;text-transform:uppercase;vertical-align:middle}
code{font-size:.88em;word-break:break-all}footer{margin-top:3em;color:#888;font-size:.85em}
"""
