"""Diacritic restoration: text typed without marks (`toi dang o Ha Noi`) back to Vietnamese
(`tôi đang ở Hà Nội`), by a syllable-level BiLSTM run with ONNX Runtime.

For each plain syllable the model chooses among the forms with marks that Vietnamese text attests
for it (`toi`: tôi, tối, tới, tội, ...; `google`: only itself), given the syllables around it. The
graph reads the plain, lower-case syllables, their case and the plain pairs they make with their
neighbours (`nguoi dan`: a pair says much of both), and gives the index of the best candidate; the
candidates, their casing and the tone-mark style are applied here. A syllable that already carries marks is never changed, and neither is one the model knows
no other form of (foreign words, names written without marks in Vietnamese text too).

Which text lacks its marks (`unmarked_spans`), sentence by sentence: syllables that Vietnamese
almost never writes bare (`toi`, `duoc`, `nguoi`: under 5% of their occurrences in the corpora),
* at least two of them, or three when the sentence carries marks too (`mật ong, que xiên` has two
  rare words); an acronym in capitals does not count there (`SAT`);
* a quarter of its Vietnamese syllables or more;
* twice as many as the words Vietnamese cannot spell, counting a lower-case one whole (`we are happy
  to be here` is English) and a capitalised one, a foreign name, as a quarter (`de la Cruz` among
  Spanish names);
* the letters of URLs, e-mail addresses and handles say nothing.
Text typed with its marks has few of them (a name, a typo), so it is left alone; a comment that mixes
both (`toi đang o Hà Nội`) is restored, its marked syllables kept.

In NFC, a letter with marks is one character, as is the same letter without them, so restoring
changes characters but never their number: offsets into the restored text are offsets into the
original. Training: `pipeline/train/diacritics.py`; card: `models/diacritics/MODEL_CARD.md`.
"""
from __future__ import annotations

import bisect
import functools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..digests import files_digest
from ..text.sentences import split_sentences
from ..text.vietnamese import CLASSIC, apply_tone_style
from .model_files import model_dir, require
from .onnx_graph import onnx_graph
from .wordseg.tokens import VERBATIM, is_vietnamese_syllable

MODEL_DIR = model_dir("diacritics")
GRAPH_FILE = "model.onnx"
VOCABULARY_FILE = "vocabulary.json"  # input syllables and the candidates of each, written by training
# Letters, numbers, and each other mark alone: what the model reads. A letter run is a syllable
# (`iPhone` is one); numbers are one token, whatever their digits.
TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
CHUNK = 64  # tokens the model reads at once: a sentence, or a piece of a longer one
PAD, UNKNOWN, NUMBER = 0, 1, 2
START, END = "<s>", "</s>"  # what a text's first token pairs with on its left, and its last on its right
CASES = {"pad": 0, "lower": 1, "title": 2, "upper": 3, "other": 4}
SENTENCE_ENDS = frozenset(".!?…;")
BATCH = 128  # chunks per graph call
MIN_BARE = 2  # syllables Vietnamese never writes bare that make a sentence one to restore ...
MIN_BARE_MIXED = 3  # ... or, in a sentence that carries marks too, 3 (`mật ong, que xiên`: two rare words)
MIN_BARE_SHARE = 0.25  # ... and their least share of its Vietnamese syllables
NEAR = 400  # characters: two bare syllables farther apart than this are no sentence to restore
_ASCII_WORDS = re.compile(r"(?<![^\W_])[A-Za-z]+(?![^\W_])")
_LETTERS = re.compile(r"(?<![^\W_])[^\W\d_]+(?![^\W_])")  # whole words: not the `o` of `o0o` or `4G`
INPUTS = ("ids", "cases", "left", "right")  # the graph's inputs besides `reverse`


def _strip_table() -> dict[int, str]:
    """Every precomposed Latin letter with marks to its base letter; `đ` to `d`."""
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii() and base.isalpha():
            table[code] = base
    return table


_STRIP = _strip_table()


