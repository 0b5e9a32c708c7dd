"""Scores an entity tagger against gold data: entity exact match on character spans.

Gold comes as CoNLL (`token<TAB>BIO`, word level with `_` joining syllables, or syllable
level) or as span JSONL (outer entities, depth 1). The tagger gets either the gold words
(`words="gold"`, word-level CoNLL only) or the words a segmenter finds (`words="segmenter"`).
`context="sentence"` (the default, the protocol of published VLSP 2016 scores) tags each sentence
alone; with `context="document"` a tagger that can (`tag_document`) sees the other sentences of each
document: the paragraphs of one `doc` in span JSONL, the DOCUMENT_WINDOW sentences on either side in
CoNLL (whose consecutive sentences come from one article but whose article boundaries are not marked).

Recall is also split into names *seen* and *unseen* in training: a gold entity is unseen when its
surface form, case-folded, is never an entity of that label in the training files the model's
`training.json` lists. Unseen-name recall predicts how the tagger does on new text.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..backends.names import LABELS, normalize_token, spans_from_bio
from ..backends.nertag import DEFAULT_TAGGER, get_tagger
from ..backends.registry import EntityTagger, Word
from ..backends.wordseg import get_segmenter
from ..runtime.analyse import analyse_texts
from ..runtime.settings import RunSettings
from ..stages.ner import find_entities
from ..stages.normalize import Normalize
from ..stages.segment import Segment

GOLD_WORDS, SEGMENTER_WORDS, PIPELINE_WORDS = "gold", "segmenter", "pipeline"
SENTENCE_CONTEXT, DOCUMENT_CONTEXT = "sentence", "document"
WORDS, CONTEXTS = (GOLD_WORDS, SEGMENTER_WORDS, PIPELINE_WORDS), (SENTENCE_CONTEXT, DOCUMENT_CONTEXT)
# VLSP gold (train files included) in the checkout's ../shared; training.json names files relative to it.
SHARED_EVAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval" / "ner"
DOCUMENT_WINDOW = 16  # chosen on the held-out tenth of VLSP 2016 train (4: 89.52, 8: 90.23, 16: 90.36)


@dataclass
class GoldSentence:
    text: str
    words: list[Word] | None  # gold word spans when the file has them
    entities: list[tuple[int, int, str]]
    doc: str | None = None  # document id (span JSONL)


def read_gold(path: Path) -> list[GoldSentence]:
    """Sentences of a `.conll` or span `.jsonl` gold file."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return read_spans(path)
    return read_conll(path)


def read_conll(path: Path) -> list[GoldSentence]:
    """`token<TAB>...<TAB>BIO` sentences; a token's syllables (joined by `_`) become spaced text.

    Word-level files (any token joins syllables with `_`) keep their tokens as gold words.
    """
    sentences: list[list[tuple[str, str]]] = [[]]
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if sentences[-1]:
                    sentences.append([])
                continue
            columns = line.split("\t")
            if len(columns) < 2:
                raise ValueError(f"{path}:{number}: expected token<TAB>tag, got {line!r}")
            # 5-column VLSP files keep the flat NER tag in column 4.
            sentences[-1].append((columns[0], columns[3] if len(columns) >= 5 else columns[-1]))
    word_level = any("_" in token.strip("_") for sentence in sentences for token, _ in sentence)
    gold = []
    for rows in sentences:
        if not rows:
            continue
        pieces, spans, position = [], [], 0
        for token, _ in rows:
            surface = token.replace("_", " ") if word_level and token.strip("_") else token
            spans.append((position, position + len(surface)))
            pieces.append(surface)
            position += len(surface) + 1
        text = " ".join(pieces)
        entities = spans_from_bio(spans, [tag for _, tag in rows])
        words = [(s, e, "") for s, e in spans] if word_level else None
        gold.append(GoldSentence(text, words, entities))
    return gold


def read_spans(path: Path) -> list[GoldSentence]:
    """Paragraphs of a span JSONL file with their outermost (depth 1) entities."""
    gold = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            entities = [(s, e, label) for s, e, label, depth in record["entities"] if depth == 1]
            gold.append(GoldSentence(record["text"], None, sorted(entities), str(record.get("doc"))))
    return gold


def score(gold: list[list[tuple[int, int, str]]], predicted: list[list[tuple[int, int, str]]]) -> dict:
    """Precision, recall and F1 (in %) per label and micro-averaged, entity exact match."""
    counts = {label: Counter() for label in LABELS}
    for gold_entities, predicted_entities in zip(gold, predicted):
        gold_set, predicted_set = set(gold_entities), set(predicted_entities)
        for entity in gold_set | predicted_set:
            label = entity[2]
            counts.setdefault(label, Counter())
            if entity in gold_set and entity in predicted_set:
                counts[label]["tp"] += 1
            elif entity in gold_set:
                counts[label]["fn"] += 1
            else:
                counts[label]["fp"] += 1
    total = sum(counts.values(), Counter())
    return {"micro": _prf(total), "labels": {label: _prf(c) for label, c in counts.items()}}


