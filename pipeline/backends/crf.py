"""Two-label CRFsuite models (word boundaries: B starts a word, I continues it) run in Python, for speed.

pycrfsuite turns every feature string of every position into an attribute id, for each sentence
again; most of a segmenter's time went there. Here the weights are read once from the model file,
so a caller can add up the weights of the features that depend on the same syllables once per
syllable n-gram and keep the sums (`NgramWeights`), and decoding is Viterbi and forward-backward
over two labels. The results are those of crfsuite: the same weights (read bit for bit from the
file), the same decoding rule, the same tie-break (the lower label id first).
"""
from __future__ import annotations

import math
import struct
from collections.abc import Callable, Hashable
from pathlib import Path

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

    def viterbi(self, scores: list[tuple[float, float]]) -> list[int]:
        """The best label sequence (0 or 1 at each position) for the state scores at each position."""
        if not scores:
            return []
        (t00, t01), (t10, t11) = self.transition
        best0, best1 = scores[0]
        back: list[tuple[int, int]] = []
        for s0, s1 in scores[1:]:
            from0, from1 = best0 + t00, best1 + t10
            come0 = 1 if from1 > from0 else 0
            to0 = from1 if come0 else from0
            from0, from1 = best0 + t01, best1 + t11
            come1 = 1 if from1 > from0 else 0
            to1 = from1 if come1 else from0
            back.append((come0, come1))
            best0, best1 = to0 + s0, to1 + s1
        label = 1 if best1 > best0 else 0
        path = [label]
        for step in reversed(back):
            label = step[label]
            path.append(label)
        path.reverse()
        return path

    def marginals(self, scores: list[tuple[float, float]]) -> list[float]:
        """The probability of label 1 at each position (forward-backward)."""
        n = len(scores)
        if not n:
            return []
        (t00, t01), (t10, t11) = self.transition
        e00, e01, e10, e11 = math.exp(t00), math.exp(t01), math.exp(t10), math.exp(t11)
        states = [(math.exp(s0), math.exp(s1)) for s0, s1 in scores]
        forward = [states[0]]
        a0, a1 = states[0]
        total = a0 + a1
        a0, a1 = a0 / total, a1 / total
        forward[0] = (a0, a1)
        for k in range(1, n):
            s0, s1 = states[k]
            a0, a1 = (a0 * e00 + a1 * e10) * s0, (a0 * e01 + a1 * e11) * s1
            total = a0 + a1
            a0, a1 = a0 / total, a1 / total
            forward.append((a0, a1))
        b0 = b1 = 1.0
        result = [0.0] * n
        for k in range(n - 1, -1, -1):
            f0, f1 = forward[k]
            p0, p1 = f0 * b0, f1 * b1
            result[k] = p1 / (p0 + p1)
            s0, s1 = states[k]
            b0, b1 = e00 * s0 * b0 + e01 * s1 * b1, e10 * s0 * b0 + e11 * s1 * b1
            total = b0 + b1
            b0, b1 = b0 / total, b1 / total
        return result


class NgramWeights:
    """A bounded cache: the weights a CRF gives the features that depend only on one n-gram of
    syllables (computed by `weigh` on a miss). News vocabulary repeats, so most look-ups hit."""

    def __init__(self, weigh: Callable[[Hashable], tuple], limit: int = 200_000) -> None:
        self.weigh, self.limit = weigh, limit
        self.cache: dict[Hashable, tuple] = {}

    def __call__(self, key: Hashable) -> tuple:
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= self.limit:  # memory stays flat however much text goes through
                self.cache.clear()
            found = self.cache[key] = self.weigh(key)
        return found
