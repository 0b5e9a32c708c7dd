"""underthesea's CRF NER (trained on VLSP 2016) as an entity tagger; it segments the sentence itself."""
from __future__ import annotations

from importlib.metadata import version

from ...text.offsets import align_tokens
from ..names import spans_from_bio
from ..registry import Entity, Sentence, Word


class UndertheseaTagger:
    """underthesea's CRF NER (trained on VLSP 2016); it segments the sentence itself."""

    name = "underthesea"
    sees_documents = False
    model_dir = None  # its model ships in its package; its training names are unknown

    def __init__(self) -> None:
        from underthesea import ner

        self._ner = ner

    def checksum(self) -> str:
        return f"underthesea-{version('underthesea')}"

    def tag_sentences(self, sentences: list[Sentence]) -> list[list[Entity]]:
        return [self.tag(sentence, words) for sentence, words in sentences]

    def tag_documents(self, documents: list[list[Sentence]], window: int | None = None) -> list[list[list[Entity]]]:
        return [self.tag_sentences(document) for document in documents]

    def tag(self, sentence: str, words: list[Word]) -> list[Entity]:
        rows = self._ner(sentence)
        spans = align_tokens(sentence, (row[0] for row in rows))
        tags = [row[-1] for row in rows]
        return [(s, e, label, float("nan")) for s, e, label in spans_from_bio(spans, tags)]