def strip_diacritics(text: str) -> str:
    """`text` with every mark removed (`Hà Nội` -> `Ha Noi`, `đ` -> `d`); an NFC text keeps its length."""
    return text.translate(_STRIP)


@functools.lru_cache(maxsize=200_000)
def plain_key(token: str) -> str:
    """How the model reads a syllable: no marks, lower case."""
    return strip_diacritics(token).lower()


def case_of(token: str) -> int:
    if token.islower():
        return CASES["lower"]
    if token.isupper():
        return CASES["upper"] if len(token) > 1 else CASES["title"]
    if token.istitle():
        return CASES["title"]
    return CASES["other"]


def chunks(tokens: list[str]) -> list[tuple[int, int]]:
    """(start, end) token ranges of at most CHUNK tokens: sentences, packed while they fit."""
    sentences, start = [], 0
    for index, token in enumerate(tokens):
        if token in SENTENCE_ENDS:
            sentences.append((start, index + 1))
            start = index + 1
    if start < len(tokens):
        sentences.append((start, len(tokens)))
    pieces = []
    for start, end in sentences:  # a sentence longer than CHUNK: cut in pieces
        pieces += [(s, min(s + CHUNK, end)) for s in range(start, end, CHUNK)]
    packed: list[tuple[int, int]] = []
    for start, end in pieces:
        if packed and end - packed[-1][0] <= CHUNK:
            packed[-1] = (packed[-1][0], end)
        else:
            packed.append((start, end))
    return packed


def with_case_of(original: str, form: str) -> str:
    """`form` (lower case) with the case of each letter of `original` (of the same length)."""
    if original.islower():
        return form
    if original.isupper():
        return form.upper()
    return "".join(f.upper() if o.isupper() else f for o, f in zip(original, form))


def token_key(token: str) -> str:
    """What the model reads of a token: a syllable without marks in lower case, `<number>`, or the mark."""
    if token[:1].isdigit():
        return "<number>"
    return plain_key(token) if token[:1].isalpha() else token


def pair_keys(keys: list[str]) -> tuple[list[str], list[str]]:
    """The plain pair of each token with the one before it, and with the one after it."""
    padded = [START, *keys, END]
    pairs = [f"{a} {b}" for a, b in zip(padded, padded[1:])]
    return pairs[:-1], pairs[1:]


@dataclass(frozen=True)
class Restored:
    """A text with its marks restored, and what changed: (start, end) of each syllable rewritten."""

    text: str
    spans: list[tuple[int, int]]


class Vocabulary:
    """The model's input syllables and, for each, the forms it may restore to (classic tone style)."""

    def __init__(self, spec: dict) -> None:
        self.inputs = {token: index for index, token in enumerate(spec["inputs"])}
        self.candidates: list[list[str]] = spec["candidates"]  # by input id; [] when there is no choice
        self.choice = np.array([len(c) > 1 for c in self.candidates], dtype=bool)
        self.pairs = {pair: index for index, pair in enumerate(spec["pairs"], 1)}  # 0: a pair it does not know
        self.never_bare = frozenset(spec.get("never_bare", ()))  # plain syllables almost always written with marks

    def ids(self, tokens: list[str]) -> tuple[np.ndarray, ...]:
        """Input ids, case ids, and the ids of the pairs with the left and the right neighbour."""
        keys = [token_key(t) for t in tokens]
        left, right = pair_keys(keys)
        return (np.array([self.inputs.get(k, UNKNOWN) for k in keys], dtype=np.int64),
                np.array([case_of(t) for t in tokens], dtype=np.int64),
                np.array([self.pairs.get(p, 0) for p in left], dtype=np.int64),
                np.array([self.pairs.get(p, 0) for p in right], dtype=np.int64))


