"""Scores diacritic restoration: strip every mark from a text with its marks, restore it, and
count the syllables that come back right.

`evaluate(texts)` reports, over the syllables (letter runs) of the texts:
* `accuracy`: the share restored right, tone placement aside (`hòa` for `hoà` is right: the style is
  a setting, `--tone-style`), and `exact`: right to the letter;
* `marked_accuracy`: the same over the syllables that carry a mark in the original (a restorer that
  left everything bare would still get the others right);
* `unchanged`: on the original texts as they are (marks and all), the share of syllables that
  restoration leaves unchanged: text that has its marks must come back as it was;
* the speed, in syllables per second of CPU time, loading the model included.
`compare="pyvi"` scores pyvi's `ViUtils.add_accents` on the same stripped texts.
"""
from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..backends.diacritics import TOKEN, restore_diacritics, restorer, strip_diacritics, with_case_of
from ..text.vietnamese import internal_form


def syllables(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text) if m.group()[0].isalpha()]


def score(originals: list[str], restored: list[str]) -> dict[str, Any]:
    """Accuracy (tone placement aside), exact accuracy, and accuracy on the marked syllables."""
    total = right = exact = marked = marked_right = 0
    for original, output in zip(originals, restored):
        for start, end in syllables(original):
            truth, guess = original[start:end], output[start:end]
            same = internal_form(" " + truth) == internal_form(" " + guess)
            total += 1
            right += same
            exact += truth == guess
            if not truth.isascii():
                marked += 1
                marked_right += same
    return {"syllables": total, "accuracy": _pct(right, total), "exact": _pct(exact, total),
            "marked_syllables": marked, "marked_accuracy": _pct(marked_right, marked)}


def evaluate(texts: Iterable[str], compare: str | None = None) -> dict[str, Any]:
    originals = [unicodedata.normalize("NFC", text) for text in texts]
    stripped = [strip_diacritics(text) for text in originals]
    started = time.process_time()
    restorer.cache_clear()
    model = restorer()  # loading counts
    restored = [model.restore([text], within=[model.unmarked_spans(text)])[0].text for text in stripped]
    seconds = time.process_time() - started
    result = {"texts": len(originals), **score(originals, restored),
              "syllables_per_second": round(sum(len(syllables(t)) for t in stripped) / max(seconds, 1e-9)),
              "unchanged": _unchanged(originals)}
    if compare == "pyvi":
        result["pyvi"] = score(originals, _pyvi(stripped))
    return result


def _unchanged(originals: list[str]) -> float:
    """The share of syllables of texts typed with their marks that restoration leaves as they are."""
    total = same = 0
    for original in originals:
        output = restore_diacritics(original)
        for start, end in syllables(original):
            total += 1
            same += original[start:end] == output[start:end]
    return _pct(same, total)


def _pyvi(texts: list[str]) -> list[str]:
    """pyvi's add_accents on each line; it raises on some inputs (KeyError): such a line stays bare,
    as it would for a user, who gets an exception instead."""
    from pyvi import ViUtils

    out = []
    for text in texts:
        lines = []
        for line in text.split("\n"):
            try:
                accented = str(ViUtils.add_accents(line))
            except Exception:  # noqa: BLE001 - pyvi's own failures count as lines left bare
                accented = line
            lines.append(_aligned(line, accented))
        out.append("\n".join(lines))
    return out


def _aligned(line: str, accented: str) -> str:
    """pyvi's syllables put back in the line's own places (it may change the spacing), or the line
    as it was when they do not pair one to one."""
    ours, theirs = syllables(line), [accented[s:e] for s, e in syllables(accented)]
    if len(ours) != len(theirs) or any(len(word) != end - start for (start, end), word in zip(ours, theirs)):
        return line
    pieces, position = [], 0
    for (start, end), word in zip(ours, theirs):
        pieces += [line[position:start], with_case_of(line[start:end], word.lower())]  # pyvi recases words
        position = end
    return "".join(pieces) + line[position:]


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0