def _prf(c: Counter) -> dict:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    precision = 100 * tp / (tp + fp) if tp + fp else 0.0
    recall = 100 * tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 2), "recall": round(recall, 2), "f1": round(f1, 2),
            "tp": tp, "fp": fp, "fn": fn, "support": tp + fn}


def name_key(name: str) -> str:
    """A name as seen/unseen compares it: NFC, modern tone placement, single spaces, case-folded."""
    return " ".join(normalize_token(name).split()).casefold()


def training_names(train_files: list[Path]) -> dict[str, set[str]]:
    """Per label, the case-folded surface forms that are entities of that label in `train_files`."""
    names: dict[str, set[str]] = {}
    for path in train_files:
        for sentence in read_gold(path):
            for start, end, label in sentence.entities:
                names.setdefault(label, set()).add(name_key(sentence.text[start:end]))
    return names


def model_train_files(model_dir: Path, eval_dir: Path | None = None) -> list[Path]:
    """The training files `model_dir/training.json` names, found under `eval_dir` (default: the shared
    eval folder the training used)."""
    summary_path = Path(model_dir) / "training.json"
    if not summary_path.exists():
        raise ValueError(f"{summary_path} is missing, so the training names are unknown; "
                         "retrain with `vnpipe train ner` (or `train ner-crf`) or pass the training files")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    relative = summary.get("train_files") or list(summary["train_sentences"])
    paths = [Path(eval_dir or SHARED_EVAL_DIR) / name for name in relative]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise ValueError(f"training files of the NER model not found: {', '.join(missing)}; "
                         "pass the folder that holds them (--train-dir)")
    return paths


def seen_unseen_recall(sentences: list[GoldSentence], predicted: list[list[tuple[int, int, str]]],
                       names: dict[str, set[str]]) -> dict:
    """Recall (in %) on gold entities whose name is seen / unseen in training, per label and overall."""
    counts: dict[str, dict[str, Counter]] = {"seen": {}, "unseen": {}}
    for sentence, predicted_entities in zip(sentences, predicted):
        found = set(predicted_entities)
        for entity in set(sentence.entities):
            start, end, label = entity
            group = "seen" if name_key(sentence.text[start:end]) in names.get(label, ()) else "unseen"
            for key in (label, "all"):
                counter = counts[group].setdefault(key, Counter())
                counter["tp" if entity in found else "fn"] += 1
    report = {}
    for group, by_label in counts.items():
        report[group] = {}
        for label in (*LABELS, *sorted(set(by_label) - {*LABELS, "all"}), "all"):
            c = by_label.get(label, Counter())
            support = c["tp"] + c["fn"]
            report[group][label] = {"recall": round(100 * c["tp"] / support, 2) if support else 0.0,
                                    "tp": c["tp"], "support": support}
    return report


