"""The keywords stage: the top words and entities of each document by TF-IDF on segmented words
(so that `trí_tuệ_nhân_tạo` and `Sam_Altman` stay whole), and the tags of the user's rules.

Document frequencies come from a background model fitted on VNTC news (models/keywords, the
default: a document's keywords do not depend on what else is in the run) or from the run's own
corpus (scikit-learn's TfidfVectorizer). Scores are TfidfVectorizer's defaults: raw term count
times smooth idf, l2-normalized over all the document's candidate terms.

Which terms may be keywords (see `select`): a common noun or noun phrase must be established
vocabulary (in at least `min_noun_share` of the documents the frequencies were counted on: rare
nouns and one-off phrases identify a document but say nothing of what it is about); a name must be
known to the frequencies (in at least 3 of their documents) or mentioned at least
`name_min_mentions` times in the document (so `OpenAI` in an article about it, not every passer-by);
and at most `max_names` names make the top k, the best scored ones.
"""
from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..backends.model_files import model_dir, require
from ..errors import VnpipeError
from ..runtime.stage import Stage, file_digest
from ..backends.tags import TAG, load_rules, match_tags, rules_digest

KEYWORD = pa.struct([("term", pa.string()), ("score", pa.float32())])
# POS tags (VLSP tag set as our tagger writes it) of the words that can be keywords: common nouns,
# proper nouns (Np, and NNP for country and place names), abbreviations, borrowed nouns. Verbs,
# adjectives, classifiers (Nc), units (Nu) and function words never are.
KEYWORD_POS = frozenset({"N", "Np", "NNP", "Ny", "Nb"})
CASED_POS = frozenset({"Np", "NNP", "Ny"})  # proper nouns and abbreviations keep their case
PHRASE_MODIFIER_POS = frozenset({"N", "A"})  # a noun phrase: common noun + the noun or adjective after it
BACKGROUND_DIR = model_dir("keywords")
BACKGROUND = BACKGROUND_DIR / "document_frequencies.tsv"
DOCUMENT_FREQUENCIES = ("background", "corpus")
_NUMBER_LIKE = re.compile(r"^[\W\d_]*\d")  # 2007, 1cc, 30%, -5: numbers and quantities


@dataclass(frozen=True)
class Settings:
    top_k: int = 10
    min_score: float = 0.05
    document_frequencies: str = "background"  # or "corpus": fitted on the run's documents
    min_noun_share: float = 0.005  # a common noun or phrase must be in this share of documents (30 of 6,000)
    name_min_mentions: int = 2  # a name unknown to the frequencies must be mentioned this often
    max_names: int = 4  # at most this many names (entities, proper nouns, abbreviations) in the top k
    tag_rules: str | None = None  # a YAML file: tag -> keywords, entities, labels, regex (see tags.py)


class UnknownDocumentFrequencies(VnpipeError):
    def __init__(self, value: str) -> None:
        super().__init__(f"unknown document frequencies {value!r}; choose one of: {', '.join(DOCUMENT_FREQUENCIES)}")


class MissingBackgroundModel(VnpipeError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"the keyword background model {path} is missing. Rebuild it with `vnpipe train "
                         "keywords` (see models/keywords/MODEL_CARD.md), or run with --document-frequencies corpus")


