"""Pre-tokenization: syllables, punctuation and spans that are one word whatever a model says (URLs,
numbers, dates, handles), and the spelling test that tells a Vietnamese syllable from a foreign one."""
from __future__ import annotations

import functools
import re

Token = tuple[int, int, str]  # start, end, kind (one of KINDS)


_URL = r"(?:https?://|www\.)[^\s]+?(?=[.,;:!?)\]}'\"”’»]*(?:\s|$))"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_HANDLE = r"[#@][^\W_][\w.]*(?<!\.)"
_DATE = r"\d{1,4}(?:[/-]\d{1,4}){1,2}(?![\w/-])"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?!\w)|\d{1,2}[hg]\d{2}(?!\w)"
_NUMBER = r"\d+(?:[.,]\d+)*(?:-\d+(?:[.,]\d+)*)?(?:%|(?!\w))"
_DOMAIN = r"\w+(?:[.-]\w+)*\.(?:com|net|org|vn|io|ai|gov|edu|info|biz|co|uk|us|de|fr|jp|cn)(?:\.vn)?(?!\w)"
# Initials and abbreviations with their full stop, as Vietnamese news and the gold data write them:
# `TP. HCM`, `H. Nam`, `Th. Sĩ`; only when a word follows, so a sentence-final letter keeps its stop apart.
_ABBREVIATION = r"(?:[A-ZĐ][a-zđ]?|TP|Tp|tp|TS|ThS|PGS|GS|Mr|Mrs|Ms|Dr|St)\.(?=\s*\S)"
# Spans written as they are, never changed by a model (restoring marks in a URL would break it).
VERBATIM = re.compile("|".join((_URL, _EMAIL, _HANDLE, _DOMAIN)))
_WORD = r"[^\W_]+(?:['’&.-][^\W_]+)*"
_PUNCTUATION = r"(?P<mark>[^\w\s])(?P=mark)*|_"

KINDS = ("url", "email", "handle", "date", "time", "number", "domain", "abbreviation", "word", "punct")
_TOKEN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in zip(
    KINDS, (_URL, _EMAIL, _HANDLE, _DATE, _TIME, _NUMBER, _DOMAIN, _ABBREVIATION, _WORD, None)) if pattern)
    + f"|(?P<punct>{_PUNCTUATION})")


_CHUNK = re.compile(r"\S+")


def tokenize(sentence: str) -> list[Token]:
    """Split `sentence` into syllables, punctuation and protected pieces, with their kind."""
    # No token spans a space, and every other character starts one, so each run of non-spaces is
    # tokenized on its own (and the tokens of a run are kept: news text repeats its words); the only
    # context a run's tokens read is whether anything follows it (`TP.` is an abbreviation then).
    chunks = [(match.start(), match.group()) for match in _CHUNK.finditer(sentence)]
    tokens: list[Token] = []
    last = len(chunks) - 1
    for k, (start, chunk) in enumerate(chunks):
        if chunk.isalpha():  # a syllable: only _WORD matches letters alone
            tokens.append((start, start + len(chunk), "word"))
        else:
            tokens += [(start + a, start + b, kind) for a, b, kind in _chunk_tokens(chunk, k == last)]
    return tokens


@functools.lru_cache(maxsize=65536)
def _chunk_tokens(chunk: str, last: bool) -> tuple[Token, ...]:
    """The tokens of a run of non-spaces, as `_TOKEN` finds them in a sentence where it is `last`
    or where something follows it."""
    found = _TOKEN.finditer(chunk if last else chunk + " .")
    return tuple((match.start(), match.end(), match.lastgroup) for match in found if match.start() < len(chunk))


# --- Vietnamese phonotactics: a Latin-script syllable that Vietnamese spelling cannot produce is foreign.

_VIETNAMESE_LETTERS = set("aăâbcdđeêghiklmnoôơpqrstuưvxy")
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_SYLLABLE = re.compile(rf"(?:{_ONSETS})?([aăâeêioôơuưy]{{1,3}})(?:ch|ng|nh|c|m|n|p|t)?")
_TONE_FREE = str.maketrans("àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ",
                           "aaaaaăăăăăâââââeeeeeêêêêêiiiiioooooôôôôôơơơơơuuuuuưưưưưyyyyy")


@functools.lru_cache(maxsize=65536)
def is_vietnamese_syllable(token: str) -> bool:
    """Whether `token` is spelled like a Vietnamese syllable (onset, 1-3 vowels, final consonant)."""
    base = token.lower().translate(_TONE_FREE)
    if not base or any(letter not in _VIETNAMESE_LETTERS for letter in base):
        return False
    match = _SYLLABLE.fullmatch(base)
    if not match:
        return False
    first_vowel = match.group(1)[0]
    # c/k, g/gh and ng/ngh alternate by the vowel that follows: `kem` but `cam`, `ghi` but `gà`.
    if base[0] == "k" and base[1:2] != "h" and first_vowel not in "eêiy":
        return False
    if base[0] == "c" and base[1:2] != "h" and first_vowel in "eêi":
        return False
    if (base.startswith("gh") or base.startswith("ngh")) and first_vowel not in "eêi":
        return False
    return True


def _has_vietnamese_marks(token: str) -> bool:
    return any(letter not in "abcdefghijklmnopqrstuvwxyz" for letter in token.lower())


