"""Topical quality of keywords: predict each document's topic (a metadata field such as VNTC's
`topic`) from its top-10 keywords alone, cross-validated, against a plain syllable TF-IDF baseline.

The VNTC samples are fixed by a hash of each article's id: one article in five belongs to the
evaluation pool, the rest to the pool the background document frequencies are fitted on, so the
evaluation never scores articles the background model has seen.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..outputs import results

VNTC = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "vntc"
EVAL_POOL = "evaluation"
BACKGROUND_POOL = "background"


def pool_of(article_id: str) -> str:
    """Which pool a VNTC article belongs to: one in five (by hash of its id) is for evaluation."""
    digest = int(hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).hexdigest(), 16)
    return EVAL_POOL if digest % 5 == 0 else BACKGROUND_POOL


def sample_vntc(out: str | Path, per_topic: int, pool: str, vntc: str | Path = VNTC, skip: int = 0) -> dict[str, int]:
    """Write a JSONL of `per_topic` articles of each VNTC topic from `pool`, chosen by hash order
    (deterministic, no random seed) after the first `skip`; returns the count per topic. The
    background model uses the first 600 of the background pool; the development sample used to
    tune keyword selection is the next 150 (`skip=600`), so it is neither fitted nor evaluated on."""
    counts = {}
    with open(out, "w", encoding="utf-8") as sink:
        for path in sorted(Path(vntc).glob("*.jsonl")):
            chosen = sorted(_articles_of_pool(path, pool), key=lambda a: _hash_order(a["id"]))[skip:skip + per_topic]
            for article in sorted(chosen, key=lambda a: a["id"]):
                sink.write(json.dumps(article, ensure_ascii=False) + "\n")
            counts[path.stem] = len(chosen)
    return counts


def _articles_of_pool(path: Path, pool: str) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            if pool_of(article["id"]) == pool:
                yield article


def _hash_order(article_id: str) -> str:
    return hashlib.blake2b(f"order\0{article_id}".encode("utf-8"), digest_size=8).hexdigest()


# -- the evaluation ---------------------------------------------------------------------------------

def evaluate(run: str | Path, field: str = "topic", k: int = 10, folds: int = 5) -> dict[str, Any]:
    """Macro-F1 of predicting `field` from each document's top-`k` keywords (the run's keywords
    stage) and from the top-`k` syllables of a plain TF-IDF of the normalized text (the baseline),
    with the same classifier under the same stratified `folds`-fold cross-validation."""
    metadata = results.read_stage(run, "ingest").set_index("doc_id")["metadata"]
    labels = metadata.map(lambda text: json.loads(text or "{}").get(field))
    keywords = results.read_stage(run, "keywords").set_index("doc_id")["keywords"]
    texts = results.read_stage(run, "normalize").set_index("doc_id")["text"]
    doc_ids = [d for d in keywords.index if labels.get(d) is not None]
    if len({labels[d] for d in doc_ids}) < 2:
        raise ValueError(f"the documents of {run} need at least two values of the metadata field {field!r}")
    y = [labels[d] for d in doc_ids]
    ours = [[item["term"] for item in keywords[d][:k]] for d in doc_ids]
    baseline = syllable_tfidf_top(texts[doc_ids].tolist(), k)
    manifest = json.loads((Path(run) / "keywords" / "_manifest.json").read_text(encoding="utf-8"))
    return {
        "run": str(run), "field": field, "documents": len(doc_ids), "classes": len(set(y)), "k": k,
        "folds": folds, "classifier": "MultinomialNB on the binary bag of the top-k terms",
        "keywords_settings": manifest.get("settings", {}),
        "keywords": _cross_validate(ours, y, folds),
        "baseline_syllable_tfidf": _cross_validate(baseline, y, folds),
        "empty_keyword_lists": sum(1 for terms in ours if not terms),
    }


def syllable_tfidf_top(texts: list[str], k: int) -> list[list[str]]:
    """The baseline: the top-`k` lower-cased syllables of each text by scikit-learn's default
    TF-IDF fitted on these texts (no stopwords, no words, no POS)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(texts).tocsr()
    vocabulary = vectorizer.get_feature_names_out()
    tops = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        order = np.lexsort((vocabulary[matrix.indices[start:end]], -matrix.data[start:end]))[:k]
        tops.append([str(vocabulary[matrix.indices[start + i]]) for i in order])
    return tops


def _cross_validate(term_lists: list[list[str]], y: list[str], folds: int) -> dict[str, Any]:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(CountVectorizer(analyzer=_terms, binary=True, lowercase=False),
                          MultinomialNB())
    started = time.perf_counter()
    predicted = cross_val_predict(model, term_lists, y, cv=StratifiedKFold(folds, shuffle=True, random_state=0))
    classes = sorted(set(y))
    per_class = f1_score(y, predicted, labels=classes, average=None)
    return {"macro_f1": round(float(f1_score(y, predicted, average="macro")), 4),
            "accuracy": round(float(np.mean(np.array(predicted) == np.array(y))), 4),
            "per_class_f1": {c: round(float(f), 4) for c, f in zip(classes, per_class)},
            "seconds": round(time.perf_counter() - started, 1)}


def _terms(terms: list[str]) -> list[str]:
    return terms
