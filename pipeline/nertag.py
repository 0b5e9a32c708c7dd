"""Named-entity taggers behind one interface: a segmented sentence in, entity spans out.

The ner stage picks a backend by name (`get_tagger`); each backend is loaded once per process.
"""
from __future__ import annotations

import functools
from importlib.metadata import version
from typing import Protocol

from .offsets import align_tokens
from .wordseg import Word

Entity = tuple[int, int, str, float]  # start, end (offsets into the sentence), label, confidence
LABELS = ("PER", "ORG", "LOC", "MISC")


class EntityTagger(Protocol):
    name: str

    def checksum(self) -> str:
        """Identifies the model, so outputs made with another one are recomputed."""

    def tag(self, sentence: str, words: list[Word]) -> list[Entity]:
        """Entity spans of `sentence`, whose words the segment stage found."""


def spans_from_bio(spans: list[tuple[int, int]], tags: list[str]) -> list[tuple[int, int, str]]:
    """Join BIO-tagged token spans into (start, end, label) entities; a stray I- starts one."""
    entities: list[tuple[int, int, str]] = []
    current: list | None = None
    for (start, end), tag in zip(spans, tags):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and current is not None and current[2] == label:
            current[1] = end
            continue
        if current is not None:
            entities.append(tuple(current))
            current = None
        if prefix in ("B", "I") and label:
            current = [start, end, label]
    if current is not None:
        entities.append(tuple(current))
    return entities


class UndertheseaTagger:
    """underthesea's CRF NER (trained on VLSP 2016); it segments the sentence itself."""

    name = "underthesea"

    def __init__(self) -> None:
        from underthesea import ner

        self._ner = ner

    def checksum(self) -> str:
        return f"underthesea-{version('underthesea')}"

    def tag(self, sentence: str, words: list[Word]) -> list[Entity]:
        rows = self._ner(sentence)
        spans = align_tokens(sentence, (row[0] for row in rows))
        tags = [row[-1] for row in rows]
        return [(s, e, label, float("nan")) for s, e, label in spans_from_bio(spans, tags)]


BACKENDS = {"underthesea": UndertheseaTagger}


@functools.cache
def get_tagger(name: str) -> EntityTagger:
    """The entity tagger called `name`, loaded once per process."""
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown NER tagger {name!r}; choose one of {', '.join(BACKENDS)}") from None
    return backend()
