"""Trains the shipped NER model (`models/ner/model.crfsuite`) from VLSP 2016 and 2018 train.

VLSP 2016 train comes with gold words; VLSP 2018 train is syllable-level, so its words come
from a segmenter. The CRF tags syllables, so an entity need not line up with a word.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from ..evaluate.ner import GoldSentence, read_conll, score
from ..nertag import (CLUSTERS_FILE, GAZETTEER_FILE, MODEL_DIR, MODEL_FILE, load_clusters,
                      load_gazetteer, sentence_features, spans_from_bio)
from ..wordseg import get_segmenter

DEFAULT_EVAL_DIR = MODEL_DIR.parents[2] / "shared" / "eval" / "ner"
TRAIN_FILES = ("vlsp2016/word/train.conll", "vlsp2018/syllable/train.conll")
SETTINGS = {"algorithm": "lbfgs", "c1": 0.05, "c2": 0.01, "max_iterations": 200,
            "feature.possible_transitions": True}


def syllable_labels(spans: list[tuple[int, int]], entities: list[tuple[int, int, str]]) -> list[str]:
    """BIO tag of each syllable span from character-span entities."""
    labels = ["O"] * len(spans)
    for start, end, label in entities:
        for k, (s, e) in enumerate(spans):
            if s >= start and e <= end:
                labels[k] = ("B-" if s == start else "I-") + label
    return labels


def load_training_data(eval_dir: Path, segmenter_name: str) -> dict[str, list[GoldSentence]]:
    """Train sentences per file, each with words (gold, or from `segmenter_name`)."""
    corpora = {}
    segmenter = get_segmenter(segmenter_name)
    for name in TRAIN_FILES:
        sentences = read_conll(Path(eval_dir) / name)
        for sentence in sentences:
            if sentence.words is None:
                sentence.words = segmenter.segment(sentence.text)
        corpora[name] = sentences
    return corpora


def split(sentences: list, holdout: float) -> tuple[list, list]:
    """The first part to train on and the last `holdout` fraction held out (documents stay together)."""
    cut = len(sentences) - int(len(sentences) * holdout)
    return sentences[:cut], sentences[cut:]


def train(out_dir: Path = MODEL_DIR, eval_dir: Path = DEFAULT_EVAL_DIR, segmenter_name: str = "underthesea",
          holdout: float = 0.0, settings: dict | None = None, corpora: dict | None = None) -> dict:
    """Train the CRF into `out_dir/model.crfsuite` and return a summary.

    With `holdout` > 0 the last fraction of each train file is held out and scored (for tuning);
    0 reproduces the shipped model. Training is deterministic (L-BFGS, fixed data order).
    The gazetteer and clusters are read from `out_dir` (or the shipped ones when missing).
    """
    import pycrfsuite

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = {**SETTINGS, **(settings or {})}
    resources = out_dir if (out_dir / GAZETTEER_FILE).exists() else MODEL_DIR
    gazetteer = load_gazetteer([resources / GAZETTEER_FILE])
    clusters = load_clusters(resources / CLUSTERS_FILE)
    started = time.perf_counter()
    corpora = corpora or load_training_data(eval_dir, segmenter_name)
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.select(settings["algorithm"])
    trainer.set_params({k: v for k, v in settings.items() if k != "algorithm"})
    held_out, counts = {}, {}
    for name, sentences in corpora.items():
        train_part, held_out[name] = split(sentences, holdout)
        counts[name] = len(train_part)
        for sentence in train_part:
            spans, features = sentence_features(sentence.text, sentence.words, gazetteer, clusters)
            if spans:
                trainer.append(features, syllable_labels(spans, sentence.entities))
    prepared = time.perf_counter()
    model_path = out_dir / MODEL_FILE
    trainer.train(str(model_path))
    finished = time.perf_counter()
    summary = {"model": str(model_path), "bytes": model_path.stat().st_size, "settings": settings,
               "segmenter": segmenter_name, "train_sentences": counts,
               "prepare_seconds": round(prepared - started, 1), "train_seconds": round(finished - prepared, 1),
               "iterations": trainer.logparser.last_iteration.get("num") if trainer.logparser.last_iteration else None}
    if holdout:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(model_path))
        summary["holdout"] = {}
        for name, sentences in held_out.items():
            predicted = []
            for sentence in sentences:
                spans, features = sentence_features(sentence.text, sentence.words, gazetteer, clusters)
                predicted.append(spans_from_bio(spans, tagger.tag(features)) if spans else [])
            result = score([s.entities for s in sentences], predicted)
            summary["holdout"][name] = {"sentences": len(sentences), "micro": result["micro"],
                                        "f1": {k: v["f1"] for k, v in result["labels"].items()}}
    (out_dir / "training.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return summary


DEFAULT_CORPUS_DIR = MODEL_DIR.parents[2] / "shared" / "corpora" / "vntc"


def build_clusters(out_path: Path = MODEL_DIR / CLUSTERS_FILE, corpus_dir: Path = DEFAULT_CORPUS_DIR,
                   vocabulary: int = 30_000, contexts: int = 3_000, dimensions: int = 100,
                   coarse: int = 64, fine: int = 512) -> dict:
    """Cluster frequent lower-cased syllables of unlabeled news by their neighbours.

    Each syllable is described by the positive PMI of its left and right neighbours (the
    `contexts` most frequent syllables), reduced by SVD and grouped by k-means at two
    granularities; the file holds `syllable<TAB>coarse/fine`. Deterministic (fixed seeds).
    """
    import re
    from collections import Counter

    import numpy as np
    from scipy import sparse
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    from ..nertag import normalize_token

    token_pattern = re.compile(r"\w+", re.UNICODE)
    started = time.perf_counter()
    documents = []
    counts: Counter = Counter()
    for path in sorted(Path(corpus_dir).glob("*.jsonl")):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                tokens = [normalize_token(t).lower() for t in token_pattern.findall(json.loads(line)["text"])]
                counts.update(tokens)
                documents.append(tokens)
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:vocabulary]]
    index = {w: i for i, w in enumerate(words)}
    rows, cols = [], []
    for tokens in documents:
        ids = [index.get(t, -1) for t in tokens]
        for a, b in zip(ids, ids[1:]):
            if a >= 0 and 0 <= b < contexts:
                rows.append(a), cols.append(contexts + b)  # right neighbour
            if b >= 0 and 0 <= a < contexts:
                rows.append(b), cols.append(a)  # left neighbour
    documents.clear()
    matrix = sparse.coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                               shape=(len(words), 2 * contexts)).tocsr()
    total = matrix.sum()
    row_sums = np.asarray(matrix.sum(axis=1)).ravel() + 1e-9
    col_sums = np.asarray(matrix.sum(axis=0)).ravel() + 1e-9
    matrix = matrix.tocoo()
    pmi = np.log(matrix.data * total / (row_sums[matrix.row] * col_sums[matrix.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (matrix.row[keep], matrix.col[keep])), shape=matrix.shape)
    vectors = normalize(TruncatedSVD(dimensions, random_state=0).fit_transform(ppmi))
    coarse_ids = KMeans(coarse, n_init=1, random_state=0).fit_predict(vectors)
    fine_ids = KMeans(fine, n_init=1, random_state=0).fit_predict(vectors)
    Path(out_path).write_text("".join(f"{w}\t{c}/{f}\n" for w, c, f in zip(words, coarse_ids, fine_ids)),
                              encoding="utf-8")
    return {"path": str(out_path), "syllables": len(words), "corpus_tokens": sum(counts.values()),
            "seconds": round(time.perf_counter() - started, 1)}
