"""Trains the keyword ranker (`models/keywords/ranker.json`) without hand-tagging, as KEA does: the
keywords of a text are taken to be the words and phrases of its title that the text uses.

Documents: VNTC news whose first line normalize finds as the title (about three in four), from the
background pool after the articles the background frequencies are fitted on (600 per topic) and the
development sample (the next 150), so that neither the topic evaluation nor the development sample
is trained on. (Wikipedia pages, whose title is their subject, were tried too: on the development
sample they lowered both the title recall and the topic F1, so they are left out.) The title is cut
off each text: the features (first position, the lead, ...) are those of the body alone, so that
"in the title" cannot give the label away; at run time the title counts as part of the lead.

Labels: a candidate is a keyword when its syllables are in the title, and no longer candidate that
holds it is (`giá_vàng` of "Giá vàng tăng mạnh", not `giá`). Model: scikit-learn's logistic
regression on standardized features, its weights written as JSON (the stage needs no scikit-learn).
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..evaluate.topics import BACKGROUND_POOL, sample_vntc
from ..runtime import parts
from ..runtime.plans import load_inputs
from ..stages.keywords import (FEATURES, RANKER, Keywords, Ranker, Settings, background_model, counted_nouns,
                               ranked_candidates, scan_terms, term_key)
from ..stages.registry import STAGES

PER_TOPIC = 300  # VNTC articles per topic (three in four have a title line) ...
SKIP = 750  # ... after the 600 of the background frequencies and the 150 of the development sample
REGULARIZATION = 1.0  # scikit-learn's C (0.05 to 10 made no difference on the development sample)
_SYLLABLES = re.compile(r"[\w-]+")


def train(out: Path = RANKER.parent, runs: list[Path] | None = None, work: Path | None = None,
          per_topic: int = PER_TOPIC) -> dict[str, Any]:
    """Fit the ranker on `runs` (vnpipe runs with titles, through the stages keywords reads), or
    first sample VNTC into `work` and run the pipeline on it; write `out/ranker.json`."""
    started = time.perf_counter()
    if runs is None:
        runs = [sample_and_run(Path(work or Path(out) / "work"), per_topic)]
    rows, labels, documents = [], [], 0
    for run in runs:
        for vectors, keywords in labelled_documents(Path(run)):
            documents += 1
            for term, vector in vectors.items():
                rows.append(vector)
                labels.append(int(term in keywords))
    ranker = fit(rows, labels)
    summary = {"documents": documents, "candidates": len(rows), "keywords": sum(labels),
               "runs": [Path(r).name for r in runs], "regularization": REGULARIZATION,
               "seconds": round(time.perf_counter() - started, 1),
               "trained": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    path = Path(out) / RANKER.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ranker.to_json(training=summary), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {**summary, "weights": dict(zip(FEATURES, ranker.weights))}


def fit(rows: list[list[float]], labels: list[int]) -> Ranker:
    """A logistic regression on standardized features (deterministic: lbfgs from zero)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(rows, dtype=float)
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=REGULARIZATION, max_iter=2000)
    model.fit((x - means) / scales, np.asarray(labels))
    return Ranker(FEATURES, tuple(means.tolist()), tuple(scales.tolist()), tuple(model.coef_[0].tolist()),
                  float(model.intercept_[0]))


def sample_and_run(work: Path, per_topic: int = PER_TOPIC) -> Path:
    """Sample the training articles and run the pipeline on them up to the stages keywords reads."""
    from ..runtime.runner import run_stages

    work.mkdir(parents=True, exist_ok=True)
    sample, run = work / "vntc-ranker.jsonl", work / "run-vntc"
    sample_vntc(sample, per_topic, BACKGROUND_POOL, skip=SKIP)
    run_stages(sample, run, until=max(Keywords.reads, key=STAGES.names().index), progress=False)
    return run


def labelled_documents(run: Path, settings: Settings | None = None) -> Iterator[tuple[dict[str, list[float]], set[str]]]:
    """Per document with a title: the features of each candidate of its body (see
    `ranked_candidates`), and the candidates that are its keywords (`title_keywords`)."""
    settings = settings or Settings()
    stage = Keywords(settings)
    frequencies = background_model()
    for part in parts.list_parts(parts.stage_dir(run, "segment")):
        titles = {row["doc_id"]: row["title"] for row in parts.read_part(run, "normalize", part, ["doc_id", "title"])}
        for document in load_inputs(stage, run, part):
            body = body_of(document, titles.get(document["doc_id"]))
            if body is None:
                continue
            tokens, entities, title = body
            scanned = scan_terms(tokens, entities)
            _, vectors, _ = ranked_candidates(scanned, frequencies, settings, counted_nouns(tokens))
            if vectors:
                yield vectors, title_keywords(title, list(vectors))


def body_of(document: dict[str, Any], title: str | None) -> tuple[list[dict], list[dict], str] | None:
    """The tokens and entities of the text below the title, and the title; None without a title. A
    title that begins the text (VNTC's first line) is cut off with its words and names."""
    if not title or not title.strip():
        return None
    text = document["text"] or ""
    end = len(title) if text[:len(title)].lower() == title.lower() and text[len(title):len(title) + 1] in ("\n", "") else 0
    tokens = [t for t in document["tokens"] if t["start"] >= end]
    entities = [e for e in document["entities"] if e["start"] >= end]
    return (tokens, entities, title) if tokens else None


def title_keywords(title: str, terms: list[str]) -> set[str]:
    """The terms whose syllables are in the title, in order, and that no longer such term holds."""
    title_key = _syllables(title)
    in_title = [term for term in terms if _syllables(term) in title_key]
    return {term for term in in_title
            if not any(other != term and _syllables(term) in _syllables(other) for other in in_title)}


def _syllables(text: str) -> str:
    """` tiền ảo `: the lower-case syllables of a term or title, between spaces."""
    return f" {' '.join(_SYLLABLES.findall(term_key(text)))} "
