"""Character offsets: aligning tokens that a library returns to the text they came from, and
mapping positions in normalized text back to the original document."""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

Span = tuple[int, int]


def align_tokens(text: str, tokens: Iterable[str], joiner: str = "") -> list[Span]:
    """Find each token of `tokens` in `text`, in order, and return its (start, end) span.

    Libraries return tokens whose syllables are joined by a space or by `joiner` ("_"), and
    sometimes drop or change a character; whitespace is skipped on both sides, and a token
    that cannot be matched character by character is found by searching ahead for its first
    syllable, so one odd token never shifts the spans of the tokens after it.
    """
    spans: list[Span] = []
    position = 0
    for token in tokens:
        chars = [c for c in token if not c.isspace() and c != joiner] if joiner else \
                [c for c in token if not c.isspace()]
        if not chars:
            continue
        span = _match_at(text, position, chars) or _search_ahead(text, position, token, joiner)
        if span is None:
            continue
        spans.append(span)
        position = span[1]
    return spans


def _match_at(text: str, position: int, chars: Sequence[str]) -> Span | None:
    i = position
    while i < len(text) and text[i].isspace():
        i += 1
    start = i
    for char in chars:
        while i < len(text) and text[i].isspace() and not char.isspace():
            i += 1
        if i >= len(text) or text[i] != char:
            return None
        i += 1
    return start, i


def _search_ahead(text: str, position: int, token: str, joiner: str) -> Span | None:
    first = token.replace(joiner, " ").split()[0] if joiner else token.split()[0]
    start = text.find(first, position)
    if start < 0:
        return None
    return start, start + len(first)


class OffsetMap:
    """Maps character positions in a changed text back to the text it was made from.

    Stored as runs: `norm_starts[i]` in the new text corresponds to `orig_starts[i]` in the
    old one, and positions inside a run move together. Characters that normalization deleted
    simply fall between runs; a replacement of different length starts a new run.
    """

    def __init__(self, norm_starts: Sequence[int], orig_starts: Sequence[int]):
        self.norm_starts = list(norm_starts)
        self.orig_starts = list(orig_starts)

    @classmethod
    def identity(cls) -> "OffsetMap":
        return cls([0], [0])

    def to_original(self, position: int) -> int:
        run = bisect.bisect_right(self.norm_starts, position) - 1
        if run < 0:
            return position
        return self.orig_starts[run] + position - self.norm_starts[run]

    def span_to_original(self, start: int, end: int) -> Span:
        """The original span of a normalized span.

        `end` maps from its last character, unless a replacement ends right at `end` (its closing
        run is recorded twice, see TextBuilder.replace): then the span takes all the characters
        replaced, so `ế` composed from `e` and two combining marks maps back to all three."""
        if end <= start:
            original = self.to_original(start)
            return original, original
        run = bisect.bisect_left(self.norm_starts, end)
        if (run + 1 < len(self.norm_starts) and self.norm_starts[run] == self.norm_starts[run + 1] == end
                and self.orig_starts[run] == self.orig_starts[run + 1]):
            return self.to_original(start), self.orig_starts[run]
        return self.to_original(start), self.to_original(end - 1) + 1


class TextBuilder:
    """Builds a new text piece by piece while recording where each piece came from."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.norm_starts: list[int] = []
        self.orig_starts: list[int] = []

    def copy(self, piece: str, orig_start: int) -> None:
        """Append `piece`, which stands unchanged at `orig_start` in the original."""
        if not piece:
            return
        expected = None
        if self.norm_starts:
            expected = self.orig_starts[-1] + self.length - self.norm_starts[-1]
        if expected != orig_start:
            self.norm_starts.append(self.length)
            self.orig_starts.append(orig_start)
        self.pieces.append(piece)
        self.length += len(piece)

    def replace(self, piece: str, orig_start: int, orig_end: int) -> None:
        """Append `piece`, which replaces original[orig_start:orig_end] (lengths may differ)."""
        if not piece:
            return
        if len(piece) == orig_end - orig_start:
            self.copy(piece, orig_start)
            return
        self.norm_starts.append(self.length)
        self.orig_starts.append(orig_start)
        self.pieces.append(piece)
        self.length += len(piece)
        # The next character must start a run of its own, or it would map into this piece. The run
        # is recorded twice: that marks where a replacement ends, for span_to_original.
        self.norm_starts.extend((self.length, self.length))
        self.orig_starts.extend((orig_end, orig_end))

    def extend(self, other: "TextBuilder") -> None:
        """Append everything `other` built, keeping each piece's original position."""
        base = self.length
        self.norm_starts.extend(base + start for start in other.norm_starts)
        self.orig_starts.extend(other.orig_starts)
        self.pieces.extend(other.pieces)
        self.length += other.length

    def text(self) -> str:
        return "".join(self.pieces)

    def offset_map(self) -> OffsetMap:
        if not self.norm_starts:
            return OffsetMap.identity()
        return OffsetMap(self.norm_starts, self.orig_starts)
