"""`vnpipe train ...`: the shipped models, rebuilt from ../shared."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .. import checks
from .app import guarded, train_app

@train_app.command("ws")
def train_ws_command(
    out: Path = typer.Option(Path("models/ws"), help="Where to write the segmenter and POS models."),
) -> None:
    """Train the word segmenter and POS tagger on ../shared/eval/ws and VLSP 2016 train (a few minutes)."""
    from ..train.ws import train

    guarded(lambda: checks.writable_folder("--out", out))
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
    from ..train.ner_neural import Settings, train

    guarded(lambda: (checks.writable_folder("--out", out), checks.writable_folder("--work", work),
                      checks.at_least("--silver", silver, 0), checks.existing_folder("--teacher", teacher)))
    summary = guarded(lambda: train(out, work, settings=Settings(epochs=epochs, silver=silver), threads=threads,
                                     teacher=teacher))
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))


@train_app.command("ner-crf")
def train_ner_crf_command(
    out: Path = typer.Option(Path("models/ner-unseen"), help="Where to write the NER model (the vnpipe-unseen tagger reads models/ner-unseen)."),
    holdout: float = typer.Option(0.0, help="Hold out this last fraction of each train file and score it."),
) -> None:
    """Train the CRF for unseen names (`--ner vnpipe-unseen`) on VLSP 2016 and VLSP 2018 train (~10 CPU minutes; its name lists
    and clusters are built first from ../shared/corpora when missing from OUT)."""
    from ..train.ner import train

    guarded(lambda: (checks.writable_folder("--out", out),
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
    from ..train.keywords import train

    guarded(lambda: (checks.writable_folder("--out", out), checks.existing_folder("--run", run_dir),
                      checks.at_least("--per-topic", per_topic, 1), checks.at_least("--min-documents", min_documents, 1)))
    print(json.dumps(train(out, run_dir, per_topic, min_documents), ensure_ascii=False, indent=2, default=str))


@train_app.command("keyword-terms")
def train_keyword_terms_command(
    out: Path = typer.Option(Path("models/keywords"), help="Where to write terms.tsv."),
) -> None:
    """Learn the keywords stage's multi-word terms (collocations of 2-4 syllables) from ../shared/corpora/vntc
    and ../shared/corpora/viwiki, with their counts in each (one pass, ~10 CPU minutes, ~6 GB of memory)."""
    from ..train.keywords import learn_terms

    guarded(lambda: checks.writable_folder("--out", out))
    print(json.dumps(learn_terms(out), ensure_ascii=False, indent=2, default=str))



@train_app.command("keyword-ranker")
def train_keyword_ranker_command(
    out: Path = typer.Option(Path("models/keywords"), help="Where to write ranker.json."),
    run_dirs: Optional[list[Path]] = typer.Option(None, "--run", help="Runs of titled documents through the stages keywords reads (repeatable; default: sample 300 VNTC articles per topic and run them, ~3 min on two cores)."),
    work: Optional[Path] = typer.Option(None, help="Where the sample and its run go (default: OUT/work)."),
    per_topic: int = typer.Option(300, help="VNTC articles per topic in the sample."),
) -> None:
    """Train the keyword ranker (a logistic regression, written as JSON) on the words of news titles that their
    articles use, as KEA does; no hand-tagging (see models/keywords/MODEL_CARD.md)."""
    from ..train.keyword_ranker import train

    guarded(lambda: (checks.writable_folder("--out", out), [checks.existing_folder("--run", r) for r in run_dirs or []],
                      checks.writable_folder("--work", work) if work is not None else None,
                      checks.at_least("--per-topic", per_topic, 1)))
    summary = guarded(lambda: train(out, run_dirs or None, work, per_topic))
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
