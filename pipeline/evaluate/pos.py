"""POS tagging accuracy against a gold file with a POS column (VLSP 2016's `*.5col.conll`).

Each backend gets the raw sentence (the gold syllables joined by spaces) and segments it itself, so
its words need not be the gold's: accuracy is counted over the gold words whose boundaries the
backend found exactly (`matched`, reported beside it). Tags are compared in the one tag set
(postags.py: underthesea's and pyvi's `Np` is our `NNP`), with the two classifier tags `Nc` and
`Ns` counted as one: VLSP 2013's set, which underthesea and pyvi are trained on, has one classifier
tag for both. `exact` is the accuracy without that equivalence.
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from ..backends.postags import tag_in_tagset
from ..backends.wordseg import Segmenter

SAME_TAG = {"Ns": "Nc"}  # counted as one tag by `accuracy`


def read_gold(path: str | Path, column: int = 1) -> list[list[tuple[str, str]]]:
    """The (word, tag) pairs of each sentence of a CoNLL file: word in the first column (syllables
    joined by `_`), tag in `column`, a blank line between sentences."""
    sentences, words = [], []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            fields = line.rstrip("\n").split("\t")
            if not line.strip():
                if words:
                    sentences.append(words)
                words = []
            elif len(fields) <= column:
                raise ValueError(f"{path}, line {number}: no POS column (expected `word<TAB>POS<TAB>...`, "
                                 "as in VLSP 2016's *.5col.conll)")
            else:
                words.append((fields[0], tag_in_tagset(fields[column])))
    if words:
        sentences.append(words)
    return sentences


def gold_sentence(words: list[tuple[str, str]]) -> tuple[str, dict[tuple[int, int], str]]:
    """The sentence a backend gets (syllables joined by spaces) and the gold tag of each word span."""
    spans, pieces, position = {}, [], 0
    for word, tag in words:
        text = word.replace("_", " ")
        spans[(position, position + len(text))] = tag
        pieces.append(text)
        position += len(text) + 1
    return " ".join(pieces), spans


def evaluate(gold_path: str | Path, segmenter: Segmenter) -> dict:
    """Score `segmenter`'s POS tags on `gold_path`: accuracy over the gold words it segments as the
    gold does, and the most frequent confusions (gold tag -> its tag)."""
    gold = [gold_sentence(words) for words in read_gold(gold_path)]
    tokens = matched = correct = exact = 0
    confusions: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    segmented = segmenter.segment_many([sentence for sentence, _ in gold])
    seconds = time.perf_counter() - started
    for (sentence, gold_tags), words in zip(gold, segmented):
        tokens += len(gold_tags)
        for start, end, tag in words:
            expected = gold_tags.get((start, end))
            if expected is None:
                continue
            matched += 1
            exact += tag == expected
            if SAME_TAG.get(tag, tag) == SAME_TAG.get(expected, expected):
                correct += 1
            else:
                confusions[(expected, tag)] += 1
    return {
        "gold": str(gold_path),
        "segmenter": segmenter.name,
        "checksum": segmenter.checksum(),
        "sentences": len(gold),
        "tokens": tokens,
        "matched": round(100 * matched / tokens, 2) if tokens else 0.0,
        "accuracy": round(100 * correct / matched, 2) if matched else 0.0,
        "exact": round(100 * exact / matched, 2) if matched else 0.0,
        "confusions": [{"gold": g, "tagged": t, "count": n} for (g, t), n in confusions.most_common(10)],
        "sentences_per_second": round(len(gold) / seconds, 1) if seconds else 0.0,
    }
