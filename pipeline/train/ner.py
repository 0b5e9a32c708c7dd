"""Trains the shipped NER model (`models/ner/model.crfsuite`) from VLSP 2016 and 2018 train.

VLSP 2016 train comes with gold words; VLSP 2018 train is syllable-level, so its words come
from a segmenter. The CRF tags syllables, so an entity need not line up with a word.
"""
from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path

from ..evaluate.ner import DOCUMENT_WINDOW, GoldSentence, read_conll, score
from ..backends.nertag import (CLUSTERS_FILE, GAZETTEER_FILE, LEXICON_FILE, MODEL_DIR, MODEL_FILE, document_names,
                      load_clusters, load_gazetteer, names_context, normalize_token, sentence_features)
from ..backends.wordseg import get_segmenter

DEFAULT_EVAL_DIR = MODEL_DIR.parents[2] / "shared" / "eval" / "ner"
TRAIN_FILES = ("vlsp2016/word/train.conll", "vlsp2018/syllable/train.conll")
AUGMENT_EVERY = 4  # one in 4 train sentences with a PER, ORG or MISC also appears with gazetteer names
FOLDS = 5  # the names a training sentence sees come from the other folds, as unseen text would
WINDOW = 8  # training context: the gold names of up to 8 sentences on either side (VLSP has no document ids)
CONTEXT_DROPOUT = 4  # one in 4 training sentences sees no context, as a sentence tagged alone
SETTINGS = {"algorithm": "lbfgs", "c1": 0.1, "c2": 0.02, "max_iterations": 150,
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


def entity_names(sentences: list[GoldSentence]) -> Counter:
    """How often each (name syllables, label) pair is an entity in `sentences`."""
    counts: Counter = Counter()
    for sentence in sentences:
        for start, end, label in sentence.entities:
            name = tuple(normalize_token(sentence.text[start:end]).split())
            # A name starts and ends with a letter or digit (gold sometimes tags a lone quote).
            if 0 < len(name) <= 6 and name[0][0].isalnum() and name[-1][-1].isalnum():
                counts[name, label] += 1
    return counts


def lexicon_of(counts: Counter) -> dict[tuple[str, ...], str]:
    """Each name's most frequent label (ties: alphabetical, so the result is deterministic)."""
    best: dict[tuple[str, ...], tuple[int, str]] = {}
    for (name, label), count in counts.items():
        if name not in best or (count, label) > best[name]:
            best[name] = (count, label)
    return {name: label for name, (_, label) in sorted(best.items())}


def with_gazetteer_names(sentences: list[GoldSentence], gazetteer: dict[tuple[str, ...], str],
                         seed: int = 0) -> list[GoldSentence]:
    """Copies of some sentences whose PER and ORG entities are swapped for gazetteer names.

    VLSP has few of the names the gazetteer lists (OpenAI, a16z); the copies teach the model
    that a gazetteer match in a person or organisation context is good evidence whatever its
    shape. Only entities that are whole words are swapped; each becomes one word.
    """
    names = {label: sorted(" ".join(name) for name, l in gazetteer.items() if l == label)
             for label in ("PER", "ORG", "MISC")}
    rng = random.Random(seed)
    copies = []
    for k, sentence in enumerate(sentences):
        if k % AUGMENT_EVERY or not any(label in names for _, _, label in sentence.entities):
            continue
        starts = {s for s, _, _ in sentence.words}
        ends = {e for _, e, _ in sentence.words}
        swaps = {(s, e): rng.choice(names[label]) for s, e, label in sentence.entities
                 if label in names and s in starts and e in ends}
        if not swaps:
            continue
        pieces, position, shift, moved = [], 0, 0, {}
        for (s, e), name in sorted(swaps.items()):
            pieces += [sentence.text[position:s], name]
            moved[s, e] = (s + shift, s + shift + len(name))
            shift += len(name) - (e - s)
            position = e
        pieces.append(sentence.text[position:])

        def new_offset(i: int) -> int:
            return i + sum(len(name) - (e - s) for (s, e), name in swaps.items() if e <= i)

        words = [(new_offset(s), new_offset(e), pos) for s, e, pos in sentence.words
                 if not any(a <= s and e <= b for a, b in swaps)]
        words += [(a, b, "") for a, b in moved.values()]
        entities = [(*moved[s, e], label) if (s, e) in moved else (new_offset(s), new_offset(e), label)
                    for s, e, label in sentence.entities]
        copies.append(GoldSentence("".join(pieces), sorted(words), entities))
    return copies


def training_contexts(sentences: list[GoldSentence], originals: int) -> list[dict | None]:
    """The document context of each training sentence: gold names of the WINDOW sentences on either
    side (consecutive sentences come from one article). Gazetteer copies (after `originals`) and one
    sentence in CONTEXT_DROPOUT see none, so the model also learns to tag a sentence alone."""
    names = [document_names(s.text, s.entities) for s in sentences[:originals]]
    contexts: list[dict | None] = []
    for k in range(len(sentences)):
        if k >= originals or k % CONTEXT_DROPOUT == CONTEXT_DROPOUT - 1:
            contexts.append(None)
            continue
        contexts.append(names_context(names[max(0, k - WINDOW):k] + names[k + 1:k + WINDOW + 1]) or None)
    return contexts


def split(sentences: list, holdout: float) -> tuple[list, list]:
    """The first part to train on and the last `holdout` fraction held out (documents stay together)."""
    cut = len(sentences) - int(len(sentences) * holdout)
    return sentences[:cut], sentences[cut:]


def train(out_dir: Path = MODEL_DIR, eval_dir: Path = DEFAULT_EVAL_DIR, segmenter_name: str = "underthesea",
          holdout: float = 0.0, settings: dict | None = None, corpora: dict | None = None) -> dict:
    """Train the CRF into `out_dir/model.crfsuite` and return a summary.

    With `holdout` > 0 the last fraction of each train file is held out and scored (for tuning),
    sentence by sentence and with document context (`tag_document`, DOCUMENT_WINDOW sentences);
    0 reproduces the shipped model. Training is deterministic (L-BFGS, fixed data order).
    Document context in training: the gold names of the WINDOW sentences on either side
    (`training_contexts`); `corpora` (as `load_training_data` returns) skips segmenting again.
    The gazetteer and clusters are read from `out_dir` (or the shipped ones when missing);
    clusters missing from both are built from the unlabeled corpus first (`build_clusters`).
    """
    import pycrfsuite

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = {**SETTINGS, **(settings or {})}
    resources = out_dir if (out_dir / GAZETTEER_FILE).exists() else MODEL_DIR
    if not (resources / CLUSTERS_FILE).exists():
        build_clusters(resources / CLUSTERS_FILE)
    gazetteer = load_gazetteer([resources / GAZETTEER_FILE])
    clusters = load_clusters(resources / CLUSTERS_FILE)
    started = time.perf_counter()
    corpora = corpora or load_training_data(eval_dir, segmenter_name)
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.select(settings["algorithm"])
    trainer.set_params({k: v for k, v in settings.items() if k != "algorithm"})
    held_out, counts, parts, originals = {}, {}, {}, {}
    for name, sentences in corpora.items():
        originals[name], held_out[name] = split(sentences, holdout)
        parts[name] = originals[name] + with_gazetteer_names(originals[name], gazetteer)
        counts[name] = len(parts[name])
    # Jackknifed names: a sentence of fold k looks names up in what folds other than k saw, so the
    # model learns how far a match in the lexicon can be trusted on text it was not trained on.
    folds = {name: [k * FOLDS // len(part) for k in range(len(part))] for name, part in parts.items()}
    fold_counts = [Counter() for _ in range(FOLDS)]
    for name, part in parts.items():
        for fold in range(FOLDS):
            fold_counts[fold] += entity_names([s for s, f in zip(part, folds[name]) if f == fold])
    all_counts = sum(fold_counts, Counter())
    contexts = {name: training_contexts(part, len(originals[name]))
                for name, part in parts.items()}
    for fold in range(FOLDS):
        lexicon = {**lexicon_of(all_counts - fold_counts[fold]), **gazetteer}
        for name, part in parts.items():
            for k, (sentence, sentence_fold) in enumerate(zip(part, folds[name])):
                if sentence_fold != fold:
                    continue
                spans, features = sentence_features(sentence.text, sentence.words, lexicon, clusters,
                                                    contexts[name][k])
                if spans:
                    trainer.append(features, syllable_labels(spans, sentence.entities))
    full_lexicon = lexicon_of(all_counts)
    (out_dir / LEXICON_FILE).write_text(
        "# Entity names of the training data with their most frequent label; written by `vnpipe train ner`.\n"
        + "".join(f"{' '.join(name)}\t{label}\n" for name, label in full_lexicon.items()), encoding="utf-8")
    prepared = time.perf_counter()
    model_path = out_dir / MODEL_FILE
    trainer.train(str(model_path))
    finished = time.perf_counter()
    summary = {"model": model_path.name, "bytes": model_path.stat().st_size, "settings": settings,
               "segmenter": segmenter_name, "train_sentences": counts,
               "prepare_seconds": round(prepared - started, 1), "train_seconds": round(finished - prepared, 1),
               "iterations": trainer.logparser.last_iteration.get("num") if trainer.logparser.last_iteration else None}
    if holdout:
        from ..backends.nertag import VnpipeTagger

        tagger = VnpipeTagger(out_dir)
        summary["holdout"] = {}
        for name, sentences in held_out.items():
            gold = [s.entities for s in sentences]
            alone = [[e[:3] for e in tagger.tag(s.text, s.words)] for s in sentences]
            in_context = [[e[:3] for e in entities] for entities in
                          tagger.tag_document([(s.text, s.words) for s in sentences], window=DOCUMENT_WINDOW)]
            summary["holdout"][name] = {"sentences": len(sentences)}
            for mode, predicted in (("sentence", alone), ("document", in_context)):
                result = score(gold, predicted)
                summary["holdout"][name][mode] = {"micro": result["micro"],
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

    from ..backends.nertag import normalize_token

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
