"""The `vnpipe` command: a thin layer that turns arguments into settings and calls the library."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .stages import ingest
from .runtime.engines import default_workers
from . import checks
from .errors import VnpipeError
from .stages.dedup import Dedup
from .stages.keywords import Keywords
from .stages.ner import Ner
from .stages.normalize import Normalize
from .runtime.runner import ORDER, RunReport, RunSettings, run
from .stages.segment import Segment

app = typer.Typer(help="Batch NLP for Vietnamese text: normalize, dedup, segment, NER and keywords, in Parquet.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"vnpipe {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """Batch NLP for Vietnamese text: normalize, dedup, segment, NER and keywords, in Parquet."""


@app.command("run")
def run_command(
    corpus: Path = typer.Argument(..., help="Folder or file of documents (.txt .md .html .jsonl .json .csv .tsv .parquet)."),
    out: Path = typer.Option(..., "--out", "-o", help="Run directory to write (created if missing)."),
    only: Optional[str] = typer.Option(None, help=f"Run only these stages, comma-separated: {','.join(ORDER)}."),
    start: Optional[str] = typer.Option(None, "--from", help="Run from this stage on."),
    until: Optional[str] = typer.Option(None, help="Run up to and including this stage."),
    text_field: str = typer.Option("text", help="Field or column holding the text in JSON, CSV and Parquet."),
    shard_size: Optional[int] = typer.Option(None, help="Documents per part file; default: sized so that every worker gets several parts (50 to 500 documents each)."),
    max_chars: int = typer.Option(ingest.Settings.max_chars, help="Longer documents are error rows, not processed."),
    tone_style: str = typer.Option("modern", help="Tone-mark placement: modern (hoà, thuỷ) or classic (hòa, thủy)."),
    keep_boilerplate: bool = typer.Option(False, help="Keep page furniture in the text (nothing is removed or audited)."),
    dedup_threshold: float = typer.Option(Dedup.Settings.threshold, help="Dedup: estimated Jaccard similarity of word shingles from which two documents are duplicates."),
    shingle_size: int = typer.Option(Dedup.Settings.shingle_size, help="Dedup: words per shingle."),
    num_perm: int = typer.Option(Dedup.Settings.num_perm, help="Dedup: MinHash permutations (signature length)."),
    bands: int = typer.Option(Dedup.Settings.bands, help="Dedup: LSH bands (must divide --num-perm)."),
    skip_duplicates: bool = typer.Option(False, help="Segment, NER and keywords analyse only the kept (first) document of each dedup cluster."),
    segmenter: str = typer.Option(Segment.Settings.backend, help="Word segmentation backend: vnpipe, underthesea or pyvi."),
    user_words: Optional[Path] = typer.Option(None, help="A file of extra words to keep whole, one a line."),
    ner_backend: str = typer.Option(Ner.Settings.backend, "--ner", help="NER backend: vnpipe-neural (the default, ONNX BiLSTM-CRF), vnpipe (our CRF, kept for one release), vnpipe-unseen or underthesea."),
    aliases: Optional[Path] = typer.Option(None, help="A CSV `alias,canonical` of extra entity name variants."),
    top_k: int = typer.Option(10, help="Keywords per document."),
    min_score: float = typer.Option(0.05, help="Lowest TF-IDF score a keyword may have."),
    document_frequencies: str = typer.Option(Keywords.Settings.document_frequencies, help="Keyword document frequencies: background (models/keywords: VNTC news and viwiki), corpus (this run's documents) or combined (both)."),
    tag_rules: Optional[Path] = typer.Option(None, help="A YAML file of tag rules: tag -> keywords, entities, labels, regex."),
    workers: Optional[int] = typer.Option(None, help="Worker processes (local) or Dask workers; default: this machine's cores."),
    engine: str = typer.Option("local", help="local (worker processes on this machine) or dask (dask.distributed)."),
    scheduler: Optional[str] = typer.Option(None, help="With --engine dask: the address of a running scheduler (default: start a LocalCluster)."),
    force: bool = typer.Option(False, help="Write into a non-empty folder that is not a vnpipe run."),
    progress: bool = typer.Option(True, help="Show progress bars."),
) -> None:
    """Run the pipeline (ingest, normalize, dedup, segment, ner, keywords) over CORPUS into OUT."""
    # Built first: every setting is checked here (RunSettings and the stages' Settings check themselves),
    # so a bad value is a usage error before any stage runs or any folder is made.
    settings = _guarded(lambda: RunSettings(
        ingest=ingest.Settings(text_field=text_field, shard_size=shard_size, max_chars=max_chars),
        normalize=Normalize.Settings(tone_style=tone_style, remove_boilerplate=not keep_boilerplate),
        dedup=Dedup.Settings(shingle_size=shingle_size, num_perm=num_perm, bands=bands, threshold=dedup_threshold),
        segment=Segment.Settings(backend=segmenter, user_words=_path_setting(user_words)),
        ner=Ner.Settings(backend=ner_backend, aliases=_path_setting(aliases)),
        keywords=Keywords.Settings(top_k=top_k, min_score=min_score, document_frequencies=document_frequencies,
                                   tag_rules=_path_setting(tag_rules)),
        workers=default_workers() if workers is None else workers, engine=engine, scheduler=scheduler,
        skip_duplicates=skip_duplicates,
    ))
    try:
        report = _guarded(lambda: run(corpus, out, settings, only=only, start=start, until=until,
                                      force=force, progress=progress))
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted.[/yellow] The parts already finished in {out} are kept; "
                      "run the same command again to resume where it stopped.")
        raise typer.Exit(code=130) from None
    print_summary(report)
    if report.errors or report.nothing_to_analyse:
        raise typer.Exit(code=1)


def print_summary(report: RunReport) -> None:
    table = Table(title=f"vnpipe run {report.run}", title_justify="left")
    for column in ("stage", "in", "out", "errors", "computed", "reused", "seconds"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in report.stages:
        table.add_row(stage.stage, str(stage.documents_in), str(stage.documents_out), str(stage.errors),
                      str(stage.documents_computed), str(stage.documents_reused), f"{stage.seconds:.1f}")
    Console().print(table)
    dedup = next((stage for stage in report.stages if stage.stage == "dedup"), None)
    if dedup is not None and not report.nothing_to_analyse:
        Console().print(dedup_line(dedup.totals, dedup.documents_out,
                                   sum(stage.skipped for stage in report.stages)), soft_wrap=True, markup=False)
    if report.nothing_to_analyse:
        read = "no file of the corpus holds a document" if not report.errors else \
            f"every document failed ({report.errors} error row(s) in {report.run}/errors)"
        console.print(f"[yellow]nothing to analyse: {escape(read)}[/yellow]", soft_wrap=True)
    elif report.errors:
        console.print(f"[yellow]{report.errors} document(s) failed; see {report.run}/errors[/yellow]")


def dedup_line(totals: dict, documents: int, skipped: int) -> str:
    """What the dedup stage found, and what the later stages did with the duplicates."""
    duplicates = totals.get("duplicates", 0)
    if not duplicates:
        return f"dedup: no duplicates among {documents} documents"
    line = (f"dedup: {duplicates} of {documents} documents duplicate another ({totals.get('exact_duplicates', 0)} "
            f"exact) in {totals.get('clusters', 0)} cluster{'s' if totals.get('clusters') != 1 else ''}, "
            f"largest {totals.get('largest_cluster', 0)}; ")
    return line + ("segment, ner and keywords skipped them (--skip-duplicates)" if skipped else
                   "all were analysed (--skip-duplicates analyses one per cluster)")


@app.command("segment")
def segment_command(
    file: str = typer.Argument(..., help="A text file, one text per line, or - for standard input."),
    segmenter: str = typer.Option(Segment.Settings.backend, help="Word segmentation backend: vnpipe, underthesea or pyvi."),
    tone_style: str = typer.Option("modern", help="Tone-mark placement: modern or classic."),
) -> None:
    """Segment each line: words separated by spaces, syllables of a word joined by `_`."""
    from .outputs.textio import segment_line

    _guarded(lambda: (Segment.Settings(backend=segmenter), Normalize.Settings(tone_style=tone_style)))
    for line in _lines(file):
        print(_guarded(lambda: segment_line(line, segmenter, tone_style)))


@app.command("ner")
def ner_command(
    file: str = typer.Argument(..., help="A text file, one text per line, or - for standard input."),
    format: str = typer.Option("jsonl", help="Output format (jsonl)."),
    segmenter: str = typer.Option(Segment.Settings.backend, help="Word segmentation backend: vnpipe, underthesea or pyvi."),
    ner_backend: str = typer.Option(Ner.Settings.backend, "--ner", help="NER backend: vnpipe-neural (the default, ONNX BiLSTM-CRF), vnpipe (our CRF, kept for one release), vnpipe-unseen or underthesea."),
    tone_style: str = typer.Option("modern", help="Tone-mark placement: modern or classic."),
) -> None:
    """Named entities of each line, as one JSON object per line with offsets into that line."""
    from .outputs.textio import entities_of_line

    _guarded(lambda: (checks.one_of("--format", format, ("jsonl",)), Segment.Settings(backend=segmenter),
                      Ner.Settings(backend=ner_backend), Normalize.Settings(tone_style=tone_style)))
    for line in _lines(file):
        entities = _guarded(lambda: entities_of_line(line, segmenter, ner_backend, tone_style))
        print(json.dumps({"entities": entities}, ensure_ascii=False))


def _lines(file: str):
    if file == "-":
        yield from (line.rstrip("\n") for line in sys.stdin)
        return
    path = Path(file)
    _require_file(path)
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from (line.rstrip("\n") for line in handle)


def _path_setting(path: Optional[Path]) -> Optional[str]:
    """Settings hold absolute paths, so a manifest means the same file wherever it is read."""
    return None if path is None else str(path.resolve())


def _guarded(action):
    try:
        return action()
    except VnpipeError as error:
        _print_error(error)
        raise typer.Exit(code=error.exit_code) from None


def _scored(action):
    """An eval command's scoring: a gold file it cannot read (ValueError, with the line) is a usage
    error, like a VnpipeError."""
    try:
        return _guarded(action)
    except ValueError as error:
        _print_error(error)
        raise typer.Exit(code=2) from None


def _print_error(error: Exception) -> None:
    """One line (never wrapped to the terminal's width), the message as written (no markup)."""
    console.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)


