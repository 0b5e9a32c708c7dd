"""Word segmentation accuracy: word-span precision, recall and F1 against a gold file.

The input is the gold syllables joined by single spaces, so every backend sees the same text and
only the grouping of syllables into words is scored (the standard VLSP measure).
"""
from __future__ import annotations

import time
from pathlib import Path

from ..backends.wordseg import Segmenter

Span = tuple[int, int]


def read_gold(path: str | Path) -> list[list[str]]:
    """The words of each sentence of a gold file (one sentence a line, syllables joined by `_`)."""
    sentences = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            words = line.split()
            if words:
                sentences.append(words)
    return sentences


def gold_sentence(words: list[str]) -> tuple[str, set[Span]]:
    """The sentence a segmenter gets (syllables joined by spaces) and the gold word spans in it."""
    spans, position = set(), 0
    pieces = []
    for word in words:
        text = word.replace("_", " ")
        spans.add((position, position + len(text)))
        pieces.append(text)
        position += len(text) + 1
    return " ".join(pieces), spans


def evaluate(gold_path: str | Path, segmenter: Segmenter) -> dict:
    """Score `segmenter` on `gold_path`.

    Spans are compared as character spans of the space-joined syllables, which is the same as
    comparing syllable-index spans: a predicted word counts only if it starts and ends exactly where
    a gold word does.
    """
    gold = [gold_sentence(words) for words in read_gold(gold_path)]
    true_positives = predicted = expected = 0
    started = time.perf_counter()
    segmented = segmenter.segment_many([sentence for sentence, _ in gold])
    seconds = time.perf_counter() - started
    for (sentence, gold_spans), words in zip(gold, segmented):
        predicted_spans = {(start, end) for start, end, _ in words}
        true_positives += len(predicted_spans & gold_spans)
        predicted += len(predicted_spans)
        expected += len(gold_spans)
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "gold": str(gold_path),
        "segmenter": segmenter.name,
        "checksum": segmenter.checksum(),
        "sentences": len(gold),
        "words": expected,
        "precision": round(100 * precision, 2),
        "recall": round(100 * recall, 2),
        "f1": round(100 * f1, 2),
        "sentences_per_second": round(len(gold) / seconds, 1) if seconds else 0.0,
    }