class Restorer:
    """Restores marks in the plain syllables of texts, many texts at once."""

    def __init__(self, directory: Path = MODEL_DIR) -> None:
        directory = Path(directory)
        self.directory = directory
        self.vocabulary = Vocabulary(json.loads(require(directory / VOCABULARY_FILE).read_text(encoding="utf-8")))
        self.graph = onnx_graph(str(directory / GRAPH_FILE))

    def unmarked_spans(self, text: str) -> list[tuple[int, int]]:
        """The sentences of `text` written without their marks (see the module's docstring)."""
        never_bare = self.vocabulary.never_bare
        hits = [m.start() for m in _ASCII_WORDS.finditer(text) if m.group().lower() in never_bare]
        if not any(b - a < NEAR for a, b in zip(hits, hits[1:])):
            return []  # the common case, text typed with its marks: one pass, no sentence split
        found: list[tuple[int, int]] = []
        verbatim = None
        for start, end in split_sentences(text):
            if bisect.bisect_left(hits, end) - bisect.bisect_left(hits, start) < MIN_BARE:
                continue  # too few bare syllables to count (a foreign name, `San Siro`)
            if verbatim is None:  # a URL's or an address's letters say nothing
                verbatim = [m.span() for m in VERBATIM.finditer(text)]
            words = [m.group() for m in _LETTERS.finditer(text, start, end)
                     if not (verbatim and _inside(m.start(), verbatim))]
            if self._typed_bare(words):
                found.append((start, end))
        return found

    def _typed_bare(self, words: list[str]) -> bool:
        """Whether the words of one sentence read as Vietnamese typed without its marks."""
        bare = caps = vietnamese = marked = 0
        foreign = 0.0
        for word in words:
            if not word.isascii():
                vietnamese, marked = vietnamese + 1, marked + 1
                continue
            if not is_vietnamese_syllable(word):
                foreign += 1 if word.islower() else 0.25  # `happy`; a foreign name (`Francisco`) a quarter
            key = word.lower()
            if key in self.vocabulary.never_bare:
                bare, vietnamese = bare + 1, vietnamese + 1
                caps += len(word) > 1 and word.isupper()
            elif key in self.vocabulary.inputs:
                vietnamese += self.vocabulary.choice[self.vocabulary.inputs[key]]
        if marked:
            bare -= caps  # `SAT` in a sentence with marks is an acronym, not `SÁT` typed bare
        least = MIN_BARE_MIXED if marked else MIN_BARE
        return bare >= least and bare >= MIN_BARE_SHARE * vietnamese and bare >= 2 * foreign

    def restore(self, texts: list[str], tone_style: str = CLASSIC,
                within: list[list[tuple[int, int]]] | None = None) -> list[Restored]:
        """Each text with the marks of its plain syllables restored in `tone_style` (only inside the
        spans `within` gives for it, when given); syllables that carry marks, those with no
        other form, and URLs, e-mail addresses and handles are left as they are."""
        pieces = []  # (text index, token spans of one chunk, its features)
        for index, text in enumerate(texts):
            if within is not None and not within[index]:
                continue  # nothing to restore: not even tokenized
            spans = [(m.start(), m.end()) for m in TOKEN.finditer(text, *_region(text, within, index))]
            tokens = [text[s:e] for s, e in spans]
            features = self.vocabulary.ids(tokens)  # pairs across chunks, as training reads them
            for a, b in chunks(tokens):
                if within is None or _overlaps(spans[a:b], within[index]):
                    pieces.append((index, spans[a:b], tuple(f[a:b] for f in features)))
        choices = self._choose([features for _, _, features in pieces])
        edits: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        verbatim = {index: [m.span() for m in VERBATIM.finditer(texts[index])] for index in {i for i, _, _ in pieces}}
        for (index, spans, _), chosen in zip(pieces, choices):
            text = texts[index]
            for (start, end), form in zip(spans, chosen):
                original = text[start:end]
                if form is None or not original.isascii() or _inside(start, verbatim[index]):
                    continue  # no choice, typed with its marks, or in a URL, an address, a handle
                if within is not None and not _inside(start, within[index]):
                    continue
                restored = with_case_of(original, form)
                if restored != original:
                    edits[index].append((start, end, restored))
        return [self._apply(text, found, tone_style) for text, found in zip(texts, edits)]

    def _choose(self, featurized: list[tuple[np.ndarray, ...]]) -> list[list[str | None]]:
        """The chosen form (lower case) of each token of each chunk; None where there is no choice."""
        results: list[list[str | None]] = [[None] * len(features[0]) for features in featurized]
        wanted = [k for k, features in enumerate(featurized) if self.vocabulary.choice[features[0]].any()]
        wanted.sort(key=lambda k: len(featurized[k][0]))
        for first in range(0, len(wanted), BATCH):
            rows = wanted[first:first + BATCH]
            lengths = np.array([len(featurized[k][0]) for k in rows], dtype=np.int64)
            longest = int(lengths.max())
            arrays = [np.zeros((len(rows), longest), dtype=np.int64) for _ in INPUTS]
            for row, k in enumerate(rows):
                for array, values in zip(arrays, featurized[k]):
                    array[row, :lengths[row]] = values
            ids = arrays[0]
            positions = np.arange(longest)[None, :]
            reverse = np.where(positions < lengths[:, None], lengths[:, None] - 1 - positions, positions)
            best, = self.graph.run(**dict(zip(INPUTS, arrays)), reverse=reverse)
            for row, k in enumerate(rows):
                for position in np.flatnonzero(self.vocabulary.choice[ids[row, :lengths[row]]]).tolist():
                    results[k][position] = self.vocabulary.candidates[ids[row, position]][best[row, position]]
        return results

    @staticmethod
    def _apply(text: str, edits: list[tuple[int, int, str]], tone_style: str) -> Restored:
        if not edits:
            return Restored(text, [])
        pieces, position = [], 0
        for start, end, form in edits:
            # Styled with a space before it: the tone style reads the letter before a syllable (`qu`).
            pieces += [text[position:start], apply_tone_style(" " + form, tone_style)[1:]]
            position = end
        pieces.append(text[position:])
        return Restored("".join(pieces), [(start, end) for start, end, _ in edits])


