"""Pretraining the neural NER tagger's encoder on unlabeled text, before it learns names.

The tagger reads each sentence with a forward and a backward LSTM (train/ner_neural.py). Here, on
sentences of VNTC and Wikipedia, the forward LSTM learns to predict the word cluster of the next
syllable and the backward one that of the syllable before (clusters of co-occurrence learned from
the same corpora: models/ner-unseen/clusters.tsv, 1,024 of them): a language model cheap enough
for two cores (1,025 classes, not 50,000 syllables), which teaches the encoder the contexts a
name stands in before the labelled sentences teach it names. The tagger then starts from these
weights; its size, and so its speed, do not change. The state is saved in WORK/pretrained.pt, so a
stopped training run does not pretrain again.
"""
from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np

from ..backends.names import normalize_token
from ..backends.nertag import CLUSTERS_FILE, UNSEEN_MODEL_DIR, load_clusters

PRETRAINED = "pretrained.pt"
BATCH = 96


def cluster_ids(path: Path = UNSEEN_MODEL_DIR / CLUSTERS_FILE) -> dict[str, int]:
    """Lower-cased syllable -> its finest cluster, from 1 (0: a syllable without one)."""
    fine = {syllable: int(ids.split("/")[-1]) for syllable, ids in load_clusters(path).items()}
    return {syllable: index + 1 for syllable, index in fine.items()}


def pretrain(model, featurizer, sentences: list[list[str]], work_dir: Path, epochs: int = 1, seed: int = 1,
             log=print) -> dict:
    """Train `model`'s encoder as a two-way cluster language model on `sentences` (token lists), or
    load what an earlier run saved; returns what was done, for training.json."""
    import torch
    from torch import nn

    path = work_dir / PRETRAINED
    if path.exists():
        state = torch.load(path, weights_only=False)
        model.load_state_dict(state["model"])
        log(f"pretrained encoder loaded from {path}")
        return state["summary"]
    from .ner_neural import GRAPH_INPUTS, _tensors  # the tagger's inputs, as its training pads them

    started = time.perf_counter()
    clusters = cluster_ids()
    classes = max(clusters.values()) + 1
    hidden = model.forward_lstm.hidden_size
    heads = nn.ModuleDict({"ahead": nn.Linear(hidden, classes), "behind": nn.Linear(hidden, classes)})
    optimizer = torch.optim.Adam([*model.parameters(), *heads.parameters()], lr=2e-3)
    loss_of = nn.CrossEntropyLoss(ignore_index=-1)
    featurized = [featurizer.sentence(tokens) for tokens in sentences]
    targets = [np.array([clusters.get(normalize_token(t).lower(), 0) for t in tokens]) for tokens in sentences]
    order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))
    batches = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    rng = random.Random(seed)
    history = []
    model.train()
    for epoch in range(epochs):
        rng.shuffle(batches)
        total = 0.0
        for step, rows in enumerate(batches, 1):
            tensors = _tensors([featurized[k] for k in rows])
            ahead, behind = model.encode(*(tensors[name] for name in GRAPH_INPUTS))
            wanted = np.full(tensors["words"].shape, -1, dtype=np.int64)
            for row, k in enumerate(rows):
                wanted[row, :len(targets[k])] = targets[k]
            wanted = torch.from_numpy(wanted)
            # The forward state at t predicts t+1; the backward state at t predicts t-1.
            loss = (loss_of(heads["ahead"](ahead[:, :-1]).reshape(-1, classes), wanted[:, 1:].reshape(-1))
                    + loss_of(heads["behind"](behind[:, 1:]).reshape(-1, classes), wanted[:, :-1].reshape(-1)))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item()
            if step % 500 == 0:
                log(f"pretraining epoch {epoch + 1}, step {step} of {len(batches)}: loss {total / step:.3f}")
        history.append({"epoch": epoch + 1, "loss": round(total / len(batches), 4)})
    summary = {"sentences": len(sentences), "syllables": int(sum(len(t) for t in targets)), "classes": classes,
               "epochs": epochs, "history": history, "seconds": round(time.perf_counter() - started)}
    torch.save({"model": model.state_dict(), "summary": summary}, path)
    log(f"pretrained: {summary}")
    return summary
