"""`vnpipe eval ...`: scores against gold data."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .. import checks
from ..stages.ner import Ner
from ..stages.segment import Segment
from .app import console, eval_app, guarded, names, require_file, scored

@eval_app.command("ws")
def eval_ws_command(
    gold: Path = typer.Argument(..., help="Gold file: one sentence a line, syllables of a word joined by `_`."),
    segmenter: str = typer.Option(Segment.Settings.backend, help="Backends to score, comma-separated."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Word-span precision, recall and F1 of each segmenter on GOLD, with its speed."""
    from ..evaluate.ws import evaluate
    from ..backends.wordseg import SEGMENTERS, get_segmenter

    guarded(lambda: checks.each_one_of("--segmenter", names(segmenter), SEGMENTERS.names()))
    require_file(gold)
    results = [evaluate(gold, get_segmenter(name)) for name in names(segmenter)]
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
    from ..evaluate.pos import evaluate
    from ..backends.wordseg import SEGMENTERS, get_segmenter

    guarded(lambda: checks.each_one_of("--segmenter", names(segmenter), SEGMENTERS.names()))
    require_file(gold)
    results = scored(lambda: [evaluate(gold, get_segmenter(name)) for name in names(segmenter)])
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
    from ..backends.nertag import TAGGERS
    from ..backends.wordseg import SEGMENTERS
    from ..evaluate.ner import CONTEXTS, WORDS, evaluate

    guarded(lambda: (checks.each_one_of("--ner", names(ner_backend), TAGGERS.names()),
                      checks.one_of("--words", words, WORDS), checks.one_of("--segmenter", segmenter, SEGMENTERS.names()),
                      checks.one_of("--context", context, CONTEXTS), checks.existing_folder("--train-dir", train_dir),
                      checks.existing_folder("--model", model), checks.at_least("--errors", errors, 0),
                      limit is None or checks.at_least("--limit", limit, 1)))
    require_file(gold)
    results = scored(lambda: [evaluate(gold, name, words=words, segmenter_name=segmenter, limit=limit,
                                        context=context, gazetteer=gazetteer, train_dir=train_dir, model_dir=model)
                               for name in names(ner_backend)])
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
    from ..evaluate.boilerplate import evaluate

    guarded(lambda: checks.existing_folder("--base", base))
    require_file(gold)
    result = scored(lambda: evaluate(gold, base))
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
    from ..evaluate.dedup import evaluate

    sweep = guarded(lambda: (checks.numbers("--thresholds", thresholds, float),
                              checks.numbers("--bands", bands, int)))
    require_file(gold)
    result = scored(lambda: evaluate(run_dir, gold, *(values or None for values in sweep)))
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
    from ..evaluate.topics import evaluate

    guarded(lambda: (checks.at_least("--k", k, 1), checks.at_least("--folds", folds, 2)))
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



@eval_app.command("diacritics")
def eval_diacritics_command(
    file: Path = typer.Argument(..., help="Text with its marks: one text a line, or JSON Lines with a `text` field."),
    compare: bool = typer.Option(False, "--compare-pyvi", help="Also score pyvi's add_accents on the same text."),
    limit: Optional[int] = typer.Option(None, help="Score only the first N texts."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Strip every mark from FILE, restore them, and score the syllables: right (tone placement aside), on those
    that carry a mark, and unchanged when the text already has its marks; with speed."""
    from itertools import islice

    from ..evaluate.diacritics import evaluate

    guarded(lambda: limit is None or checks.at_least("--limit", limit, 1))
    require_file(file)

    def texts():
        with file.open(encoding="utf-8") as lines:
            for line in lines:
                line = line.rstrip("\n")
                if line.strip():
                    yield json.loads(line)["text"] if file.suffix == ".jsonl" else line

    result = scored(lambda: evaluate(list(islice(texts(), limit)), "pyvi" if compare else None))
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"diacritic restoration: {file} ({result['texts']} texts, {result['syllables']} syllables, "
                        f"{result['syllables_per_second']:,} syllables/s of CPU, model load included)",
                  title_justify="left")
    for column in ("restorer", "right", "exact", "right, marked syllables", "unchanged when marked"):
        table.add_column(column, justify="left" if column == "restorer" else "right")
    table.add_row("vnpipe", f"{result['accuracy']:.2f}", f"{result['exact']:.2f}", f"{result['marked_accuracy']:.2f}",
                  f"{result['unchanged']:.2f}")
    if "pyvi" in result:
        pyvi = result["pyvi"]
        table.add_row("pyvi add_accents", f"{pyvi['accuracy']:.2f}", f"{pyvi['exact']:.2f}",
                      f"{pyvi['marked_accuracy']:.2f}", "")
    Console().print(table)
