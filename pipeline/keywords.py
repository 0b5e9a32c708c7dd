"""The keywords stage: the top words and entities of each document by TF-IDF over the corpus
(scikit-learn), on segmented words so that `trí_tuệ_nhân_tạo` and `Sam_Altman` stay whole."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import pyarrow as pa
from sklearn.feature_extraction.text import TfidfVectorizer

from .stage import Stage

KEYWORD = pa.struct([("term", pa.string()), ("score", pa.float32())])
# POS tags (VLSP tag set) of the words that can be keywords: nouns, proper nouns, abbreviations.
KEYWORD_POS = frozenset({"N", "Np", "Ny", "Nb", "Nu"})


@dataclass(frozen=True)
class Settings:
    top_k: int = 10
    min_score: float = 0.05


@functools.cache
def stopwords() -> frozenset[str]:
    lines = files("pipeline.resources").joinpath("stopwords_vi.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def document_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[str]:
    """The candidate terms of one document: entity canonical names, then content words outside
    entities. Words keep their syllables joined by `_`; common words are lower-cased."""
    terms = ["_".join(entity["canonical"].split()) for entity in entities]
    inside = [(entity["start"], entity["end"]) for entity in entities]
    stop = stopwords()
    for token in tokens:
        if token["pos"] not in KEYWORD_POS or any(s <= token["start"] < e for s, e in inside):
            continue
        word = "_".join(token["text"].split())
        if len(word) < 2 or not any(c.isalpha() for c in word) or word.lower() in stop:
            continue
        terms.append(word if token["pos"] == "Np" else word.lower())
    return terms


class Keywords(Stage):
    name = "keywords"
    version = "1"
    reads = {"segment": ("tokens",), "ner": ("entities",)}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("keywords", pa.list_(KEYWORD))])
    corpus_level = True  # document frequencies come from the whole run's corpus

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.vectorizer: TfidfVectorizer | None = None
        self.vocabulary: list[str] = []

    def fit(self, documents) -> None:
        vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
        vectorizer.fit(document_terms(d["tokens"], d["entities"]) for d in documents)
        self.vectorizer = vectorizer
        self.vocabulary = vectorizer.get_feature_names_out().tolist()

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        if self.vectorizer is None:
            raise RuntimeError("keywords: fit() must see the corpus before process()")
        terms = document_terms(document["tokens"], document["entities"])
        if not terms:
            return {"keywords": []}
        vector = self.vectorizer.transform([terms]).tocoo()
        vocabulary = self.vocabulary
        ranked = sorted(zip(vector.data, vector.col), key=lambda item: (-item[0], vocabulary[item[1]]))
        keywords = [{"term": vocabulary[col], "score": float(score)} for score, col in ranked
                    if score >= self.settings.min_score][: self.settings.top_k]
        return {"keywords": keywords}


def _identity(terms: list[str]) -> list[str]:
    return terms