@functools.cache
def stopwords() -> frozenset[str]:
    lines = require(BACKGROUND_DIR / "stopwords_vi.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_candidate(word: str) -> bool:
    """Punctuation, numbers, one-letter tokens and stopwords are never keywords."""
    return (len(word) >= 2 and any(c.isalpha() for c in word) and not _NUMBER_LIKE.match(word)
            and word.lower() not in stopwords())


def document_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[str]:
    """The candidate terms of one document, one per occurrence: the canonical name of each entity
    mention (so `Altman` counts for `Sam_Altman`), the nouns outside entities, and noun phrases of
    a common noun and the noun or adjective right after it (`trí_tuệ nhân_tạo`, `giá vàng`).
    Syllables of a term are joined by `_`; common nouns are lower-cased, and so is a capitalized
    proper noun outside entities that the document also uses as a common noun (`Cua` at the start
    of a sentence, `cua` elsewhere: one term)."""
    terms = [term for term in ("_".join(entity["canonical"].split()) for entity in entities) if is_candidate(term)]
    inside = _merged_spans(sorted((entity["start"], entity["end"]) for entity in entities))
    previous: dict[str, Any] | None = None  # the last common noun, while a phrase may continue it
    proper: list[int] = []  # positions in `terms` of proper nouns outside entities
    for token in tokens:
        word = "_".join(token["text"].split())
        if _inside(token["start"], inside) or not is_candidate(word):
            previous = None
            continue
        if previous is not None and token["pos"] in PHRASE_MODIFIER_POS and token["start"] == previous["end"] + 1 \
                and token["sentence"] == previous["sentence"]:
            terms.append(f"{previous['word']}_{word.lower()}")
        if token["pos"] in KEYWORD_POS:
            if token["pos"] in CASED_POS:
                proper.append(len(terms))
            terms.append(word if token["pos"] in CASED_POS else word.lower())
        previous = {"word": word.lower(), "end": token["end"], "sentence": token["sentence"]} \
            if token["pos"] == "N" else None
    if proper:
        common = set(terms) - {terms[i] for i in proper}
        for i in proper:
            if terms[i].lower() in common:
                terms[i] = terms[i].lower()
    return terms


def _merged_spans(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Spans sorted by start, merged into disjoint ones: (starts, ends)."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in spans:
        if start >= end:
            continue
        if starts and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _inside(position: int, spans: tuple[list[int], list[int]]) -> bool:
    """Whether `position` is in one of the merged `spans`: a binary search, so a long document
    costs tokens x log(entities), not tokens x entities."""
    k = bisect.bisect_right(spans[0], position) - 1
    return k >= 0 and position < spans[1][k]


# -- document frequencies ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentFrequencies:
    """How many of `documents` documents contain each term; gives each term its idf."""

    documents: int
    counts: dict[str, int]

    def idf(self, term: str) -> float:
        # scikit-learn's smooth idf; a term the model has never seen has document frequency 0.
        return math.log((1 + self.documents) / (1 + self.counts.get(term, 0))) + 1

    @classmethod
    def fit(cls, term_lists: Iterable[list[str]]) -> DocumentFrequencies:
        from sklearn.feature_extraction.text import TfidfVectorizer  # a second to import: only when fitting

        vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False, use_idf=False, norm=None, binary=True)
        matrix = vectorizer.fit_transform(term_lists)
        counts = matrix.sum(axis=0).A1.astype(int)
        return cls(matrix.shape[0], dict(zip(vectorizer.get_feature_names_out().tolist(), counts.tolist())))

    def write(self, path: Path, min_documents: int = 1) -> None:
        """A TSV `term<TAB>documents`, most frequent first; terms in fewer than `min_documents`
        documents are left out (they then count as unseen: the highest idf)."""
        kept = sorted(((t, n) for t, n in self.counts.items() if n >= min_documents), key=lambda item: (-item[1], item[0]))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            out.write(f"#documents\t{self.documents}\n")
            out.writelines(f"{term}\t{count}\n" for term, count in kept)

    @classmethod
    def read(cls, path: Path) -> DocumentFrequencies:
        if not path.is_file():
            raise MissingBackgroundModel(path)
        with path.open(encoding="utf-8") as lines:
            documents = int(next(lines).split("\t")[1])
            counts = {term: int(count) for term, count in (line.rstrip("\n").split("\t") for line in lines)}
        return cls(documents, counts)


@functools.cache
def background_model(path: Path = BACKGROUND) -> DocumentFrequencies:
    """The shipped background document frequencies, read once per process."""
    return DocumentFrequencies.read(require(path))


def is_name(term: str) -> bool:
    # Common nouns and phrases are lower-cased by document_terms; names and abbreviations keep capitals.
    return term != term.lower()


def score_terms(terms: list[str], frequencies: DocumentFrequencies) -> list[tuple[str, float]]:
    """TF-IDF of each distinct term (count times idf, l2-normalized over all of them), best first."""
    counts = Counter(terms)
    weights = {term: count * frequencies.idf(term) for term, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return sorted(((term, w / norm) for term, w in weights.items()), key=lambda item: (-item[1], item[0]))


KNOWN_NAME_DOCUMENTS = 3  # a name in this many documents of the frequencies is known (the model keeps no rarer term)


def select(terms: list[str], frequencies: DocumentFrequencies, settings: Settings) -> list[tuple[str, float]]:
    """The keywords of one document: its best-scored terms that may be keywords (see the module's
    docstring), at most `top_k`, scoring at least `min_score`, with at most `max_names` names."""
    mentions = Counter(terms)
    min_noun_documents = settings.min_noun_share * frequencies.documents
    chosen: list[tuple[str, float]] = []
    names = 0
    for term, score in score_terms(terms, frequencies):
        if score < settings.min_score or len(chosen) == settings.top_k:
            break
        documents = frequencies.counts.get(term, 0)
        if is_name(term):
            if names >= settings.max_names or (documents < KNOWN_NAME_DOCUMENTS
                                               and mentions[term] < settings.name_min_mentions):
                continue
            names += 1
        elif documents < min_noun_documents:
            continue
        chosen.append((term, score))
    return chosen


def _identity(terms: list[str]) -> list[str]:
    return terms


# -- the stage --------------------------------------------------------------------------------------

class Keywords(Stage):
    name = "keywords"
    version = "3"
    reads = {"normalize": ("text",), "segment": ("tokens",), "ner": ("entities",)}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("keywords", pa.list_(KEYWORD)), ("tags", pa.list_(TAG))])

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        if self.settings.document_frequencies not in DOCUMENT_FREQUENCIES:
            raise UnknownDocumentFrequencies(self.settings.document_frequencies)
        self.rules = load_rules(self.settings.tag_rules) if self.settings.tag_rules else []
        self.frequencies: DocumentFrequencies | None = None if self.corpus_level else background_model()

    @property
    def corpus_level(self) -> bool:  # type: ignore[override]
        # Background frequencies make each document's keywords independent of the rest of the run,
        # so only new or changed parts are recomputed; corpus frequencies need every document first.
        return self.settings.document_frequencies == "corpus"

    def model_checksum(self) -> str:
        parts = [f"background-{file_digest(require(BACKGROUND))}"] if not self.corpus_level else []
        if self.settings.tag_rules:
            parts.append(f"rules-{rules_digest(self.settings.tag_rules)}")
        return "+".join(parts)

    def fit(self, documents) -> None:
        self.frequencies = DocumentFrequencies.fit(document_terms(d["tokens"], d["entities"]) for d in documents)

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        if self.frequencies is None:
            raise RuntimeError("keywords: fit() must see the corpus before process()")
        keywords = [{"term": term, "score": score} for term, score
                    in select(document_terms(document["tokens"], document["entities"]), self.frequencies, self.settings)]
        tags = match_tags(self.rules, [k["term"] for k in keywords], document["entities"], document["text"])
        return {"keywords": keywords, "tags": tags}
