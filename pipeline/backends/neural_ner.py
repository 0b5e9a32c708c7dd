"""The neural NER tagger (`vnpipe-neural`): a syllable-level BiLSTM-CRF run with ONNX Runtime.

Per syllable the graph reads a learned embedding of frequent training syllables, a frozen vector
learned from unlabeled news and Wikipedia (`syllable_vocab.txt`; unknown syllables get none), a
character CNN over the cased syllable, its shape, and the name-list match (hand-written gazetteer and
names learned from unlabeled text, as BIO inputs the network weighs). The graph gives emission
scores; the CRF's Viterbi path and marginals (confidence) are computed here in numpy, batched.
Training: `pipeline/train/ner_neural.py`; card: `models/ner-neural/MODEL_CARD.md`.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

import numpy as np

from .model_files import model_dir, require
from .names import gazetteer_tags, load_gazetteer, normalize_token, spans_from_bio, spells_vietnamese, syllable_spans
from .onnx_graph import onnx_graph
from ..digests import files_digest
from .registry import Entity, Sentence, Word

MODEL_DIR = model_dir("ner-neural")
GRAPH_FILE = "model.onnx"
FEATURES_FILE = "features.json"  # vocabularies, labels and CRF transitions, written by training
VECTOR_VOCAB_FILE = "syllable_vocab.txt"
NAME_FILES = ("gazetteer.tsv", "learned_names.tsv")  # hand-written, then learned from unlabeled text
BIO = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
CHAR_WIDTH = 16  # characters per syllable the CNN sees (a longer one: its first and last 8)
BATCH = 32  # sentences per graph call: the graph alone is fastest on one core at 16 to 32 (64: 7 % slower)
# Sentences decoded at once (Viterbi, marginals): numpy's cost is mostly per call, one per syllable
# position, so several graph batches of similar length are decoded together (2,000 VNTC sentences:
# 68 ms 32 at a time, 37 ms 256 at a time, 70 ms all at once).
DECODE_BATCH = 8 * BATCH
PAD, UNKNOWN = 0, 1
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=200_000)
def vector_key(token: str) -> str:
    """How a syllable is spelled in the unlabeled-text vectors: normalized, lower case, digits as 0."""
    return _DIGIT.sub("0", normalize_token(token).lower())


@functools.lru_cache(maxsize=200_000)
def shape_id(token: str) -> int:
    """Case and character class (8 kinds) times 'spells like a Vietnamese syllable', from 1."""
    letters = [c for c in token if c.isalpha()]
    if not letters:
        kind = 6 if token.isdigit() else 7 if all(unicodedata.category(c)[0] in "PS" for c in token) else 5
    elif any(c.isdigit() for c in token):
        kind = 4
    elif all(c.islower() for c in letters):
        kind = 0
    elif all(c.isupper() for c in letters):
        kind = 2 if len(letters) > 1 else 1
    elif letters[0].isupper() and all(c.islower() for c in letters[1:]):
        kind = 1
    else:
        kind = 3  # iPhone, eDoctor, McNaught
    return 1 + kind * 2 + spells_vietnamese(token.lower())


SHAPES = 1 + 8 * 2


class Featurizer:
    """Syllables to the integer inputs of the graph; one definition for training and tagging."""

    def __init__(self, words: list[str], chars: str, vector_keys: list[str],
                 names: dict[tuple[str, ...], str]) -> None:
        self.words = {word: index for index, word in enumerate(words, 2)}
        self.chars = {char: index for index, char in enumerate(chars, 2)}
        self.vector_keys = {key: index for index, key in enumerate(vector_keys, 1)}  # 0: no vector
        self.names = names
        self.name_starts = {name[0] for name in names}
        self._syllable = functools.lru_cache(maxsize=200_000)(self._syllable_ids)

    def _syllable_ids(self, token: str) -> bytes:
        """word, vector and shape ids, then CHAR_WIDTH character ids, of one syllable, as the bytes of
        an int64 row: the ids of a batch are then one join of cached rows, not an array built from
        Python ints."""
        norm = normalize_token(token)
        text = norm if len(norm) <= CHAR_WIDTH else norm[:CHAR_WIDTH // 2] + norm[-CHAR_WIDTH // 2:]
        chars = [self.chars.get(c, UNKNOWN) for c in text] + [PAD] * (CHAR_WIDTH - len(text))
        return np.array([self.words.get(norm.lower(), UNKNOWN), self.vector_keys.get(vector_key(token), 0),
                         shape_id(norm), *chars], dtype=np.int64).tobytes()

    def features(self, sentences: list[list[str]]) -> tuple[np.ndarray, ...]:
        """word, vector, shape, name-match ids (N,) and character ids (N, CHAR_WIDTH) of the N syllables
        of the sentences, one sentence after the other."""
        rows = b"".join([self._syllable(token) for tokens in sentences for token in tokens])
        ids = np.frombuffer(rows, dtype=np.int64).reshape(-1, 3 + CHAR_WIDTH)
        names = np.array([_NAME_IDS[tag] for tokens in sentences for tag in
                          gazetteer_tags([normalize_token(token) for token in tokens], self.names, self.name_starts)],
                         dtype=np.int64)
        return ids[:, 0], ids[:, 1], ids[:, 2], names, ids[:, 3:]

    def sentence(self, tokens: list[str]) -> tuple[np.ndarray, ...]:
        """`features` of one sentence: ids (T,) and character ids (T, CHAR_WIDTH)."""
        return self.features([tokens])


_NAME_IDS = {tag: 1 + index for index, tag in enumerate(BIO)}


FEATURES = ("words", "vectors", "shapes", "names", "chars")  # the graph's id inputs, as `features` gives them


def pad(features: tuple[np.ndarray, ...], lengths: np.ndarray) -> dict[str, np.ndarray]:
    """The graph's inputs for sentences of these lengths whose syllables' `features` follow one
    another: right-padded ids and, for the backward LSTM, the index that reverses each sentence
    within its length (so padding never reaches a real syllable)."""
    positions = np.arange(int(lengths.max()))[None, :]
    real = positions < lengths[:, None]  # True at the syllables, row after row: the order of `features`
    arrays = {}
    for name, values in zip(FEATURES, features):
        arrays[name] = np.zeros(real.shape + values.shape[1:], dtype=np.int64)
        arrays[name][real] = values
    arrays["reverse"] = np.where(real, lengths[:, None] - 1 - positions, positions)
    arrays["lengths"] = lengths
    return arrays


def pad_batch(sentences: list[tuple[np.ndarray, ...]]) -> dict[str, np.ndarray]:
    """`pad` of sentences featurized one at a time (`Featurizer.sentence`), as training keeps them."""
    lengths = np.array([len(s[0]) for s in sentences], dtype=np.int64)
    return pad(tuple(np.concatenate(column) for column in zip(*sentences)), lengths)


def _longest_first(lengths: np.ndarray, longest: int) -> tuple[np.ndarray, np.ndarray]:
    """The sentences longest first, and how many of them reach each position: a step of the CRF
    then updates the first `reaching[t]` rows only, rather than all rows with a mask (decoding works
    per syllable, not per padded position)."""
    order = np.argsort(-lengths, kind="stable")
    reaching = (lengths[:, None] > np.arange(longest)[None, :]).sum(0)
    return order, reaching


def viterbi(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> list[list[int]]:
    """Best label path of each sentence (ties go to the lower label index, as numpy's argmax)."""
    batch, longest, labels = emissions.shape
    order, reaching = _longest_first(lengths, longest)
    emissions = emissions[order]
    score = start[None, :] + emissions[:, 0]
    back = np.zeros((batch, longest, labels), dtype=np.int64)
    for t in range(1, longest):
        going = reaching[t]
        candidates = score[:going, :, None] + transitions[None]
        best = candidates.argmax(1)
        back[:going, t] = best
        score[:going] = np.take_along_axis(candidates, best[:, None, :], 1)[:, 0] + emissions[:going, t]
    # Walk back, all sentences at once; a sentence joins the walk at its last syllable.
    rows = np.arange(batch)
    path = np.zeros((batch, longest), dtype=np.int64)
    current = (score + end[None, :]).argmax(1)
    for t in range(longest - 1, -1, -1):
        going = reaching[t]
        path[:going, t] = current[:going]
        if t:
            current[:going] = back[rows[:going], t, current[:going]]
    paths: list[list[int]] = [[] for _ in range(batch)]
    for row, sentence_path, length in zip(order.tolist(), path, lengths[order].tolist()):
        paths[row] = sentence_path[:length].tolist()
    return paths


def marginals(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray, start: np.ndarray,
              end: np.ndarray) -> np.ndarray:
    """P(label at t) under the CRF: forward-backward in probability space, each step rescaled so
    nothing overflows (one small matrix product per step): (batch, longest, labels), 0 past the end."""
    batch, longest, labels = emissions.shape
    order, reaching = _longest_first(lengths, longest)
    emissions = emissions[order]
    step = np.exp(transitions - transitions.max())
    # A copy, not a view: BLAS rounds a single row times a transposed view differently, so a
    # sentence's marginals would depend on how many rows are still going at a step.
    step_back = np.ascontiguousarray(step.T)
    potentials = np.exp(emissions - emissions.max(2, keepdims=True))
    alpha = np.zeros_like(emissions)
    current = np.exp(start - start.max())[None, :] * potentials[:, 0]
    alpha[:, 0] = current / current.sum(1, keepdims=True)
    for t in range(1, longest):
        going = reaching[t]
        current = (alpha[:going, t - 1] @ step) * potentials[:going, t]
        alpha[:going, t] = current / current.sum(1, keepdims=True)
    final = np.exp(end - end.max())
    beta = np.zeros_like(emissions)
    beta[:reaching[longest - 1], longest - 1] = final
    for t in range(longest - 2, -1, -1):
        going, ending = reaching[t + 1], reaching[t]  # rows going on past t, then rows ending at t
        current = (potentials[:going, t + 1] * beta[:going, t + 1]) @ step_back
        current /= current.sum(1, keepdims=True)
        beta[:going, t] = current
        beta[going:ending, t] = final
    total = alpha * beta
    valid = np.arange(longest)[None, :] < lengths[order][:, None]
    total = np.divide(total, total.sum(2, keepdims=True), out=np.zeros_like(total), where=valid[:, :, None])
    return total[np.argsort(order)]


class NeuralTagger:
    """Entities of segmented sentences, many at once (`tag_many`), from the ONNX BiLSTM-CRF."""

    name = "vnpipe-neural"

    def __init__(self, model_dir: Path = MODEL_DIR, gazetteer_paths=(), gazetteer: bool = True) -> None:
        model_dir = Path(model_dir)
        self.model_dir = model_dir
        spec = json.loads(require(model_dir / FEATURES_FILE).read_text(encoding="utf-8"))
        vector_keys = require(model_dir / VECTOR_VOCAB_FILE).read_text(encoding="utf-8").split("\n")[:-1]
        name_files = [model_dir / NAME_FILES[1]] + ([model_dir / NAME_FILES[0]] if gazetteer else [])
        self.featurizer = Featurizer(spec["words"], spec["chars"], vector_keys,
                                     load_gazetteer([*name_files, *map(Path, gazetteer_paths)]))
        self.transitions = np.array(spec["transitions"], dtype=np.float32)
        self.start = np.array(spec["start"], dtype=np.float32)
        self.end = np.array(spec["end"], dtype=np.float32)
        self.graph = onnx_graph(str(model_dir / GRAPH_FILE))
        self._checksum = self.model_checksum(model_dir, gazetteer_paths, gazetteer)

    @staticmethod
    def model_files(model_dir: Path = MODEL_DIR, gazetteer_paths=(), gazetteer: bool = True) -> list[Path]:
        model_dir = Path(model_dir)
        names = [model_dir / NAME_FILES[1]] + ([model_dir / NAME_FILES[0]] if gazetteer else [])
        return [model_dir / GRAPH_FILE, model_dir / FEATURES_FILE, model_dir / VECTOR_VOCAB_FILE, *names,
                *map(Path, gazetteer_paths)]

    @classmethod
    def model_checksum(cls, model_dir: Path = MODEL_DIR, gazetteer_paths=(), gazetteer: bool = True) -> str:
        return f"vnpipe-neural-{files_digest(map(require, cls.model_files(model_dir, gazetteer_paths, gazetteer)))}"

    def checksum(self) -> str:
        return self._checksum

    sees_documents = True

    def tag(self, sentence: str, words: list[Word]) -> list[Entity]:
        return self.tag_many([(sentence, words)])[0]

    def tag_sentences(self, sentences: list[Sentence]) -> list[list[Entity]]:
        return self.tag_many(sentences)

    def tag_documents(self, documents: list[list[Sentence]], window: int | None = None) -> list[list[list[Entity]]]:
        """Entities of each document's sentences, all tagged alone in one batched call, then one name,
        one label per document (see `consistent_names`). `window` is the CRF's; this pass sees the
        whole document."""
        sentences = [sentence for document in documents for sentence in document]
        syllables = [syllable_spans(text, words) for text, words in sentences]
        found = self.tag_many(sentences, syllables)
        tokens = [[normalize_token(text[s:e]) for s, e in spans] for (text, _), spans in zip(sentences, syllables)]
        results, first = [], 0
        for document in documents:
            last = first + len(document)
            results.append(consistent_names(tokens[first:last], syllables[first:last], found[first:last]))
            first = last
        return results

    def tag_many(self, sentences: list[tuple[str, list[Word]]], syllables: list[list[tuple[int, int]]] | None = None
                 ) -> list[list[tuple[int, int, str, float]]]:
        """Entities (start, end, label, confidence) of each sentence alone, in batches of similar length."""
        if syllables is None:
            syllables = [syllable_spans(text, words) for text, words in sentences]
        found: list[list] = [[] for _ in sentences]
        order = sorted((k for k in range(len(sentences)) if syllables[k]), key=lambda k: len(syllables[k]))
        for first in range(0, len(order), DECODE_BATCH):
            rows = order[first:first + DECODE_BATCH]
            tokens = [[sentences[k][0][s:e] for s, e in syllables[k]] for k in rows]
            for k, entities in zip(rows, self.tag_tokens(tokens)):
                found[k] = [(syllables[k][i][0], syllables[k][j - 1][1], label, confidence)
                            for i, j, label, confidence in entities]
        return found

    def tag_tokens(self, sentences: list[list[str]]) -> list[list[tuple[int, int, str, float]]]:
        """Entities as (first syllable, end syllable, label, confidence) of pre-split sentences, best
        given in order of length (a graph batch is padded to its longest)."""
        lengths = np.array([len(tokens) for tokens in sentences], dtype=np.int64)
        emissions = self.emissions(sentences, lengths)
        paths = viterbi(emissions, lengths, self.transitions, self.start, self.end)
        results: list[list[tuple[int, int, str, float]]] = [[] for _ in sentences]
        named = [row for row, path in enumerate(paths) if any(path)]  # label 0 is O
        if not named:
            return results
        probabilities = marginals(emissions[named], lengths[named], self.transitions, self.start, self.end)
        for row, sentence_probabilities in zip(named, probabilities):
            path = paths[row]
            chosen = sentence_probabilities[np.arange(len(path)), path]
            tags = [BIO[label] for label in path]
            results[row] = [(i, j, label, round(float(chosen[i:j].mean()), 4))
                            for i, j, label in spans_from_bio([(k, k + 1) for k in range(len(tags))], tags)]
        return results

    def emissions(self, sentences: list[list[str]], lengths: np.ndarray) -> np.ndarray:
        """The graph's scores (sentences, longest, labels), BATCH sentences per call; zero past a
        sentence's end (decoding never reads there)."""
        features = self.featurizer.features(sentences)
        offsets = np.concatenate([[0], np.cumsum(lengths)])  # where each sentence's syllables start
        scores = np.zeros((len(sentences), int(lengths.max()), len(BIO)), dtype=np.float32)
        for first in range(0, len(sentences), BATCH):
            last = min(first + BATCH, len(sentences))
            batch_features = tuple(ids[offsets[first]:offsets[last]] for ids in features)
            batch = self.graph.run(**pad(batch_features, lengths[first:last]))[0]
            scores[first:last, :batch.shape[1]] = batch
        return scores


def _distinctive(name: tuple[str, ...]) -> bool:
    """A name safe to look for elsewhere: two syllables or more, or one that is not a plain Vietnamese
    word (`Facebook`, `VNPT`, `G-7`), so `Nam` or `Hà` alone never spreads."""
    if not name[0][:1].isupper() and not name[0][:1].isdigit():
        return False
    return len(name) >= 2 or (len(name[0]) >= 2 and shape_id(name[0]) % 2 == 1)


def _inside_any(spans: list[tuple[int, int]], entities: list[tuple[int, int, str, float]]) -> bool:
    """Whether one of the syllable spans lies inside one of the entities."""
    return any(start <= s and e <= end for s, e in spans for start, end, *_ in entities)


def consistent_names(tokens: list[list[str]], syllables: list[list[tuple[int, int]]],
                     found: list[list[tuple[int, int, str, float]]]) -> list[list[tuple[int, int, str, float]]]:
    """One name, one label per document: each name found takes the label it has most weight for
    (summed confidence over its mentions), and its other mentions that the sentence-alone pass left
    untagged are tagged too, with the name's mean confidence. Names must be `_distinctive`."""
    weights: dict[tuple[str, ...], dict[str, float]] = {}
    mentions: dict[tuple[str, ...], int] = {}
    located = []
    for index, entities in enumerate(found):
        if not entities:
            continue
        firsts = {start: k for k, (start, _) in enumerate(syllables[index])}
        ends = {end: k + 1 for k, (_, end) in enumerate(syllables[index])}
        for start, end, label, confidence in entities:
            i, j = firsts.get(start), ends.get(end)
            name = tuple(tokens[index][i:j]) if i is not None and j is not None else ()
            located.append((index, start, end, label, confidence, name))
            if name and _distinctive(name):
                weights.setdefault(name, {}).setdefault(label, 0.0)
                weights[name][label] += confidence
                mentions[name] = mentions.get(name, 0) + 1
    best = {name: max(by_label, key=by_label.get) for name, by_label in weights.items()}
    mean = {name: sum(by_label.values()) / mentions[name] for name, by_label in weights.items()}
    result: list[list[tuple[int, int, str, float]]] = [[] for _ in found]
    for index, start, end, label, confidence, name in located:
        result[index].append((start, end, best.get(name, label), confidence))
    if not best:
        return result
    starts = {name[0] for name in best}
    for index, sentence_tokens in enumerate(tokens):
        if not starts.intersection(sentence_tokens):
            continue
        tags = gazetteer_tags(sentence_tokens, best, starts)
        added = []
        for i, j, label in spans_from_bio([(k, k + 1) for k in range(len(tags))], tags):
            if not _inside_any(syllables[index][i:j], result[index]):
                name = tuple(sentence_tokens[i:j])
                added.append((syllables[index][i][0], syllables[index][j - 1][1], label, round(mean[name], 4)))
        if added:
            result[index] = sorted(result[index] + added)
    return result
