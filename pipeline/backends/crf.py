"""Two-label CRFsuite models (word boundaries: B starts a word, I continues it) run in numpy, for speed.

pycrfsuite turns every feature string of every position into an attribute id, for each sentence
again; most of a segmenter's time went there. Here the weights are read once from the model file,
so a caller can add up the weights of the features that depend on the same syllables once per
syllable n-gram and keep them (`WindowWeights`), and the state scores, Viterbi and forward-backward
of a whole batch of sentences (`Batch`) are computed together, position by position (a batch of
few sentences is decoded one sentence at a time in plain Python, faster there). The results
are those of crfsuite: the same weights (read bit for bit from the file), the same decoding rule,
the same tie-break (the lower label id first).
"""
from __future__ import annotations

import math
import struct
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import numpy as np

_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CHUNK = 12  # chunk id, size, number of items
_FEATURE = struct.Struct("<IIId")  # type (0 state, 1 transition), source, destination, weight


class BinaryCrf:
    """The weights of a CRFsuite model with two labels: `state[attribute] = (weight of label 0, of label 1)`
    and `transition[from][to]`."""

    def __init__(self, path: str | Path) -> None:
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        info = tagger.info()  # attribute and label names, in the order of the model's references
        self.labels = [label for label, _ in sorted(info.labels.items(), key=lambda item: int(item[1]))]
        if len(self.labels) != 2:
            raise ValueError(f"{path}: {len(self.labels)} labels; BinaryCrf reads two-label models only")
        data = Path(path).read_bytes()
        (magic, _, kind, _, _, num_labels, num_attrs, off_features, _, _, off_labelrefs,
         off_attrrefs) = _HEADER.unpack_from(data, 0)
        if magic != b"lCRF" or kind != b"FOMC":
            raise ValueError(f"{path} is not a CRFsuite first-order model")
        (num_features,) = struct.unpack_from("<I", data, off_features + 8)  # the header's count is not kept
        features = [_FEATURE.unpack_from(data, off_features + _CHUNK + _FEATURE.size * k)
                    for k in range(num_features)]

        def referenced(offset: int, count: int) -> list[tuple[int, int, int, float]]:
            # crfsuite's dump (which info() parses) lists features by these references, in order.
            found = []
            for k in range(count):
                (at,) = struct.unpack_from("<I", data, offset + _CHUNK + 4 * k)
                (n,) = struct.unpack_from("<I", data, at)
                found += [features[fid] for fid in struct.unpack_from(f"<{n}I", data, at + 4)]
            return found

        index = {label: k for k, label in enumerate(self.labels)}
        self.transition = [[0.0, 0.0], [0.0, 0.0]]
        moves = referenced(off_labelrefs, num_labels)
        if len(moves) != len(info.transitions):
            raise ValueError(f"{path}: transition features do not match the model's dump")
        for (kind_, source, destination, weight), ((a, b), shown) in zip(moves, info.transitions.items()):
            if kind_ != 1 or abs(weight - shown) > 1e-6 or (source, destination) != (index[a], index[b]):
                raise ValueError(f"{path}: transition {a}->{b} does not match the model's dump")
            self.transition[source][destination] = weight
        (t00, t01), (t10, t11) = self.transition
        self._exp_transition = (math.exp(t00), math.exp(t01), math.exp(t10), math.exp(t11))
        self.state: dict[str, tuple[float, float]] = {}
        states = referenced(off_attrrefs, num_attrs)
        if len(states) != len(info.state_features):
            raise ValueError(f"{path}: state features do not match the model's dump")
        for (kind_, _, destination, weight), ((attribute, label), shown) in zip(states, info.state_features.items()):
            if kind_ != 0 or abs(weight - shown) > 1e-6 or destination != index[label]:
                raise ValueError(f"{path}: feature {attribute}->{label} does not match the model's dump")
            pair = self.state.get(attribute, (0.0, 0.0))
            self.state[attribute] = (weight, pair[1]) if destination == 0 else (pair[0], weight)

    def weights(self, attributes: list[str]) -> tuple[float, float]:
        """The summed weights of `attributes` for each label (unknown attributes weigh nothing)."""
        b = i = 0.0
        get = self.state.get
        for attribute in attributes:
            pair = get(attribute)
            if pair is not None:
                b += pair[0]
                i += pair[1]
        return b, i

    def viterbi(self, scores: np.ndarray, batch: Batch) -> np.ndarray:
        """The best label (0 or 1) at each position of `batch`, for the state scores `scores[position, label]`."""
        if batch.few:
            rows = scores.tolist()
            return np.array([label for start, length in zip(batch.starts.tolist(), batch.lengths.tolist())
                             for label in self._viterbi_sentence(rows[start:start + length])], dtype=np.intp)
        (t00, t01), (t10, t11) = self.transition
        best = scores.copy()  # the best path's score to each position, ending in each label
        back = np.zeros((batch.size, 2), dtype=np.intp)  # the label before, on that path
        for here in batch.steps:
            before0, before1 = best[here - 1, 0], best[here - 1, 1]
            for label, (from0, from1) in enumerate(((before0 + t00, before1 + t10), (before0 + t01, before1 + t11))):
                # As crfsuite: coming from label 1 wins only when strictly better (ties go to the lower id).
                come = from1 > from0
                back[here, label] = come
                best[here, label] = np.where(come, from1, from0) + scores[here, label]
        labels = np.zeros(batch.size, dtype=np.intp)
        labels[batch.lasts] = best[batch.lasts, 1] > best[batch.lasts, 0]
        for here in reversed(batch.steps):
            labels[here - 1] = back[here, labels[here]]
        return labels

    def marginals(self, scores: np.ndarray, batch: Batch) -> np.ndarray:
        """The probability of label 1 at each position of `batch` (forward-backward, normalised at
        each step; every product and sum in the order of the one-sentence recurrence)."""
        if batch.few:
            rows = scores.tolist()
            return np.array([p for start, length in zip(batch.starts.tolist(), batch.lengths.tolist())
                             for p in self._marginals_sentence(rows[start:start + length])])
        e00, e01, e10, e11 = self._exp_transition
        # math.exp, not np.exp: numpy's may differ from the C library's in the last bit.
        states = np.array(list(map(math.exp, scores.ravel().tolist()))).reshape(-1, 2)
        forward = np.empty_like(states)
        first = states[batch.starts]
        forward[batch.starts] = first / (first[:, 0] + first[:, 1])[:, None]
        for here in batch.steps:
            a0, a1 = forward[here - 1, 0], forward[here - 1, 1]
            s0, s1 = states[here, 0], states[here, 1]
            a0, a1 = (a0 * e00 + a1 * e10) * s0, (a0 * e01 + a1 * e11) * s1
            total = a0 + a1
            forward[here, 0], forward[here, 1] = a0 / total, a1 / total
        backward = np.empty_like(states)
        backward[batch.lasts] = 1.0
        for here in reversed(batch.steps):
            b0, b1 = backward[here, 0], backward[here, 1]
            s0, s1 = states[here, 0], states[here, 1]
            b0, b1 = e00 * s0 * b0 + e01 * s1 * b1, e10 * s0 * b0 + e11 * s1 * b1
            total = b0 + b1
            backward[here - 1, 0], backward[here - 1, 1] = b0 / total, b1 / total
        both = forward * backward
        return both[:, 1] / (both[:, 0] + both[:, 1])


    def _viterbi_sentence(self, scores: list[list[float]]) -> list[int]:
        """`viterbi` of one sentence, in plain Python: the same sums and comparisons, one position at a time."""
        (t00, t01), (t10, t11) = self.transition
        best0, best1 = scores[0]
        back: list[tuple[int, int]] = []
        for s0, s1 in scores[1:]:
            from0, from1 = best0 + t00, best1 + t10
            come0 = from1 > from0
            to0 = from1 if come0 else from0
            from0, from1 = best0 + t01, best1 + t11
            come1 = from1 > from0
            to1 = from1 if come1 else from0
            back.append((come0, come1))
            best0, best1 = to0 + s0, to1 + s1
        label = int(best1 > best0)
        path = [label]
        for step in reversed(back):
            label = int(step[label])
            path.append(label)
        path.reverse()
        return path

    def _marginals_sentence(self, scores: list[list[float]]) -> list[float]:
        """`marginals` of one sentence, in plain Python: the same products and sums in the same order."""
        e00, e01, e10, e11 = self._exp_transition
        states = [(math.exp(s0), math.exp(s1)) for s0, s1 in scores]
        a0, a1 = states[0]
        total = a0 + a1
        a0, a1 = a0 / total, a1 / total
        forward = [(a0, a1)]
        for s0, s1 in states[1:]:
            a0, a1 = (a0 * e00 + a1 * e10) * s0, (a0 * e01 + a1 * e11) * s1
            total = a0 + a1
            a0, a1 = a0 / total, a1 / total
            forward.append((a0, a1))
        b0 = b1 = 1.0
        result = [0.0] * len(states)
        for k in range(len(states) - 1, -1, -1):
            f0, f1 = forward[k]
            p0, p1 = f0 * b0, f1 * b1
            result[k] = p1 / (p0 + p1)
            s0, s1 = states[k]
            b0, b1 = e00 * s0 * b0 + e01 * s1 * b1, e10 * s0 * b0 + e11 * s1 * b1
            total = b0 + b1
            b0, b1 = b0 / total, b1 / total
        return result


