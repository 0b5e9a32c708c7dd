"""Facts about Vietnamese script that several stages share: tone-mark placement styles.

Vietnamese writes the tone of the open syllables -oa, -oe and -uy on either vowel: `hòa`/`hoà`,
`khỏe`/`khoẻ`, `thủy`/`thuỷ`. Both are correct and both occur in one page, so every stage sees
one style, chosen by the `tone_style` setting.
"""
from __future__ import annotations

import re
import unicodedata

CLASSIC = "classic"  # hòa, khỏe, thủy: tone on the first vowel
MODERN = "modern"    # hoà, khoẻ, thuỷ: tone on the second vowel
TONE_STYLES = (CLASSIC, MODERN)

_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook, tilde, dot below
_PAIRS = ("oa", "oe", "uy")


def _with_tone(letter: str, mark: str) -> str:
    return unicodedata.normalize("NFC", letter + mark)


def _casings(first: str, second: str) -> list[tuple[str, str]]:
    return [(first, second), (first.upper(), second.upper()), (first.upper(), second)]


def _nucleus_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Both spellings of every toned -oa/-oe/-uy nucleus, in every casing."""
    to_modern, to_classic = {}, {}
    for pair in _PAIRS:
        for first, second in _casings(pair[0], pair[1]):
            for mark in _TONE_MARKS:
                classic = _with_tone(first, mark) + second
                modern = first + _with_tone(second, mark)
                to_modern[classic] = modern
                to_classic[modern] = classic
    return to_modern, to_classic


_TO_MODERN, _TO_CLASSIC = _nucleus_tables()


def _nucleus_pattern(table: dict[str, str]) -> re.Pattern[str]:
    # The nucleus must end the syllable: `hoàng` and `khuya` keep their tone where it is.
    alternatives = "|".join(sorted(map(re.escape, table), key=len, reverse=True))
    return re.compile(f"({alternatives})(?!\\w)")


_PATTERNS = {MODERN: (_nucleus_pattern(_TO_MODERN), _TO_MODERN),
             CLASSIC: (_nucleus_pattern(_TO_CLASSIC), _TO_CLASSIC)}


def apply_tone_style(text: str, style: str) -> str:
    """Move the tone of open -oa/-oe/-uy syllables to the vowel `style` wants; `text` must be NFC.

    The length of the text never changes, so character offsets stay valid.
    """
    if style not in _PATTERNS:
        raise ValueError(f"unknown tone style {style!r}; choose one of {', '.join(TONE_STYLES)}")
    pattern, table = _PATTERNS[style]

    def swap(match: re.Match[str]) -> str:
        nucleus = match.group(1)
        before = text[match.start() - 1] if match.start() else ""
        if nucleus[0] in "uUủỦúÚùÙũŨụỤ" and before in "qQ":
            return nucleus  # in `quý` the u belongs to the consonant qu-
        return table[nucleus]

    return pattern.sub(swap, text)