def evaluate(gold_path: Path, tagger_name: str = DEFAULT_TAGGER, words: str = GOLD_WORDS,
             segmenter_name: str = "underthesea", limit: int | None = None, context: str = SENTENCE_CONTEXT,
             gazetteer: bool = True, train_files: list[Path] | None = None, train_dir: Path | None = None,
             model_dir: Path | None = None) -> dict:
    """Score tagger `tagger_name` on `gold_path`; see the module docstring for `words` and `context`.

    `words="gold"` needs word-level CoNLL; other files are always run with `segmenter_name`.
    Speed counts the tagger only (`segment_seconds` is reported apart). `gazetteer=False` scores our
    tagger without its hand-written name list. Seen/unseen recall uses `train_files` (default: the
    files our model's training.json lists, under `train_dir`; underthesea's are unknown: no split).
    `model_dir` scores a model of ours other than the shipped one (one `vnpipe train ner` or `train ner-crf` wrote with `--out`).
    """
    if words not in (GOLD_WORDS, SEGMENTER_WORDS, PIPELINE_WORDS):
        raise ValueError(f"words must be {GOLD_WORDS!r}, {SEGMENTER_WORDS!r} or {PIPELINE_WORDS!r}, not {words!r}")
    if context not in (SENTENCE_CONTEXT, DOCUMENT_CONTEXT):
        raise ValueError(f"context must be {SENTENCE_CONTEXT!r} or {DOCUMENT_CONTEXT!r}, not {context!r}")
    sentences = read_gold(gold_path)[:limit]
    if words == GOLD_WORDS and sentences and sentences[0].words is None:
        raise ValueError(f"{gold_path} has no gold word segmentation (syllable CoNLL or span JSONL); "
                         f"evaluate it with words={SEGMENTER_WORDS!r}")
    tagger = get_tagger(tagger_name, gazetteer, Path(model_dir) if model_dir is not None else None)
    novelty_note = None
    if train_files is None and tagger.model_dir is not None:
        try:
            train_files = model_train_files(tagger.model_dir, train_dir)
        except ValueError as error:
            if train_dir is not None:
                raise
            novelty_note = f"no seen/unseen split: {error}"  # an install without ../shared
    names = training_names(train_files) if train_files is not None else None
    in_documents = context == DOCUMENT_CONTEXT and tagger.sees_documents
    segment_seconds = 0.0
    if words == PIPELINE_WORDS:
        predicted, segment_seconds, tag_seconds = _through_the_pipeline(sentences, tagger, segmenter_name)
    else:
        if words == GOLD_WORDS:
            inputs = [sentence.words for sentence in sentences]
        else:
            started = time.perf_counter()
            inputs = get_segmenter(segmenter_name).segment_many([sentence.text for sentence in sentences])
            segment_seconds = time.perf_counter() - started
        started = time.perf_counter()
        if in_documents:
            tagged = _tag_documents(tagger, sentences, inputs)
        else:  # each sentence alone, in batches
            tagged = tagger.tag_sentences([(s.text, sentence_words) for s, sentence_words in zip(sentences, inputs)])
        predicted = [[(s, e, label) for s, e, label, _ in entities] for entities in tagged]
        tag_seconds = time.perf_counter() - started
    gold = [sentence.entities for sentence in sentences]
    errors = []
    for index, (sentence, gold_entities, predicted_entities) in enumerate(zip(sentences, gold, predicted)):
        if set(gold_entities) != set(predicted_entities):
            show = lambda entities: [(s, e, label, sentence.text[s:e]) for s, e, label in sorted(entities)]
            errors.append({"index": index, "text": sentence.text,
                           "missed": show(set(gold_entities) - set(predicted_entities)),
                           "spurious": show(set(predicted_entities) - set(gold_entities))})
    return {
        "gold": str(gold_path), "tagger": tagger_name, "tagger_checksum": tagger.checksum(),
        "words": GOLD_WORDS if words == GOLD_WORDS else f"{words}:{segmenter_name}",
        "context": DOCUMENT_CONTEXT if in_documents else SENTENCE_CONTEXT, "gazetteer": gazetteer,
        "sentences": len(sentences), "tag_seconds": round(tag_seconds, 2),
        "segment_seconds": round(segment_seconds, 2),
        "sentences_per_second": round(len(sentences) / tag_seconds, 1) if tag_seconds else None,
        **score(gold, predicted),
        "train_files": [str(path) for path in train_files] if train_files is not None else None,
        "recall_by_novelty": seen_unseen_recall(sentences, predicted, names) if names is not None else None,
        "novelty_note": novelty_note,
        "errors": errors,
    }


def _through_the_pipeline(sentences: list[GoldSentence], tagger: EntityTagger, segmenter: str
                          ) -> tuple[list[list[tuple[int, int, str]]], float, float]:
    """Each raw sentence as a run reads a one-line document: normalized and segmented by the stages
    (`analyse`), its entities found as the ner stage finds them with `tagger`, and their spans mapped
    back to the raw sentence, where gold is scored. Returns the spans and the seconds of each step."""
    settings = RunSettings(workers=1, normalize=Normalize.Settings(remove_boilerplate=False),  # a sentence, not a page
                           segment=Segment.Settings(backend=segmenter))
    started = time.perf_counter()
    analyses = analyse_texts([sentence.text for sentence in sentences], settings, until="segment")
    segmented = time.perf_counter()
    found = find_entities([(a.rows["normalize"]["text"], a.rows["normalize"]["sentences"], a.rows["segment"]["tokens"])
                           for a in analyses], tagger)
    tagged = time.perf_counter()
    predicted = []
    for analysis, entities in zip(analyses, found):
        offset_map = analysis.offset_map()
        predicted.append([(*offset_map.span_to_original(e["start"], e["end"]), e["label"]) for e in entities])
    return predicted, segmented - started, tagged - segmented


def _tag_documents(tagger: EntityTagger, sentences: list[GoldSentence], inputs: list) -> list[list]:
    """Entities of every sentence, each tagged with its document as context (see the module doc)."""
    if all(sentence.doc is None for sentence in sentences):
        return tagger.tag_documents([[(s.text, w) for s, w in zip(sentences, inputs)]], window=DOCUMENT_WINDOW)[0]
    tagged: list[list] = []
    start = 0
    while start < len(sentences):
        end = start
        while end < len(sentences) and sentences[end].doc == sentences[start].doc:
            end += 1
        tagged += tagger.tag_documents([[(s.text, w) for s, w in zip(sentences[start:end], inputs[start:end])]])[0]
        start = end
    return tagged
