"""Facts about Vietnamese script that several stages share: tone-mark placement styles.

Vietnamese writes the tone of the open syllables -oa, -oe and -uy on either vowel: `hòa`/`hoà`,
`khỏe`/`khoẻ`, `thủy`/`thuỷ`. Both are correct and both occur in one page. The text a run writes
uses one style: the one its corpus uses most (`auto`, the default) or the one the user chose; the
models always read one internal form (`INTERNAL`, `internal_form`), so the style never changes
what they find.
"""
from __future__ import annotations

import functools
import re
import unicodedata

CLASSIC = "classic"  # hòa, khỏe, thủy: tone on the first vowel (most of the press)
MODERN = "modern"    # hoà, khoẻ, thuỷ: tone on the second vowel
AUTO = "auto"        # the style the corpus itself uses most
TONE_STYLES = (CLASSIC, MODERN)
TONE_STYLE_CHOICES = (AUTO, CLASSIC, MODERN)
INTERNAL = MODERN  # the one form the models read, whatever the output style

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
    # The nucleus must end the syllable: `hoàng` and `khuya` keep their tone where it is (`_`, which
    # joins the syllables of a word, ends one: `hòa_bình`).
    alternatives = "|".join(sorted(map(re.escape, table), key=len, reverse=True))
    return re.compile(f"({alternatives})(?![^\\W_])")


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
        if nucleus[0] in "uUủỦúÚùÙũŨụỤ" and before and before in "qQ":
            return nucleus  # in `quý` the u belongs to the consonant qu-
        return table[nucleus]

    return pattern.sub(swap, text)


@functools.lru_cache(maxsize=200_000)
def internal_form(text: str) -> str:
    """`text` (NFC) in the form the models read: the same characters, the tone of -oa/-oe/-uy on
    the second vowel. Cached: called for words and names, which repeat."""
    return apply_tone_style(text, INTERNAL)


def tone_counts(text: str) -> tuple[int, int]:
    """How many toned open syllables of `text` are written the classic way, and the modern way."""
    return len(_PATTERNS[MODERN][0].findall(text)), len(_PATTERNS[CLASSIC][0].findall(text))


def majority_style(classic: int, modern: int) -> str:
    """The style of a corpus with these counts: the one it uses most; classic (the press's) on a tie."""
    return MODERN if modern > classic else CLASSIC
