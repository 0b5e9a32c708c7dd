"""Syllable vectors learned from unlabeled text (VNTC news + Vietnamese Wikipedia), the input the
neural NER tagger reads for syllables its training data rarely or never has.

word2vec (gensim, CBOW) over lower-cased syllables, digits folded to 0; the shipped table keeps the
`vocabulary` most frequent syllables as float16 (`models/ner-neural/syllable_vectors.npy` and
`syllable_vocab.txt`). Syllables outside it are covered by the tagger's character CNN.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..backends.names import TEXT_TOKEN
from ..backends.neural_ner import vector_key
from .ner import UNLABELED, unlabeled_texts


def write_corpus(path: Path, corpus_dirs=UNLABELED) -> int:
    """One paragraph a line, tokens as `vector_key` spells them; returns the token count."""
    tokens = 0
    with open(path, "w", encoding="utf-8") as out:
        for text in unlabeled_texts(corpus_dirs):
            for paragraph in text.split("\n"):
                keys = [vector_key(token) for token in TEXT_TOKEN.findall(paragraph)]
                if len(keys) >= 3:
                    out.write(" ".join(keys) + "\n")
                    tokens += len(keys)
    return tokens


def build_vectors(out_dir: Path, work_dir: Path, dimensions: int = 100, vocabulary: int = 60_000,
                  epochs: int = 5, seed: int = 1, workers: int = 2) -> dict:
    """Train the vectors and write the shipped table; returns a summary for the model card."""
    from gensim.models import Word2Vec

    work_dir.mkdir(parents=True, exist_ok=True)
    corpus = work_dir / "syllables.txt"
    started = time.perf_counter()
    if not corpus.exists():
        write_corpus(corpus.with_suffix(".tmp"))
        corpus.with_suffix(".tmp").rename(corpus)
    prepared = time.perf_counter() - started
    model = Word2Vec(corpus_file=str(corpus), vector_size=dimensions, window=5, min_count=3, sg=0,
                     epochs=epochs, workers=workers, seed=seed)
    trained = time.perf_counter() - started - prepared
    words = model.wv.index_to_key[:vocabulary]  # most frequent first
    vectors = np.stack([model.wv[word] for word in words]).astype(np.float16)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "syllable_vectors.npy", vectors)
    (out_dir / "syllable_vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    return {"corpus_tokens": int(model.corpus_total_words), "vocabulary_trained": len(model.wv.index_to_key),
            "vocabulary_shipped": len(words), "dimensions": dimensions, "epochs": epochs, "seed": seed,
            "prepare_seconds": round(prepared), "train_seconds": round(trained)}
