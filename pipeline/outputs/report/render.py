"""The report as one HTML document: its sections, from `gather`'s numbers."""
from __future__ import annotations

from typing import Any

from ..results import warning_line
from ..summary import SOURCE_FOLDER
from .charts import CSS, SERIES_COLOURS, _bar_chart, _column_chart, _e, _line_chart, _n, _pct, _share_bar, _table
from .gather import LABEL_COLOURS, LABEL_NAMES, LABELS, MAX_GROUPS, Report

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
    if counts.get("restored"):
        cards.append(("diacritics restored", _n(counts["restored"]),
                      "documents typed (in part) without them: normalize's `restored` column"))
    parts_ = ['<section id="overview"><h2>Overview</h2><div class="cards">']
    parts_ += [f'<div class="card"><div class="big">{value}</div><div>{_e(name)}</div><small>{_e(note)}</small></div>'
               for name, value, note in cards]
    parts_.append("</div>")
    if report.warnings is not None and len(report.warnings):
        shown = report.warnings.head(20)
        parts_.append(f'<h3 class="warning">{_e(warning_line(len(report.warnings)))}</h3>' + _table(
            ["document", "rule", "characters it would have removed", "of"],
            [[_e(r.source) + (f"#{r.record}" if r.record else ""), _e(r.rule), _n(r.characters),
              _n(r.document_characters)] for r in shown.itertuples()], numeric={2, 3}))
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