class Batch:
    """Sentences decoded together: their positions laid end to end (sentence k's at `starts[k]` on),
    and where each position sits (`padded`) when every sentence has PAD slots either side, the layout
    in which n-gram windows are read (`windows`)."""

    PAD = 2
    FEW = 64

    def __init__(self, lengths: Sequence[int]) -> None:
        self.lengths = np.asarray(lengths, dtype=np.intp)
        if len(self.lengths) and self.lengths.min() < 1:
            raise ValueError("a Batch holds sentences of one position or more")
        self.size = int(self.lengths.sum())
        self.starts = np.cumsum(self.lengths) - self.lengths
        self.lasts = self.starts + self.lengths - 1
        sentence = np.repeat(np.arange(len(self.lengths)), self.lengths)
        self.padded = np.arange(self.size) + 2 * self.PAD * sentence + self.PAD
        self.padded_ends = (np.cumsum(self.lengths + 2 * self.PAD)).tolist()
        # steps[t - 1]: position t of every sentence longer than t. Longest first, so that each step
        # takes a prefix of the sentences.
        # A batch of few sentences is decoded one sentence at a time in plain Python (BinaryCrf): a numpy
        # step costs more than it saves when it works on a handful of positions.
        self.few = len(self.lengths) <= self.FEW
        order = np.argsort(-self.lengths, kind="stable")
        longer = np.searchsorted(-self.lengths[order], -np.arange(1, int(self.lengths.max(initial=1))), "left")
        self.steps = [self.starts[order[:count]] + t for t, count in enumerate(longer.tolist(), 1)]

    def windows(self, slots: list[str], size: int) -> list[str | None]:
        """The text of the window of `size` slots that starts at each slot of the padded layout
        (slots joined by spaces), None where it would reach into the next sentence."""
        if size == 1:
            return slots
        keys: list[str | None] = list(map(" ".join, zip(*(slots[k:] for k in range(size)))))
        keys += [None] * (size - 1)
        crossing = [None] * (size - 1)
        for end in self.padded_ends:
            keys[end - size + 1:end] = crossing
        return keys

    def sentences(self, values: np.ndarray) -> list[np.ndarray]:
        """`values` (one per position) cut into one array per sentence."""
        return np.split(values, self.starts[1:])


