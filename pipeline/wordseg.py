"""Word segmenters behind one interface: a sentence in, word spans with POS tags out.

The segment stage picks a backend by name (`get_segmenter`) and never needs to know which one
it has. Each backend is loaded once per process.
"""
from __future__ import annotations

import functools
from importlib.metadata import version
from typing import Protocol

from .offsets import align_tokens

Word = tuple[int, int, str]  # start, end (offsets into the sentence), POS tag


class Segmenter(Protocol):
    name: str

    def checksum(self) -> str:
        """Identifies the model, so outputs made with another one are recomputed."""

    def segment(self, sentence: str) -> list[Word]:
        """Word spans of `sentence`, in order, with a POS tag each."""


class UndertheseaSegmenter:
    """underthesea's CRF segmenter and POS tagger (trained on VLSP 2013)."""

    name = "underthesea"

    def __init__(self) -> None:
        from underthesea import pos_tag  # imported here: it loads its model on first use

        self._pos_tag = pos_tag

    def checksum(self) -> str:
        return f"underthesea-{version('underthesea')}"

    def segment(self, sentence: str) -> list[Word]:
        tagged = self._pos_tag(sentence)
        spans = align_tokens(sentence, (word for word, _ in tagged))
        return [(start, end, tag) for (start, end), (_, tag) in zip(spans, tagged)]


BACKENDS = {"underthesea": UndertheseaSegmenter}


@functools.cache
def get_segmenter(name: str) -> Segmenter:
    """The segmenter called `name`, loaded once per process."""
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(BACKENDS)}") from None
    return backend()
