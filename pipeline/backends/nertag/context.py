"""The names a document's other sentences found, as context for tagging one of them: what the CRF's
second pass reads, so a name is tagged alike across the document."""
from __future__ import annotations

from collections.abc import Iterable

from ..names import _GAZETTEER_MAX_SYLLABLES, gazetteer_tags, normalize_token, syllables_of
from ..registry import Word

def _mentions(sentence: str, words: list[Word], context) -> bool:
    """Whether a name of `context` occurs in the sentence: if none does, the context adds no
    feature and the second pass would tag the sentence as the first did."""
    if not context:
        return False
    texts = [normalize_token(sentence[s:e]) for s, e, _, _ in syllables_of(sentence, words)]
    return any(tag != "O" for tag in gazetteer_tags(texts, context))


def document_names(sentence: str, entities: Iterable[tuple]) -> list[tuple[tuple[str, ...], str]]:
    """(name syllables, label) of a sentence's entities, as the context of its neighbours sees them."""
    names = []
    for start, end, label, *_ in entities:
        name = tuple(normalize_token(sentence[start:end]).split())
        # A name starts and ends with a letter or digit (gold sometimes tags a lone quote).
        if 0 < len(name) <= _GAZETTEER_MAX_SYLLABLES and name[0][0].isalnum() and name[-1][-1].isalnum():
            names.append((name, label))
    return names


def names_context(groups: Iterable[list[tuple[tuple[str, ...], str]]]) -> dict[tuple[str, ...], str]:
    """Each name's most frequent label in the other sentences (ties: first seen)."""
    counts: dict[tuple[str, ...], dict[str, int]] = {}
    for names in groups:
        for name, label in names:
            labels = counts.setdefault(name, {})
            labels[label] = labels.get(label, 0) + 1
    return {name: max(labels, key=labels.get) for name, labels in counts.items()}


class DocumentNames:
    """The names of every sentence of a document, counted once; `without(k)` is what
    `names_context` gives for all the sentences but sentence k, worked out only for the names
    looked up (so a 60,000-sentence document costs its names once, not once per sentence)."""

    def __init__(self, found: list[list[tuple[tuple[str, ...], str]]]) -> None:
        self.found = found
        self.counts: dict[tuple[str, ...], dict[str, int]] = {}
        # Where each (name, label) was first seen, and first seen in a later sentence than that:
        # the tie-break of names_context (first seen) once one sentence is left out.
        self.first: dict[tuple[tuple[str, ...], str], tuple[int, int]] = {}
        self.second: dict[tuple[tuple[str, ...], str], tuple[int, int]] = {}
        for index, names in enumerate(found):
            for position, (name, label) in enumerate(names):
                labels = self.counts.setdefault(name, {})
                labels[label] = labels.get(label, 0) + 1
                key = (name, label)
                seen = self.first.setdefault(key, (index, position))
                if seen[0] != index:
                    self.second.setdefault(key, (index, position))
        self.total = sum(len(names) for names in found)
        self.best = {name: max(labels, key=labels.get) for name, labels in self.counts.items()}

    def without(self, index: int) -> "_NamesElsewhere":
        return _NamesElsewhere(self, index)


class _NamesElsewhere:
    """names_context of every sentence of a document but one, looked up name by name."""

    def __init__(self, document: DocumentNames, index: int) -> None:
        self.document, self.index = document, index
        self.own: dict[tuple[str, ...], dict[str, int]] = {}
        for name, label in document.found[index]:
            labels = self.own.setdefault(name, {})
            labels[label] = labels.get(label, 0) + 1
        self.size = document.total - len(document.found[index])

    def __bool__(self) -> bool:
        return self.size > 0

    def get(self, name: tuple[str, ...], default: str | None = None) -> str | None:
        own = self.own.get(name)
        if own is None:
            return self.document.best.get(name, default)
        document = self.document
        remaining = [(count - own.get(label, 0), label)
                     for label, count in document.counts[name].items() if count > own.get(label, 0)]
        if not remaining:
            return default
        most = max(count for count, _ in remaining)

        def first_seen(label: str) -> tuple[int, int]:
            seen = document.first[(name, label)]
            return seen if seen[0] != self.index else document.second[(name, label)]

        return min((label for count, label in remaining if count == most), key=first_seen)

    def as_dict(self) -> dict[tuple[str, ...], str]:
        """Every name and its label (for tests and inspection; tagging only looks names up)."""
        found = {}
        for name in self.document.counts:
            label = self.get(name)
            if label is not None:
                found[name] = label
        return found


# The CRF trained for names never seen in training (models/ner-unseen/MODEL_CARD.md).