class SharedWeights(dict):
    """What a `WindowWeights.weigh` function returns for every window of one kind (for example all the
    windows a model never saw, that weigh only by their flags): its row is made once."""


class WindowWeights:
    """What the features that read one window of `size` syllables add to the positions near it, worked
    out once per window (`weigh`) and kept as a row of one array; news vocabulary repeats, so most
    windows of a batch are one dict look-up, and all are one gather.

    `weigh(window)` gives, for each delta (where the window starts, relative to the position), a list
    of terms (weight of label 0, of label 1). `add` adds them one at a time, by delta (ascending)
    and then term: the order of the additions of the one-sentence code, so the sums are the same bit
    for bit."""

    _MARGIN = 4  # deltas reach this far before or after a position

    def __init__(self, size: int, deltas: Sequence[int], terms: int,
                 weigh: Callable[[str], dict[int, list[tuple[float, float]]]], limit: int = 50_000,
                 relevant: tuple[frozenset[str], ...] | None = None) -> None:
        self.size, self.deltas, self.terms, self.weigh, self.limit = size, tuple(deltas), terms, weigh, limit
        # When given, a window in none of these sets weighs nothing (most triples of new text): row 0,
        # found by one set intersection per batch rather than one `weigh` call per window.
        self.relevant = relevant
        self._offsets = {delta: d * terms * 2 for d, delta in enumerate(self.deltas)}  # in a flat row
        self._clear()

    def _clear(self) -> None:
        self.rows: dict[Hashable, int] = {None: 0}  # row 0 weighs nothing: a window across sentences
        self.table = np.zeros((4096, len(self.deltas), self.terms, 2))
        self.used = 1  # rows of the table in use
        self._shared: dict[int, tuple[SharedWeights, int]] = {}  # id -> (the weights, kept alive; their row)

    def _store(self, new: list[list[float]]) -> None:
        while self.used + len(new) > len(self.table):
            self.table = np.concatenate((self.table, np.zeros_like(self.table)))
        self.table[self.used:self.used + len(new)] = np.array(new).reshape(len(new), *self.table.shape[1:])
        self.used += len(new)

    def ids(self, windows: list[str | None]) -> np.ndarray:
        """The row of each window, weighing the new ones (a window that weighs nothing gets row 0)."""
        # Memory stays flat however much text goes through. Most windows of new text are new (pairs and
        # triples of syllables), so a larger table buys little: 200,000 rows cost a worker 150 MB more
        # for 5% less time on 1,000 VNTC articles.
        if len(self.rows) > self.limit:
            self._clear()
        known = self.rows
        missing = {window for window in set(windows) if window not in known}
        if missing:
            if self.relevant is not None:
                missing = set().union(*(missing.intersection(kept) for kept in self.relevant))
            new: list[list[float]] = []
            for window in missing:
                known[window] = self._weighed(window, new)
            if new:
                self._store(new)
        get = known.get
        return np.array([get(window, 0) for window in windows], dtype=np.intp)

    def _weighed(self, window: str, new: list[list[float]]) -> int:
        weights = self.weigh(window)
        if not weights:
            return 0
        if isinstance(weights, SharedWeights):  # the same for many windows: one row for all of them
            shared = self._shared.get(id(weights))
            if shared is None:
                shared = self._shared[id(weights)] = (weights, self._new_row(weights, new))
            return shared[1]
        return self._new_row(weights, new)

    def _new_row(self, weights: dict[int, list[tuple[float, float]]], new: list[list[float]]) -> int:
        # The row is built as a flat list (deltas, terms, labels): numpy per row cost more than the weighing.
        row = [0.0] * (len(self.deltas) * self.terms * 2)
        for delta, terms in weights.items():
            at = self._offsets[delta]
            for b, i in terms:
                row[at], row[at + 1] = b, i
                at += 2
        if not any(row):
            return 0
        new.append(row)
        return self.used + len(new) - 1

    def add(self, scores: np.ndarray, slots: list[str], batch: Batch) -> None:
        """Add to `scores` (position, label) what the windows of the padded `slots` give each position."""
        margin = np.zeros(self._MARGIN, dtype=np.intp)
        rows = np.concatenate((margin, self.ids(batch.windows(slots, self.size)), margin))
        for d, delta in enumerate(self.deltas):
            weights = self.table[rows[batch.padded + (delta + self._MARGIN)], d]
            for term in range(self.terms):
                scores += weights[:, term]
