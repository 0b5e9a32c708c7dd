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
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import numpy as np

from .model_files import model_dir, require
from .names import gazetteer_tags, load_gazetteer, normalize_token, spans_from_bio, spells_vietnamese, syllables_of
from .onnx_graph import onnx_graph
from .wordseg import Word

MODEL_DIR = model_dir("ner-neural")
GRAPH_FILE = "model.onnx"
FEATURES_FILE = "features.json"  # vocabularies, labels and CRF transitions, written by training
VECTOR_VOCAB_FILE = "syllable_vocab.txt"
NAME_FILES = ("gazetteer.tsv", "learned_names.tsv")  # hand-written, then learned from unlabeled text
BIO = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
CHAR_WIDTH = 16  # characters per syllable the CNN sees (a longer one: its first and last 8)
BATCH = 32  # sentences per graph call: measured fastest on one core (16: 1,820, 32: 1,940, 64: 1,670 sentences/s)
PAD, UNKNOWN = 0, 1
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=200_000)
def vector_key(token: str) -> str:
    """How a syllable is spelled in the unlabeled-text vectors: normalized, lower case, digits as 0."""
    return _DIGIT.sub("0", normalize_token(token).lower())


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

    def _syllable_ids(self, token: str) -> tuple[int, ...]:
        """word, vector and shape ids, then CHAR_WIDTH character ids, of one syllable."""
        norm = normalize_token(token)
        text = norm if len(norm) <= CHAR_WIDTH else norm[:CHAR_WIDTH // 2] + norm[-CHAR_WIDTH // 2:]
        chars = tuple(self.chars.get(c, UNKNOWN) for c in text) + (PAD,) * (CHAR_WIDTH - len(text))
        return (self.words.get(norm.lower(), UNKNOWN), self.vector_keys.get(vector_key(token), 0),
                shape_id(norm), *chars)

    def sentence(self, tokens: list[str]) -> tuple[np.ndarray, ...]:
        """word, vector, shape, name-match ids (T,) and character ids (T, CHAR_WIDTH) of one sentence."""
        ids = np.array([self._syllable(token) for token in tokens], dtype=np.int64).reshape(len(tokens), 3 + CHAR_WIDTH)
        name_tags = gazetteer_tags([normalize_token(token) for token in tokens], self.names, self.name_starts)
        names = np.array([_NAME_IDS[tag] for tag in name_tags], dtype=np.int64)
        return ids[:, 0], ids[:, 1], ids[:, 2], names, ids[:, 3:]


_NAME_IDS = {tag: 1 + index for index, tag in enumerate(BIO)}


def pad_batch(sentences: list[tuple[np.ndarray, ...]]) -> dict[str, np.ndarray]:
    """The graph's inputs for several sentences: right-padded ids and, for the backward LSTM, the
    index that reverses each sentence within its length (so padding never reaches a real syllable)."""
    lengths = np.array([len(s[0]) for s in sentences], dtype=np.int64)
    batch, longest = len(sentences), int(lengths.max())
    arrays = {name: np.zeros((batch, longest), dtype=np.int64) for name in ("words", "vectors", "shapes", "names")}
    arrays["chars"] = np.zeros((batch, longest, CHAR_WIDTH), dtype=np.int64)
    for row, (words, vectors, shapes, names, chars) in enumerate(sentences):
        n = len(words)
        for name, values in (("words", words), ("vectors", vectors), ("shapes", shapes), ("names", names)):
            arrays[name][row, :n] = values
        arrays["chars"][row, :n] = chars
    positions = np.arange(longest)[None, :].repeat(batch, 0)
    arrays["reverse"] = np.where(positions < lengths[:, None], lengths[:, None] - 1 - positions, positions)
    arrays["lengths"] = lengths
    return arrays


def viterbi(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> list[list[int]]:
    """Best label path of each sentence (ties go to the lower label index, as numpy's argmax)."""
    batch, longest, labels = emissions.shape
    score = start[None, :] + emissions[:, 0]
    back = np.zeros((batch, longest, labels), dtype=np.int64)
    for t in range(1, longest):
        candidates = score[:, :, None] + transitions[None]
        best = candidates.argmax(1)
        back[:, t] = best
        moved = np.take_along_axis(candidates, best[:, None, :], 1)[:, 0] + emissions[:, t]
        score = np.where((t < lengths)[:, None], moved, score)
    score = score + end[None, :]
    # Walk back from each sentence's last syllable, all sentences at once; a step past a sentence's
    # end keeps the label it ends with.
    rows = np.arange(batch)
    path = np.zeros((batch, longest), dtype=np.int64)
    current = score.argmax(1)
    for t in range(longest - 1, -1, -1):
        path[:, t] = current
        if t:
            current = np.where(t < lengths, back[rows, t, current], current)
    return [path[row, :length].tolist() for row, length in enumerate(lengths.tolist())]


def marginals(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray, start: np.ndarray,
              end: np.ndarray) -> np.ndarray:
    """P(label at t) under the CRF: forward-backward in probability space, each step rescaled so
    nothing overflows (one small matrix product per step): (batch, longest, labels)."""
    batch, longest, labels = emissions.shape
    valid = np.arange(longest)[None, :] < lengths[:, None]
    shift = transitions.max()
    step = np.exp(transitions - shift)
    potentials = np.exp(emissions - emissions.max(2, keepdims=True))
    alpha = np.empty_like(emissions)
    current = np.exp(start - start.max())[None, :] * potentials[:, 0]
    alpha[:, 0] = current / current.sum(1, keepdims=True)
    for t in range(1, longest):
        current = (alpha[:, t - 1] @ step) * potentials[:, t]
        alpha[:, t] = current / current.sum(1, keepdims=True)
    beta = np.empty_like(emissions)
    final = np.exp(end - end.max())[None, :].repeat(batch, 0)
    beta[:, longest - 1] = final
    for t in range(longest - 2, -1, -1):
        current = ((potentials[:, t + 1] * beta[:, t + 1]) @ step.T)
        current /= current.sum(1, keepdims=True)
        beta[:, t] = np.where((t == lengths - 1)[:, None], final, current)
    total = alpha * beta
    total /= total.sum(2, keepdims=True)
    return np.where(valid[:, :, None], total, 0.0)


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
        digest = hashlib.sha256()
        for path in cls.model_files(model_dir, gazetteer_paths, gazetteer):
            digest.update(require(path).read_bytes())
        return f"vnpipe-neural-{digest.hexdigest()[:16]}"

    def checksum(self) -> str:
        return self._checksum

    def tag(self, sentence: str, words: list[Word]) -> list[tuple[int, int, str, float]]:
        return self.tag_many([(sentence, words)])[0]

    def tag_document(self, sentences: list[tuple[str, list[Word]]], window: int | None = None
                     ) -> list[list[tuple[int, int, str, float]]]:
        """Entities of one document's sentences: each tagged alone, then one name, one label (see
        `consistent_names`). `window` is accepted for the CRF's interface; the pass sees the document."""
        return self.tag_documents([sentences])[0]

    def tag_documents(self, documents: list[list[tuple[str, list[Word]]]]) -> list[list[list[tuple]]]:
        """`tag_document` of several documents, their sentences tagged in one batched call."""
        sentences = [sentence for document in documents for sentence in document]
        syllables = [[(s, e) for s, e, _, _ in syllables_of(text, words)] for text, words in sentences]
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
            syllables = [[(s, e) for s, e, _, _ in syllables_of(text, words)] for text, words in sentences]
        found: list[list] = [[] for _ in sentences]
        order = sorted((k for k in range(len(sentences)) if syllables[k]), key=lambda k: len(syllables[k]))
        for first in range(0, len(order), BATCH):
            rows = order[first:first + BATCH]
            tokens = [[sentences[k][0][s:e] for s, e in syllables[k]] for k in rows]
            for k, entities in zip(rows, self.tag_tokens(tokens)):
                found[k] = [(syllables[k][i][0], syllables[k][j - 1][1], label, confidence)
                            for i, j, label, confidence in entities]
        return found

    def tag_tokens(self, sentences: list[list[str]]) -> list[list[tuple[int, int, str, float]]]:
        """Entities as (first syllable, end syllable, label, confidence) of pre-split sentences."""
        inputs = pad_batch([self.featurizer.sentence(tokens) for tokens in sentences])
        emissions = self.graph.run(**inputs)[0]
        lengths = inputs["lengths"]
        paths = viterbi(emissions, lengths, self.transitions, self.start, self.end)
        named = [row for row, path in enumerate(paths) if any(path)]  # label 0 is O
        probabilities = dict(zip(named, marginals(emissions[named], lengths[named], self.transitions,
                                                  self.start, self.end))) if named else {}
        results = []
        for row, path in enumerate(paths):
            entities = []
            if row in probabilities:
                chosen = probabilities[row][np.arange(len(path)), path]
                tags = [BIO[label] for label in path]
                for i, j, label in spans_from_bio([(k, k + 1) for k in range(len(tags))], tags):
                    entities.append((i, j, label, round(float(chosen[i:j].mean()), 4)))
            results.append(entities)
        return results


def _distinctive(name: tuple[str, ...]) -> bool:
    """A name safe to look for elsewhere: two syllables or more, or one that is not a plain Vietnamese
    word (`Facebook`, `VNPT`, `G-7`), so `Nam` or `Hà` alone never spreads."""
    if not name[0][:1].isupper() and not name[0][:1].isdigit():
        return False
    return len(name) >= 2 or (len(name[0]) >= 2 and shape_id(name[0]) % 2 == 1)


def consistent_names(tokens: list[list[str]], syllables: list[list[tuple[int, int]]],
                     found: list[list[tuple[int, int, str, float]]]) -> list[list[tuple[int, int, str, float]]]:
    """One name, one label per document: each name found takes the label it has most weight for
    (summed confidence over its mentions), and its other mentions that the sentence-alone pass left
    untagged are tagged too, with the name's mean confidence. Names must be `_distinctive`."""
    weights: dict[tuple[str, ...], dict[str, float]] = {}
    mentions: dict[tuple[str, ...], int] = {}
    firsts = [{start: k for k, (start, _) in enumerate(spans)} for spans in syllables]
    ends = [{end: k + 1 for k, (_, end) in enumerate(spans)} for spans in syllables]
    located = []
    for index, entities in enumerate(found):
        for start, end, label, confidence in entities:
            i, j = firsts[index].get(start), ends[index].get(end)
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
        taken = [False] * len(sentence_tokens)
        for start, end, *_ in result[index]:
            for k, (s, e) in enumerate(syllables[index]):
                if s >= start and e <= end:
                    taken[k] = True
        tags = gazetteer_tags(sentence_tokens, best, starts)
        added = []
        for i, j, label in spans_from_bio([(k, k + 1) for k in range(len(tags))], tags):
            if not any(taken[i:j]):
                name = tuple(sentence_tokens[i:j])
                added.append((syllables[index][i][0], syllables[index][j - 1][1], label, round(mean[name], 4)))
        if added:
            result[index] = sorted(result[index] + added)
    return result