def _region(text: str, within: list[list[tuple[int, int]]] | None, index: int) -> tuple[int, int]:
    """The part of text `index` to read: from its first span to its last (a long article with one
    comment typed bare is not read whole), or all of it."""
    spans = within[index] if within is not None else None
    return (spans[0][0], spans[-1][1]) if spans else (0, len(text))


def _overlaps(spans: list[tuple[int, int]], within: list[tuple[int, int]]) -> bool:
    """Whether the tokens `spans` overlap one of `within` (sorted spans that do not overlap)."""
    if not spans:
        return False
    k = bisect.bisect_left(within, (spans[-1][1],))  # within[:k] start before the last token ends
    return k > 0 and within[k - 1][1] > spans[0][0]


def _inside(position: int, within: list[tuple[int, int]]) -> bool:
    """Whether `position` is in one of `within` (sorted spans that do not overlap)."""
    k = bisect.bisect_right(within, (position, math.inf)) - 1
    return k >= 0 and within[k][0] <= position < within[k][1]


def restore_diacritics(text: str, tone_style: str = CLASSIC) -> str:
    """`text` with the marks of the sentences written without them restored: `toi dang o Ha Noi` ->
    `tôi đang ở Hà Nội`. Sentences typed with their marks are left as they are; in a sentence that
    mixes both, the marked syllables are kept. Same length, so offsets hold."""
    model = restorer()
    return model.restore([text], tone_style, [model.unmarked_spans(text)])[0].text


def restorer_checksum(directory: Path = MODEL_DIR) -> str:
    """Identifies the shipped model from its files, without loading it."""
    return f"diacritics-{files_digest([require(directory / GRAPH_FILE), require(directory / VOCABULARY_FILE)])}"


@functools.cache
def restorer(directory: str | None = None) -> Restorer:
    """The shipped restorer (or the one in `directory`), loaded once per process."""
    return Restorer(Path(directory) if directory else MODEL_DIR)
