"""What the ranker knows of each candidate term of a document: how often and where the document
mentions it, what kind of term it is, and how common it is in the background."""
from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .frequencies import DocumentFrequencies
from .terms import KINDS, ScannedTerms
from .words import is_name, person_group

# The features, in the order of the ranker's weights (models/keywords/ranker.json).
FEATURES = ("log_mentions", "most", "tfidf", "rank", "idf", "first", "spread", "sentences", "leading", "inside", "syllables",
            "one_syllable", "name", "known", "log_share", "generic", "learned", "person") + tuple(
    f"kind_{kind}" for kind in KINDS)


@dataclass(frozen=True)
class Candidate:
    term: str  # as the document writes it most often: its case variants are one term (`Bitcoin`, `bitcoin`)
    mentions: int
    first: float  # where the first mention is, as a share of the document (0: the start)
    spread: float  # from the first mention to the last, as a share of the document
    sentences: float  # the share of the document's sentences that mention it
    leading: bool  # mentioned in the title or lead
    kind: str  # one of terms.KINDS
    inside: float  # the share of its mentions inside a longer candidate's (`mây` of `điện_toán_đám_mây`)


def fold_case(scanned: ScannedTerms) -> ScannedTerms:
    """The scan with the case variants of a term as one term, written as the document writes it most
    often (the name on a tie): `bitcoin` and `Bitcoin`, `HTML` and `html`, `Ngân_hàng` and `ngân_hàng`."""
    forms: dict[str, dict[str, int]] = {}
    for term, count in Counter(scanned.terms).items():
        forms.setdefault(term.lower(), {})[term] = count
    if len(forms) == sum(len(written) for written in forms.values()):
        return scanned
    chosen = {key: max(written, key=lambda t: (written[t], is_name(t), t)) for key, written in forms.items()}

    def folded(term: str) -> str:
        return chosen.get(term.lower(), term)

    kinds: dict[str, str] = {}
    for term, kind in scanned.kinds.items():  # the kind of the form written, else of a variant
        if term == folded(term) or folded(term) not in kinds:
            kinds[folded(term)] = kind
    return scanned._replace(terms=[folded(t) for t in scanned.terms], topical={folded(t) for t in scanned.topical},
                            leading={folded(t) for t in scanned.leading}, kinds=kinds,
                            adjectival={folded(t) for t in scanned.adjectival},
                            truncated=Counter({folded(t): n for t, n in scanned.truncated.items()}))


def candidates(scanned: ScannedTerms, terms: Iterable[str] | None = None) -> dict[str, Candidate]:
    """The distinct terms of a (case-folded) scan, or those of `terms`, with where and how often the
    document mentions them."""
    wanted = set(terms) if terms is not None else set(scanned.terms)
    length = max(scanned.length, 1)
    sentences = max(len(scanned.sentence_starts), 1)
    mentions: Counter = Counter(scanned.terms)
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    in_sentences: dict[str, set[int]] = {}
    for term, start in zip(scanned.terms, scanned.starts):
        if term in wanted:
            first[term] = min(first.get(term, start), start)  # entities come first, then words, then phrases
            last[term] = max(last.get(term, start), start)
            in_sentences.setdefault(term, set()).add(bisect.bisect_right(scanned.sentence_starts, start) - 1)
    inside = _mentions_inside_longer(mentions, wanted)
    return {term: Candidate(term, mentions[term], first[term] / length, (last[term] - first[term]) / length,
                            len(in_sentences[term]) / sentences, term in scanned.leading,
                            scanned.kinds.get(term, "noun"), min(1.0, inside[term] / mentions[term]))
            for term in wanted if term in first}


def features(candidate: Candidate, tfidf: float, idf: float, rank: float, most: int,
             frequencies: DocumentFrequencies) -> list[float]:
    """The candidate's feature vector, in the order of FEATURES: `rank` is its place by TF-IDF among
    the candidates (0: first, 1: last), `most` the mentions of the most mentioned candidate."""
    syllables = candidate.term.count("_") + 1
    seen = frequencies.count(candidate.term)
    share = frequencies.share(candidate.term)
    vector = [math.log1p(candidate.mentions), candidate.mentions / max(most, 1), tfidf, rank, idf, candidate.first, candidate.spread, candidate.sentences,
              float(candidate.leading), candidate.inside, float(min(syllables, 6)), float(syllables == 1),
              float(is_name(candidate.term)), float(seen > 0), math.log10(max(share, 1e-5)),
              frequencies.spread(candidate.term) / 10 if seen else 0.0, float(frequencies.learned(candidate.term)),
              float(person_group(candidate.term) is not None)]
    return vector + [float(candidate.kind == kind) for kind in _KIND_OF_FEATURE]


_KIND_OF_FEATURE = [name[len("kind_"):] for name in FEATURES if name.startswith("kind_")]


def _mentions_inside_longer(mentions: Counter, wanted: set[str]) -> Counter:
    """Per term of `wanted`, the mentions of the longer terms that contain it, whole syllables
    (`điện_toán` and `đám_mây` in `điện_toán_đám_mây`)."""
    by_key = {term.lower(): term for term in wanted}
    inside: Counter = Counter()
    for term, count in mentions.items():
        syllables = term.lower().split("_")
        for i in range(len(syllables)):
            for j in range(i + 1, len(syllables) + 1 - (i == 0)):  # proper parts only
                part = by_key.get("_".join(syllables[i:j]))
                if part is not None:
                    inside[part] += count
    return inside
