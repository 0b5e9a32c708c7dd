"""The multi-word terms learned from unlabeled text (`models/keywords/terms.tsv`), and the key they
are looked up by."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ...backends.model_files import require
from ...text.vietnamese import MODERN, apply_tone_style
from .words import TERMS


@dataclass(frozen=True)
class LearnedTerms:
    """Terms learned from unlabeled text (`models/keywords/terms.tsv`, `vnpipe train keyword-terms`):
    runs of 2 to 4 syllables that are strong collocations in VNTC and viwiki (`tiền ảo`, `cô gái`,
    `thương mại điện tử`), and single syllables, each with its occurrences and the documents of each
    corpus it is in. Keys are lower-case syllables joined by spaces, in the modern tone style."""

    documents: dict[str, int]  # corpus -> its documents
    occurrences: dict[str, int]
    document_counts: dict[str, tuple[int, ...]]  # term -> documents of each corpus, in `documents`' order

    def __contains__(self, key: str) -> bool:
        return key in self.occurrences

    @functools.cached_property
    def prefixes(self) -> frozenset[str]:
        """The first 1 to 3 syllables of every multi-syllable term: a run of words that is none of
        these begins no learned term (`join_learned_terms` stops there)."""
        found = set()
        for term in self.occurrences:
            syllables = term.split(" ")
            found.update(" ".join(syllables[:k]) for k in range(1, len(syllables)))
        return frozenset(found)

    def share(self, key: str) -> float:
        """The share of all the corpora's documents the term is in."""
        return sum(self.document_counts.get(key, ())) / max(sum(self.documents.values()), 1)

    @classmethod
    def read(cls, path: Path) -> LearnedTerms:
        occurrences, document_counts = {}, {}
        with path.open(encoding="utf-8") as lines:
            corpora = dict(item.split("=") for item in next(lines).rstrip("\n").split("\t")[1:])
            next(lines)  # the column names
            for line in lines:
                term, count, _npmi, *documents = line.rstrip("\n").split("\t")
                occurrences[term] = int(count)
                document_counts[term] = tuple(map(int, documents))
        return cls({name: int(n) for name, n in corpora.items()}, occurrences, document_counts)


@functools.cache
def learned_terms(path: Path = TERMS) -> LearnedTerms:
    """The shipped learned terms, read once per process."""
    return LearnedTerms.read(require(path))


@functools.lru_cache(maxsize=200_000)
def term_key(text: str) -> str:
    """A term or token text as the learned terms write it: `Tiền_ảo`, `tiền ảo` -> `tiền ảo`."""
    return apply_tone_style(" ".join(text.replace("_", " ").split()).lower(), MODERN)