@app.command("export")
def export_command(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A run directory (the --out of vnpipe run)."),
    format: str = typer.Option(..., "--format", "-f", help="jsonl, conll, conllu, spacy or csv."),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write (a folder for csv)."),
) -> None:
    """Export RUN for downstream tools: jsonl (one document a line), conll (BIO, for annotation tools),
    conllu (words with Universal POS and our POS tag), spacy (a DocBin) or csv (entities.csv and
    keywords.csv in a folder)."""
    from .outputs.export import export

    report = _guarded(lambda: export(run_dir, format, out))
    console.print(f"wrote {report.documents} documents to {', '.join(str(path) for path in report.paths)}",
                  soft_wrap=True, markup=False)


@app.command("show")
def show_command(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A run directory (the --out of vnpipe run)."),
    top: int = typer.Option(10, help="How many entities and keywords to list."),
    unique_only: bool = typer.Option(False, help="Count entities and keywords over the kept document of each dedup cluster only."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """A run at a glance: documents, duplicates, errors, entities by label, top entities and top keywords."""
    from .outputs.show import render, summarize

    _guarded(lambda: checks.at_least("--top", top, 1))
    summary = _guarded(lambda: summarize(run_dir, top, unique_only))
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    Console().print(render(summary), crop=False)


@app.command("report")
def report_command(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A run directory (the --out of vnpipe run)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The HTML file to write (default: RUN/report.html)."),
    by: str = typer.Option("source_folder", help="Group by the top-level source folder, or by this metadata field (e.g. topic)."),
    top: int = typer.Option(10, help="Names, keywords and clusters listed in each table."),
) -> None:
    """One self-contained HTML page about RUN (counts, errors, duplicates, boilerplate, entities, keywords,
    tags, a few documents with their entities highlighted), to open in any browser, offline."""
    from .outputs.report import write_report

    _guarded(lambda: (checks.existing_folder("RUN", run_dir), out is None or checks.writable_file("--out", out),
                      checks.at_least("--top", top, 1)))
    path = _guarded(lambda: write_report(run_dir, out, by, top))
    console.print(f"wrote {path} ({path.stat().st_size / 1000:,.0f} kB)", soft_wrap=True, markup=False)


eval_app = typer.Typer(help="Score a model against gold data.", no_args_is_help=True)
train_app = typer.Typer(help="Train the models shipped in models/ from the gold train splits.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")


@eval_app.command("ws")
def eval_ws_command(
    gold: Path = typer.Argument(..., help="Gold file: one sentence a line, syllables of a word joined by `_`."),
    segmenter: str = typer.Option(Segment.Settings.backend, help="Backends to score, comma-separated."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Word-span precision, recall and F1 of each segmenter on GOLD, with its speed."""
    from .evaluate.ws import evaluate
    from .backends.wordseg import BACKENDS, get_segmenter

    _guarded(lambda: checks.each_one_of("--segmenter", _names(segmenter), BACKENDS))
    _require_file(gold)
    results = [evaluate(gold, get_segmenter(name)) for name in _names(segmenter)]
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"word segmentation: {gold}", title_justify="left")
    for column in ("segmenter", "sentences", "precision", "recall", "F1", "sentences/s"):
        table.add_column(column, justify="left" if column == "segmenter" else "right")
    for result in results:
        table.add_row(result["segmenter"], str(result["sentences"]), f"{result['precision']:.2f}",
                      f"{result['recall']:.2f}", f"{result['f1']:.2f}", f"{result['sentences_per_second']:.0f}")
    Console().print(table)


@eval_app.command("pos")
def eval_pos_command(
    gold: Path = typer.Argument(..., help="Gold CoNLL with a POS column: `word<TAB>POS<TAB>...` (VLSP 2016's *.5col.conll)."),
    segmenter: str = typer.Option("vnpipe,underthesea,pyvi", help="Backends to score, comma-separated."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores (and the top confusions) as JSON."),
) -> None:
    """POS accuracy of each segmenter on GOLD's raw sentences, over the gold words whose boundaries it
    finds (`matched`); Nc and Ns count as one tag (`exact`: without that)."""
    from .evaluate.pos import evaluate
    from .backends.wordseg import BACKENDS, get_segmenter

    _guarded(lambda: checks.each_one_of("--segmenter", _names(segmenter), BACKENDS))
    _require_file(gold)
    results = _scored(lambda: [evaluate(gold, get_segmenter(name)) for name in _names(segmenter)])
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"POS tagging: {gold}", title_justify="left")
    for column in ("segmenter", "sentences", "tokens", "matched", "accuracy", "exact", "sentences/s"):
        table.add_column(column, justify="left" if column == "segmenter" else "right")
    for result in results:
        table.add_row(result["segmenter"], str(result["sentences"]), str(result["tokens"]), f"{result['matched']:.2f}",
                      f"{result['accuracy']:.2f}", f"{result['exact']:.2f}", f"{result['sentences_per_second']:.0f}")
    Console().print(table)


@eval_app.command("ner")
def eval_ner_command(
    gold: Path = typer.Argument(..., help="Gold CoNLL (word or syllable level) or span JSONL."),
    ner_backend: str = typer.Option(Ner.Settings.backend, "--ner", help="Taggers to score, comma-separated."),
    words: str = typer.Option("gold", help="gold: the gold words (word-level CoNLL); segmenter: our segmenter on the raw sentence; pipeline: our normalize step, then our segmenter (spans scored on the raw sentence)."),
    segmenter: str = typer.Option(Segment.Settings.backend, help="Segmenter used with --words segmenter."),
    context: str = typer.Option("sentence", help="sentence: each sentence tagged alone (the protocol of published VLSP 2016 scores); document: our tagger also sees the other sentences of each document (the ner stage's two passes)."),
    gazetteer: bool = typer.Option(True, "--gazetteer/--no-gazetteer", help="--no-gazetteer scores our tagger without its hand-written name list."),
    train_dir: Optional[Path] = typer.Option(None, help="Folder holding the training files the model's training.json lists (for seen/unseen recall; default ../shared/eval/ner)."),
    model: Optional[Path] = typer.Option(None, help="Score our tagger (vnpipe or vnpipe-neural) with the model in this folder (one `vnpipe train ner` or `train ner-crf` wrote) instead of the shipped one."),
    errors: int = typer.Option(0, help="Also print this many sentences with errors, for reading."),
    limit: Optional[int] = typer.Option(None, help="Score only the first N sentences."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores (and errors) as JSON."),
) -> None:
    """Entity exact-match precision, recall and F1 per label and micro, recall on names seen and unseen
    in training, and tagger speed."""
    from .backends.nertag import BACKENDS as TAGGERS
    from .backends.wordseg import BACKENDS as SEGMENTERS
    from .evaluate.ner import CONTEXTS, WORDS, evaluate

    _guarded(lambda: (checks.each_one_of("--ner", _names(ner_backend), TAGGERS),
                      checks.one_of("--words", words, WORDS), checks.one_of("--segmenter", segmenter, SEGMENTERS),
                      checks.one_of("--context", context, CONTEXTS), checks.existing_folder("--train-dir", train_dir),
                      checks.existing_folder("--model", model), checks.at_least("--errors", errors, 0),
                      limit is None or checks.at_least("--limit", limit, 1)))
    _require_file(gold)
    results = _scored(lambda: [evaluate(gold, name, words=words, segmenter_name=segmenter, limit=limit,
                                        context=context, gazetteer=gazetteer, train_dir=train_dir, model_dir=model)
                               for name in _names(ner_backend)])
    if as_json:
        for result in results:
            result["errors"] = result["errors"][:errors]
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for result in results:
        gazetteer_note = "" if result["gazetteer"] else ", no gazetteer"
        table = Table(title=f"NER {result['tagger']} on {gold} (words: {result['words']}, context: "
                            f"{result['context']}{gazetteer_note}, {result['sentences']} sentences, "
                            f"{result['sentences_per_second']} sentences/s)", title_justify="left")
        novelty = result["recall_by_novelty"]
        columns = ["label", "precision", "recall", "F1", "support"]
        if novelty:
            columns += ["seen recall", "seen", "unseen recall", "unseen"]
        for column in columns:
            table.add_column(column, justify="left" if column == "label" else "right")
        for label, scores in [*sorted(result["labels"].items()), ("micro", result["micro"])]:
            row = [label, f"{scores['precision']:.2f}", f"{scores['recall']:.2f}", f"{scores['f1']:.2f}",
                   str(scores["support"])]
            if novelty:
                key = "all" if label == "micro" else label
                for group in ("seen", "unseen"):
                    split = novelty[group].get(key, {"recall": 0.0, "support": 0})
                    row += [f"{split['recall']:.2f}", str(split["support"])]
            table.add_row(*row)
        Console().print(table)
        if result["novelty_note"]:
            console.print(f"[yellow]note:[/yellow] {result['novelty_note']}")
        for error in result["errors"][:errors]:
            print(json.dumps(error, ensure_ascii=False))


@eval_app.command("boilerplate")
def eval_boilerplate_command(
    gold: Path = typer.Argument(Path("data/gold/boilerplate.tsv"), help="Gold TSV: document, record, line, label, text."),
    base: Path = typer.Option(Path("."), help="Folder the gold's document paths are relative to."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores (and misjudged lines) as JSON."),
) -> None:
    """% of article characters kept and % of boilerplate characters removed, per document and overall."""
    from .evaluate.boilerplate import evaluate

    _guarded(lambda: checks.existing_folder("--base", base))
    _require_file(gold)
    result = _scored(lambda: evaluate(gold, base))
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"boilerplate removal: {gold}", title_justify="left")
    for column in ("document", "article chars", "% kept", "boilerplate chars", "% removed"):
        table.add_column(column, justify="left" if column == "document" else "right")
    for row in [*result["documents"], {"document": "overall", "record": None, **result["overall"]}]:
        name = row["document"] if row["record"] in (None, 0) else f"{row['document']}#{row['record']}"
        table.add_row(name, str(row["article_chars"]), _pct(row["article_kept_pct"]),
                      str(row["boilerplate_chars"]), _pct(row["boilerplate_removed_pct"]))
    Console().print(table)


def _pct(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}"


@eval_app.command("dedup")
def eval_dedup_command(
    gold: Path = typer.Argument(..., help="Gold TSV: a<TAB>b<TAB>duplicate|distinct[<TAB>kind], documents named by record id, doc_id, source or SOURCE#RECORD."),
    run_dir: Path = typer.Option(..., "--run", help="A run through dedup over the gold's corpus."),
    thresholds: Optional[str] = typer.Option(None, help="Also score these thresholds, comma-separated, re-clustered from the run's signatures."),
    bands: Optional[str] = typer.Option(None, help="With --thresholds: these numbers of bands, comma-separated (default: the run's)."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Precision and recall of duplicate pairs (two documents in one cluster) against GOLD, beside the exact-hash baseline."""
    from .evaluate.dedup import evaluate

    sweep = _guarded(lambda: (checks.numbers("--thresholds", thresholds, float),
                              checks.numbers("--bands", bands, int)))
    _require_file(gold)
    result = _scored(lambda: evaluate(run_dir, gold, *(values or None for values in sweep)))
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    settings = result["settings"]
    table = Table(title=f"duplicate pairs: {run_dir} against {gold} ({result['documents']} documents, "
                        f"{result['dedup']['gold_pairs']} gold pairs)", title_justify="left")
    for column in ("clusters from", "precision", "recall", "F1", "predicted", "correct"):
        table.add_column(column, justify="left" if column == "clusters from" else "right")
    rows = [(f"dedup ({settings['threshold']}, {settings['bands']} bands)", result["dedup"]),
            ("exact hash", result["exact_hash"]),
            *((f"{s['threshold']}, {s['bands']} bands", s) for s in result["sweep"])]
    for name, scores in rows:
        table.add_row(name, f"{scores['precision']:.4f}", f"{scores['recall']:.4f}", f"{scores['f1']:.4f}",
                      str(scores["predicted_pairs"]), str(scores["correct_pairs"]))
    Console().print(table)
    kinds = Table(title="gold pairs by kind: share in one cluster (found, or wrongly merged)", title_justify="left")
    for column in ("kind", "label", "pairs", "dedup", "exact hash"):
        kinds.add_column(column, justify="left" if column in ("kind", "label") else "right")
    for ours, exact in zip(result["dedup"]["kinds"], result["exact_hash"]["kinds"]):
        kinds.add_row(ours["kind"], ours["label"], str(ours["pairs"]), f"{ours['same_cluster'] / ours['pairs']:.3f}",
                      f"{exact['same_cluster'] / exact['pairs']:.3f}")
    Console().print(kinds)


@eval_app.command("topics")
def eval_topics_command(
    run_dir: Path = typer.Argument(..., help="A run through keywords whose documents carry the metadata field."),
    field: str = typer.Option("topic", help="The metadata field to predict (VNTC: topic)."),
    k: int = typer.Option(10, help="Keywords per document the classifier sees."),
    folds: int = typer.Option(5, help="Cross-validation folds."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Macro-F1 of predicting FIELD from each document's top-k keywords, against a plain syllable TF-IDF top-k."""
    from .evaluate.topics import evaluate

    _guarded(lambda: (checks.at_least("--k", k, 1), checks.at_least("--folds", folds, 2)))
    try:
        result = evaluate(run_dir, field, k, folds)
    except (ValueError, FileNotFoundError) as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(code=2) from None
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"topics from top-{k} terms: {run_dir} ({result['documents']} documents, "
                        f"{result['classes']} values of {field}, {folds}-fold)", title_justify="left")
    for column in ("terms", "macro-F1", "accuracy"):
        table.add_column(column, justify="left" if column == "terms" else "right")
    for name, key in (("keywords", "keywords"), ("syllable TF-IDF baseline", "baseline_syllable_tfidf")):
        table.add_row(name, f"{result[key]['macro_f1']:.3f}", f"{result[key]['accuracy']:.3f}")
    Console().print(table)


@train_app.command("ws")
def train_ws_command(
    out: Path = typer.Option(Path("models/ws"), help="Where to write the segmenter and POS models."),
) -> None:
    """Train the word segmenter and POS tagger on ../shared/eval/ws and VLSP 2016 train (a few minutes)."""
    from .train.ws import train

    _guarded(lambda: checks.writable_folder("--out", out))
    print(json.dumps(train(out), ensure_ascii=False, indent=2, default=str))


@train_app.command("ner")
def train_ner_command(
    out: Path = typer.Option(Path("models/ner-neural"), help="Where to write the ONNX tagger (the vnpipe-neural backend reads models/ner-neural)."),
    work: Path = typer.Option(Path("build/ner-neural"), help="Syllable vectors and checkpoints; a stopped run resumes from here."),
    epochs: int = typer.Option(24, min=1, help="Training epochs (the best epoch on VLSP 2018 dev is kept)."),
    threads: int = typer.Option(2, min=1, help="PyTorch threads."),
    silver: int = typer.Option(40_000, help="Self-training: tag this many VNTC and Wikipedia sentences with the teacher and train on those it is sure of too (0: none)."),
    teacher: Optional[Path] = typer.Option(None, help="The model folder that tags the --silver sentences (default: trained first, without them, in WORK/teacher)."),
) -> None:
    """Train the default NER tagger, vnpipe-neural (BiLSTM-CRF, PyTorch; needs `pip install -e '.[train]'`) on VLSP 2016 and
    2018 train and export it to ONNX (about an hour on 2 cores: syllable vectors from ../shared/corpora, a teacher, then the model trained again with the sentences of VNTC and Wikipedia the teacher is sure of; `train ner-crf` trains the CRF)."""
    from .train.ner_neural import Settings, train

    _guarded(lambda: (checks.writable_folder("--out", out), checks.writable_folder("--work", work),
                      checks.at_least("--silver", silver, 0), checks.existing_folder("--teacher", teacher)))
    summary = _guarded(lambda: train(out, work, settings=Settings(epochs=epochs, silver=silver), threads=threads,
                                     teacher=teacher))
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))


@train_app.command("ner-crf")
def train_ner_crf_command(
    out: Path = typer.Option(Path("models/ner-unseen"), help="Where to write the NER model (the vnpipe-unseen tagger reads models/ner-unseen)."),
    holdout: float = typer.Option(0.0, help="Hold out this last fraction of each train file and score it."),
) -> None:
    """Train the CRF for unseen names (`--ner vnpipe-unseen`) on VLSP 2016 and VLSP 2018 train (~10 CPU minutes; its name lists
    and clusters are built first from ../shared/corpora when missing from OUT)."""
    from .train.ner import train

    _guarded(lambda: (checks.writable_folder("--out", out),
                      checks.within("--holdout", holdout, 0, 1, high_open=True)))
    print(json.dumps(train(out, holdout=holdout), ensure_ascii=False, indent=2, default=str))


@train_app.command("keywords")
def train_keywords_command(
    out: Path = typer.Option(Path("models/keywords"), help="Where to write the background document frequencies."),
    run_dir: Optional[Path] = typer.Option(None, "--run", help="A run of the VNTC sample through ner (default: sample and run it, ~15 min)."),
    per_topic: int = typer.Option(600, help="Articles per VNTC topic in the sample."),
    min_documents: int = typer.Option(3, help="Leave out terms in fewer documents than this."),
) -> None:
    """Fit the keyword background model: document frequencies over a topic-stratified VNTC sample."""
    from .train.keywords import train

    _guarded(lambda: (checks.writable_folder("--out", out), checks.existing_folder("--run", run_dir),
                      checks.at_least("--per-topic", per_topic, 1), checks.at_least("--min-documents", min_documents, 1)))
    print(json.dumps(train(out, run_dir, per_topic, min_documents), ensure_ascii=False, indent=2, default=str))


@train_app.command("keyword-terms")
def train_keyword_terms_command(
    out: Path = typer.Option(Path("models/keywords"), help="Where to write terms.tsv."),
) -> None:
    """Learn the keywords stage's multi-word terms (collocations of 2-4 syllables) from ../shared/corpora/vntc
    and ../shared/corpora/viwiki, with their counts in each (one pass, ~10 CPU minutes, ~6 GB of memory)."""
    from .train.keywords import learn_terms

    _guarded(lambda: checks.writable_folder("--out", out))
    print(json.dumps(learn_terms(out), ensure_ascii=False, indent=2, default=str))


@app.command("summary")
def summary_command(
    run_dir: Path = typer.Argument(..., help="A run through keywords."),
    by: str = typer.Option("source_folder", help="Group by the top-level source folder, or by this metadata field (e.g. topic)."),
    top: int = typer.Option(10, help="Terms of each kind per group."),
    show: str = typer.Option("(all)", help="Print this group's table ('' prints none)."),
    unique_only: bool = typer.Option(False, help="Count the kept document of each dedup cluster only (writes by-<group>-unique.parquet)."),
) -> None:
    """Top keywords, entities and tags overall and per group, written to RUN/summary/by-<group>.parquet."""
    import pandas as pd

    from .outputs.summary import write_summary

    _guarded(lambda: checks.at_least("--top", top, 1))
    path = _guarded(lambda: write_summary(run_dir, by, top, unique_only))
    console.print(f"wrote {path}")
    if show:
        frame = pd.read_parquet(path)
        frame = frame[frame["group"] == show]
        table = Table(title=f"{run_dir}: {show}", title_justify="left")
        for column in ("kind", "rank", "term", "label", "documents"):
            table.add_column(column, justify="right" if column in ("rank", "documents") else "left")
        for row in frame.itertuples():
            table.add_row(row.kind, str(row.rank), row.term, row.label, str(row.documents))
        Console().print(table)


def _names(option: str) -> list[str]:
    return [name.strip() for name in option.split(",") if name.strip()]


def _require_file(path: Path) -> None:
    if not path.is_file():
        console.print(f"[red]error:[/red] no such file: {path}")
        raise typer.Exit(code=2)


if __name__ == "__main__":
    app()
