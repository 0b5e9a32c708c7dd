"""Word segmenters behind one interface: a sentence in, word spans with POS tags out.

The segment stage picks a backend by name (`get_segmenter`) and never needs to know which one
it has. Every backend runs behind the same rules (`Rules`): URLs, numbers, dates, Latin-script
brands, foreign names and user-dictionary words come out as one word whatever the backend says.
Each backend is loaded once per process.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import numpy as np

from ..text.offsets import align_tokens
from .crf import Batch, SharedWeights
from .model_files import model_dir, require
from .postags import tag_in_tagset
from ..text.vietnamese import apply_tone_style

Word = tuple[int, int, str]  # start, end (offsets into the sentence), POS tag (postags.TAGSET)
Token = tuple[int, int, str]  # start, end, kind (one of the KINDS below)

MODEL_DIR = model_dir("ws")
DEFAULT_USER_WORDS = MODEL_DIR / "user_words.txt"


class Segmenter(Protocol):
    name: str

    def checksum(self) -> str:
        """Identifies the model, so outputs made with another one are recomputed."""

    def segment(self, sentence: str) -> list[Word]:
        """Word spans of `sentence`, in order, with a POS tag each."""

    def segment_many(self, sentences: list[str]) -> list[list[Word]]:
        """`segment` of each sentence; faster than one at a time for a backend that works in batches."""


# --- Pre-tokenization: syllables, punctuation and spans that are one word whatever the model says.

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


# --- Rules every backend runs behind.

# Tags of the words the rules force, in the one tag set (postags.py).
PROTECTED_TAGS = {"url": "NNP", "email": "NNP", "handle": "NNP", "domain": "NNP", "date": "M", "time": "M",
                  "number": "M", "punct": "CH"}
# A name or abbreviation the rules keep whole (tagged NNP or Ny) keeps the backend's tag for the very same
# word when it is one of these: in VLSP 2016 train the all-capital words the rules keep whole are 51% Ny
# (`UBND`), 41% NNP (`HCM`) and 4% Nu (`USD`), which the tagger tells apart and one fixed tag cannot; the
# capitalised foreign words 92% NNP, 3% FW, 2% Nb. Other tags (N: 1%) are the tagger's mistakes.
NAME_TAGS = frozenset({"NNP", "Ny", "Nu", "Nb", "FW"})
_CAMEL_OR_ALPHANUMERIC = re.compile(r"\w*[a-zđ]\w*[A-ZĐ]\w*|(?=\w*\d)(?=\w*[^\W\d_])\w+|[A-ZĐ]{2,}\w*")


_ROMAN_NUMERAL = re.compile(r"X{0,3}(IX|IV|V?I{0,3})")  # `quý III`: a number, left to the tagger


def _is_acronym(text: str, sentence_texts: list[str]) -> bool:
    """`AI`, `EU` in a sentence not written in capitals: an abbreviation, not the syllable `ai`, `êu`
    (the taggers see lower-cased forms and would read `AI` as the pronoun `ai`, "who")."""
    if not (len(text) > 1 and text.isascii() and text.isupper()) or _ROMAN_NUMERAL.fullmatch(text):
        return False
    words = [t for t in sentence_texts if t[:1].isalpha()]
    return sum(t.isupper() for t in words) * 2 < len(words)


# English words of organisation and place names; the gold data keeps them apart (`Navigos Group`).
ORGANISATION_WORDS = frozenset("""
group company corp corporation inc ltd llc plc pte co jsc ag sa bank capital holdings holding
resort hotel hotels games game cup club center centre university college school institute
foundation international global world service services computer computers technology
technologies tech systems solutions software network networks media news times post channel
studio studios entertainment motors motor electronics energy pharma partners ventures labs lab
airlines airways airport city street park tower towers mall plaza market fund trust
""".split())


def _is_foreign_name_part(token: str, common_syllables: frozenset[str]) -> bool:
    """A capitalised Latin-script token without Vietnamese marks that reads as part of a foreign
    person or place name: not a Vietnamese syllable at all (`Altman`, `John`), or a rare one (`Sam`)."""
    if len(token) < 2 or not token.istitle() or not token.isalpha() or _has_vietnamese_marks(token):
        return False
    lowered = token.lower()
    if lowered in ORGANISATION_WORDS:
        return False
    return not is_vietnamese_syllable(token) or lowered not in common_syllables


class UserWords:
    """Words that must come out whole: one entry a line, syllables separated by spaces or `_`;
    `#` starts a comment. Matching is exact on the syllables, and case-insensitive for entries
    written in lower case."""

    def __init__(self, entries: list[str]):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for entry in entries:
            syllables = tuple(entry.replace("_", " ").split())
            if len(syllables) < 1:
                continue
            key = syllables if not entry.islower() else tuple(s.lower() for s in syllables)
            self.by_first.setdefault(key[0], []).append(key)
        for candidates in self.by_first.values():
            candidates.sort(key=len, reverse=True)
        self.digest = hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:12]

    @classmethod
    def read(cls, path: str | Path) -> "UserWords":
        entries = []
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                entry = line.split("#", 1)[0].strip()
                if entry:
                    entries.append(unicodedata.normalize("NFC", entry))
        return cls(entries)

    def matches(self, texts: list[str]) -> list[tuple[int, int]]:
        """Token-index ranges [i, j) of `texts` covered by entries, longest match first, left to right."""
        by_first = self.by_first
        lowered = list(map(str.lower, texts))
        if by_first.keys().isdisjoint(texts) and by_first.keys().isdisjoint(lowered):
            return []
        found, end = [], 0
        for i, (text, low) in enumerate(zip(texts, lowered)):
            if i < end or (text not in by_first and low not in by_first):
                continue
            length = 0
            for first in (text, low):
                for candidate in by_first.get(first, ()):
                    n = len(candidate)
                    if i + n <= len(texts) and (tuple(texts[i:i + n]) == candidate
                                                or tuple(lowered[i:i + n]) == candidate):
                        length = max(length, n)
                        break
            if length > 1:
                found.append((i, i + length))
                end = i + length
        return found


# Punctuation that may sit inside a word written without spaces (`12/2004/NĐ-CP`, `3-4–2004`), and
# that links the parts of a number written with spaces (`84 . 4`, `31 - 12 – 2004`, as Viet Treebank has).
_GLUE_MARKS = frozenset("/-–+&")
_NUMBER_LINKS = frozenset(".,-–/:%")
_NUMERIC_KINDS = frozenset(("number", "date", "time"))


def _glued_chunks(sentence: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Token ranges [i, j), j - i > 1, written without spaces and joined only by word characters or
    the marks of `_GLUE_MARKS`: a code such as `12/2004/NĐ-CP` is one word. Other punctuation
    (`a16z:`, `(AI)`, `OpenAI,`) always stands apart."""
    chunks, i, n = [], 0, len(tokens)

    def joinable(k: int) -> bool:  # may token k be glued to token k - 1?
        if tokens[k - 1][1] != tokens[k][0]:
            return False
        for start, end, kind in (tokens[k - 1], tokens[k]):
            if kind == "punct" and sentence[start:end] not in _GLUE_MARKS:
                return False
        return True

    while i < n:
        j = i + 1
        while j < n and joinable(j):
            j += 1
        # A chunk neither starts nor ends with a mark (`-` in `Hà Nội-` is not part of the word).
        a, b = i, j
        while a < b and tokens[a][2] == "punct":
            a += 1
        while b > a and tokens[b - 1][2] == "punct":
            b -= 1
        if b - a > 1:
            chunks.append((a, b))
        i = j
    return chunks


def _snap_to_tokens(tokens: list[Token], words: list[Word]) -> list[Word]:
    """Backend words moved to token boundaries: a backend that cuts inside one of our tokens
    (pyvi: `GPT` `-` `4o`) gets the whole token in the word where the token starts."""
    if not tokens or not words:
        return words
    snapped: list[list] = []
    w = 0
    for start, end, _ in tokens:
        while w + 1 < len(words) and words[w + 1][0] <= start:
            w += 1
        tag = words[w][2]
        if snapped and snapped[-1][3] == w:
            snapped[-1][1] = end
        else:
            snapped.append([start, end, tag, w])
    if len(snapped) == len(words) and all(a[0] == b[0] and a[1] == b[1] for a, b in zip(snapped, words)):
        return words
    return [(start, end, tag) for start, end, tag, _ in snapped]


def _forced_tag(rule_tag: str, first_kind: str, backend_tag: str | None) -> str:
    """The tag of a word the rules force: the backend's own tag for the same word when the rule made it
    a name or abbreviation and the backend agrees it is one (NAME_TAGS), else the rule's. URLs,
    e-mails, handles and domains always keep NNP (VLSP 2016 train: 31 of 33)."""
    if rule_tag in ("NNP", "Ny") and first_kind not in PROTECTED_TAGS and backend_tag in NAME_TAGS:
        return backend_tag
    return rule_tag


class Rules:
    """Spans that are one word whatever the backend says, found on the pre-tokenized sentence."""

    def __init__(self, user_words: UserWords, common_syllables: frozenset[str]):
        self.user_words = user_words
        self.common_syllables = common_syllables
        self._foreign_name_part = functools.lru_cache(maxsize=65536)(self._is_foreign_name_part)
        self._coded = functools.lru_cache(maxsize=65536)(self._is_coded)

    def _is_foreign_name_part(self, text: str) -> bool:
        return _is_foreign_name_part(text, self.common_syllables)

    @staticmethod
    def _is_coded(text: str) -> bool | None:
        """Whether a word in camel case, with digits or in capitals (`iPhone`, `4o`, `AI`) is kept whole:
        True if it is no Vietnamese syllable, None if it is one (an acronym only in a sentence not
        written in capitals, `_is_acronym`), False for other words."""
        if not _CAMEL_OR_ALPHANUMERIC.fullmatch(text):
            return False
        return True if not is_vietnamese_syllable(text) else None

    def forced_words(self, sentence: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
        """(first token, end token, tag) ranges to keep whole and on their own."""
        texts = [sentence[start:end] for start, end, _ in tokens]
        forced = [(i, j, "NNP") for i, j in self.user_words.matches(texts)]
        taken = set()
        for i, j, _ in forced:
            taken.update(range(i, j))
        for i, j in _glued_chunks(sentence, tokens):
            if not taken.intersection(range(i, j)):
                numeric = all(kind in _NUMERIC_KINDS or kind == "punct" for _, _, kind in tokens[i:j])
                coded = any(c.isdigit() or c.isupper() for c in sentence[tokens[i][0]:tokens[j - 1][1]])
                forced.append((i, j, "M" if numeric else "NNP" if coded else "X"))
                taken.update(range(i, j))
        foreign_name_part, coded = self._foreign_name_part, self._coded
        i = 0
        while i < len(tokens):
            if i in taken:
                i += 1
                continue
            kind, text = tokens[i][2], texts[i]
            if kind in PROTECTED_TAGS and kind != "punct":
                forced.append((i, i + 1, PROTECTED_TAGS[kind]))
            elif kind == "word" and foreign_name_part(text):
                # Foreign names are one word in the Viet Treebank (`Sam_Altman`, `John_Stuart_Mill`).
                j = i + 1
                while j < len(tokens) and j not in taken and tokens[j][2] == "word" \
                        and foreign_name_part(texts[j]):
                    j += 1
                if j - i > 1 or not is_vietnamese_syllable(text):
                    forced.append((i, j, "NNP"))
                i = j
                continue
            elif kind == "word" and (coded(text) or coded(text) is None and _is_acronym(text, texts)):
                forced.append((i, i + 1, "Ny" if text.isupper() else "NNP"))
            i += 1
        return sorted(forced)

    def apply(self, sentence: str, tokens: list[Token], words: list[Word]) -> list[Word]:
        """`words` from a backend, with forced words put in and the backend words around them
        cut back to whole tokens."""
        words = _snap_to_tokens(tokens, words)
        forced = self.forced_words(sentence, tokens)
        if not forced:
            return words
        # A number written in parts (`84 . 4`, `31 - 12 – 2004`) that the backend keeps as one word
        # stays one word: each number in it is still whole.
        compounds, t = [], 0
        for start, end, _ in words:
            while t < len(tokens) and tokens[t][0] < start:
                t += 1
            u = t
            while u < len(tokens) and tokens[u][1] <= end:
                u += 1
            parts = tokens[t:u]
            if len(parts) > 1 and parts[0][2] in _NUMERIC_KINDS and (
                    parts[-1][2] in _NUMERIC_KINDS or sentence[parts[-1][0]:parts[-1][1]] == "%") and all(
                    kind in _NUMERIC_KINDS or (kind == "punct" and sentence[s:e] in _NUMBER_LINKS)
                    for s, e, kind in parts):
                compounds.append((start, end))
        if compounds:
            single = [(i, j, tag) for i, j, tag in forced if j - i == 1 and tokens[i][2] in _NUMERIC_KINDS]
            dropped = {(i, j, tag) for i, j, tag in single
                       if any(s <= tokens[i][0] and tokens[i][1] <= e for s, e in compounds)}
            forced = [f for f in forced if f not in dropped]
            if not forced:
                return words
        backend_tags = {(start, end): tag for start, end, tag in words}
        forced_spans = [(tokens[i][0], tokens[j - 1][1],
                         _forced_tag(tag, tokens[i][2], backend_tags.get((tokens[i][0], tokens[j - 1][1]))))
                        for i, j, tag in forced]
        result: list[Word] = []
        f = 0
        for start, end, tag in words:
            while f < len(forced_spans) and forced_spans[f][1] <= start:
                result.append(forced_spans[f])
                f += 1
            overlapping = [span for span in forced_spans[f:] if span[0] < end and span[1] > start]
            if not overlapping:
                result.append((start, end, tag))
                continue
            # Keep the parts of the backend word outside the forced spans, one word per token.
            for token_start, token_end, kind in tokens:
                if token_start >= start and token_end <= end and \
                        not any(s <= token_start < e for s, e, _ in overlapping):
                    result.append((token_start, token_end, PROTECTED_TAGS.get(kind, tag)))
        result.extend(forced_spans[f:])
        result.sort()
        # A forced span overlapping two backend words was added once per word; keep one.
        deduplicated: list[Word] = []
        for word in result:
            if deduplicated and word[0] < deduplicated[-1][1]:
                continue
            deduplicated.append(word)
        return deduplicated


# --- Features of the vnpipe CRF segmenter: syllables in a window of ±2, their n-grams, shapes,
# and whether the n-grams around each position are words of the dictionary.

def _shape(token: str, kind: str) -> str:
    if kind != "word":
        return kind
    if token.isupper():
        return "U" if len(token) > 1 else "u"
    if token[0].isupper():
        return "T"
    if token.islower():
        return "L" if is_vietnamese_syllable(token) else "F"
    return "M"


def syllable_forms(sentence: str, tokens: list[Token]) -> tuple[list[str], list[str]]:
    """Lower-case, tone-canonical form and shape of each token."""
    if not unicodedata.is_normalized("NFC", sentence):
        texts = [unicodedata.normalize("NFC", sentence[s:e]) for s, e, _ in tokens]
    else:
        texts = [sentence[s:e] for s, e, _ in tokens]
    if any(" " in text for text in texts):  # NFC split a token: each token on its own
        lowered = [apply_tone_style(t, "modern").lower() for t in texts]
        forms = [form if kind in ("word", "abbreviation", "punct") else "<" + kind + ">"
                 for form, (_, _, kind) in zip(lowered, tokens)]
        return forms, [_shape(text, kind) for text, (_, _, kind) in zip(texts, tokens)]
    if not texts:
        return [], []
    pairs = list(map(_form_and_shape, texts, [kind for _, _, kind in tokens], [False] * len(texts)))
    pairs[0] = _form_and_shape(texts[0], tokens[0][2], True)
    forms, shapes = zip(*pairs)
    return list(forms), list(shapes)


@functools.lru_cache(maxsize=65536)
def _form_and_shape(text: str, kind: str, first: bool) -> tuple[str, str]:
    """A token's form and shape, as `syllable_forms` makes them from the sentence's tokens joined by
    spaces: the space before a token (none before the first) is what the tone style reads there."""
    if kind not in ("word", "abbreviation", "punct"):
        return "<" + kind + ">", _shape(text, kind)
    form = apply_tone_style(text if first else " " + text, "modern").lower()
    return (form if first else form[1:]), _shape(text, kind)


class UndertheseaOpinion:
    """underthesea's segmentation CRF (trained on VLSP 2013, shipped in its wheel) run on our tokens:
    its label and confidence at each position are features of our CRF (stacking).

    Its features (underthesea_core's CRFFeaturizer templates: `T[-1]`, `T[0,1].lower`,
    `T[0].is_in_dict`, ...) are weighed once per syllable, pair and triple of syllables and kept
    (`WindowWeights`); the CRF is decoded here (`BinaryCrf`), with crfsuite's results."""

    MODEL_DIR = ("pipeline", "word_tokenize", "models", "ws_crf_vlsp2013_20230727")

    def __init__(self) -> None:
        import joblib
        import underthesea

        from .crf import BinaryCrf, WindowWeights

        model_dir = Path(underthesea.__file__).parent.joinpath(*self.MODEL_DIR)
        self.dictionary = frozenset(joblib.load(model_dir / "dictionary.bin"))
        self.crf = BinaryCrf(model_dir / "models.bin")
        # template -> (first offset, last offset, function); grouped by the number of syllables it reads
        self.templates: dict[int, list[tuple[int, str, str]]] = {}
        for template in joblib.load(model_dir / "features.bin"):
            match = re.fullmatch(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(\w+))?", template)
            if not match or (match.group(3) or "") not in ("", "lower", "isdigit", "istitle", "is_in_dict"):
                raise ValueError(f"underthesea feature template {template!r} is not one vnpipe can compute")
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            if last - first > 0 and match.group(3) == "isdigit":
                raise ValueError(f"underthesea feature template {template!r}: isdigit of several syllables")
            self.templates.setdefault(last - first + 1, []).append((first, template, match.group(3) or ""))
        self._window_templates = {size: self._templates_of_windows(size) for size in self.templates if size > 1}
        # The terms of a window whose text no text template knows, by (size, is_in_dict, istitle).
        self._unseen_windows: dict[tuple[int, bool, bool], SharedWeights] = {}
        self.windows = []
        for size, templates in sorted(self.templates.items()):
            firsts = sorted({first for first, _, _ in templates})
            # A syllable's templates are added up into one term; a longer window's text templates are
            # added one by one, then its is_in_dict and istitle sums (see `_weigh_window`).
            terms = 1 if size == 1 else max(sum(f == first and function in ("", "lower") for f, _, function
                                                in templates) for first in firsts) + 2
            weigh = self._weigh_syllable if size == 1 else functools.partial(self._weigh_window, size)
            self.windows.append(WindowWeights(size, firsts, terms, weigh))

    @staticmethod
    def model_checksum() -> str:
        return f"underthesea-{version('underthesea')}"

    def _value(self, texts: tuple[str, ...], function: str) -> str:
        if _BOS in texts:
            return "BOS"
        if _EOS in texts:
            return "EOS"
        text = " ".join(texts)
        if function == "":
            return text
        if function == "lower":
            return text.lower()
        if function == "isdigit":  # underthesea_core's: the text parses as a 32-bit integer
            digits = text[1:] if text[:1] in "+-" else text
            return str(digits.isascii() and digits.isdigit() and -2 ** 31 <= int(text) < 2 ** 31)
        if function == "istitle":  # underthesea_core's: no word starts with a lower-case letter
            return str(not any(word[:1].islower() for word in texts))
        return str(text.lower() in self.dictionary)

    def attributes(self, texts: list[str]) -> list[list[str]]:
        """The feature strings of each position, as underthesea_core's CRFFeaturizer writes them."""
        padded = [_BOS, _BOS, *texts, _EOS, _EOS]
        rows = []
        for i in range(2, len(texts) + 2):
            row = []
            for size, templates in sorted(self.templates.items()):
                for first, template, function in templates:
                    window = tuple(padded[i + first:i + first + size])
                    row.append(f"{template}={self._value(window, function)}")
            rows.append(row)
        return rows

    def _weigh_syllable(self, text: str) -> dict[int, list[tuple[float, float]]]:
        """What the features reading this one syllable add, by where it is (first) relative to the position."""
        by_first: dict[int, list[str]] = {}
        for first, template, function in self.templates[1]:
            by_first.setdefault(first, []).append(f"{template}={self._value((text,), function)}")
        return {first: [self.crf.weights(attributes)] for first, attributes in by_first.items()}

    def _weigh_window(self, size: int, window: str) -> dict[int, list[tuple[float, float]]]:
        """What the features reading these `size` syllables add, by where the window starts relative
        to the position: the weights of the text templates one by one, then those of the is_in_dict
        and of the istitle templates summed. A window past either end weighs the sum of its
        templates' BOS or EOS weights."""
        text_templates, known, flags, pads = self._window_templates[size]
        texts = window.split(" ")
        if _BOS in texts or _EOS in texts:
            return pads["BOS" if _BOS in texts else "EOS"]
        lower = window.lower()
        in_dict, istitle = lower in self.dictionary, not any(text[:1].islower() for text in texts)
        unseen = window not in known and lower not in known
        if unseen and (size, in_dict, istitle) in self._unseen_windows:
            return self._unseen_windows[size, in_dict, istitle]  # most windows: only the flags weigh
        state = self.crf.state.get
        terms: dict[int, list[tuple[float, float]]] = {}
        for first, prefix, function in text_templates:
            value = lower if function else window
            terms.setdefault(first, []).append(state(prefix + value, (0.0, 0.0)) if value in known else (0.0, 0.0))
        for flag in (f"is_in_dict={in_dict}", f"istitle={istitle}"):
            for first, weights in flags.get(flag, {}).items():
                terms.setdefault(first, []).append(weights)
        if unseen:
            terms = self._unseen_windows[size, in_dict, istitle] = SharedWeights(terms)
        return terms

    def _templates_of_windows(self, size: int) -> tuple:
        """For the templates reading `size` syllables: the text templates, the values any of them
        knows (a window whose text the model never saw skips those look-ups), and the weights of
        the yes/no templates and of a window past either end, summed by where the window starts."""
        state = self.crf.state
        text_templates, known = [], set()
        flags: dict[str, dict[int, tuple[float, float]]] = {}
        pads: dict[str, dict[int, tuple[float, float]]] = {"BOS": {}, "EOS": {}}

        def add(sums: dict[int, tuple[float, float]], first: int, attribute: str) -> None:
            weights = state.get(attribute, (0.0, 0.0))
            total = sums.get(first, (0.0, 0.0))
            sums[first] = (total[0] + weights[0], total[1] + weights[1])

        for first, template, function in self.templates[size]:
            for pad, sums in pads.items():
                add(sums, first, f"{template}={pad}")
            if function in ("", "lower"):
                prefix = f"{template}="
                text_templates.append((first, prefix, function))
                known.update(attribute[len(prefix):] for attribute in state if attribute.startswith(prefix))
            else:
                for value in ("True", "False"):
                    add(flags.setdefault(f"{function}={value}", {}), first, f"{template}={value}")
        pads = {pad: {first: [weights] for first, weights in sums.items()} for pad, sums in pads.items()}
        return text_templates, frozenset(known), flags, pads

    def decode(self, texts: list[list[str]], batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        """The CRF's label (0: B-W, 1: I-W) and confidence (the probability of I-W, in fifths) at each
        position of `batch`, whose sentences are the tokens `texts`."""
        slots = []
        for sentence in texts:
            # underthesea's training data and dictionary write `hoà`, `uỷ` (the modern tone placement).
            joined = " ".join(sentence)
            styled = apply_tone_style(joined if unicodedata.is_normalized("NFC", joined)
                                      else unicodedata.normalize("NFC", joined), "modern").split(" ")
            slots += [_BOS, _BOS, *(styled if len(styled) == len(sentence) else sentence), _EOS, _EOS]
        scores = np.zeros((batch.size, 2))
        for windows in self.windows:
            windows.add(scores, slots, batch)
        return self.crf.viterbi(scores, batch), np.rint(self.crf.marginals(scores, batch) * 5).astype(np.intp)

    def features(self, texts: list[str]) -> list[str]:
        """The stacking features of one sentence's tokens, as segment_features takes them."""
        if not texts:
            return []
        labels, fifths = self.decode([texts], Batch([len(texts)]))
        return [f"ut={'BI'[label]}{fifth}" for label, fifth in zip(labels.tolist(), fifths.tolist())]


_BOS, _EOS = "\x00BOS", "\x00EOS"  # padding: a window that reaches past the sentence reads BOS or EOS


def segment_features(forms: list[str], shapes: list[str], dictionary: dict[str, int],
                     opinions: list[str] | None = None) -> list[list[str]]:
    """CRF features of each position; label B starts a word, I continues it."""
    n = len(forms)
    w = ["<s>", "<s>"] + forms + ["</s>", "</s>"]
    s = ["<s>", "<s>"] + shapes + ["</s>", "</s>"]
    get = dictionary.get
    features = []
    for i in range(2, n + 2):
        w2, w1, w0, p1, p2 = w[i - 2], w[i - 1], w[i], w[i + 1], w[i + 2]
        b10 = w1 + " " + w0
        b01 = w0 + " " + p1
        t210 = w2 + " " + b10
        t101 = b10 + " " + p1
        t012 = b01 + " " + p2
        row = [
            "w0=" + w0, "w-1=" + w1, "w+1=" + p1, "w-2=" + w2, "w+2=" + p2,
            "b-1=" + b10, "b+1=" + b01, "b-2=" + w2 + " " + w1, "b+2=" + p1 + " " + p2,
            "t-1=" + t210, "t0=" + t101, "t+1=" + t012,
            "s0=" + s[i], "s-1=" + s[i - 1] + s[i], "s+1=" + s[i] + s[i + 1],
            "s-1+1=" + s[i - 1] + s[i] + s[i + 1],
        ]
        # Dictionary hits, each as the sources (bit mask) that know the n-gram: spans that join
        # this syllable to the one before (-1,0), or start (0,+1) or end (-1,0) a word here.
        for name, gram in (("d10", b10), ("d01", b01), ("d210", t210), ("d101", t101), ("d012", t012),
                           ("d3210", w[i - 3] + " " + t210 if i >= 3 else ""),
                           ("d2101", w2 + " " + t101), ("d1012", t101 + " " + p2),
                           ("d0123", t012 + " " + w[i + 3] if i + 3 < n + 4 else "")):
            sources = get(gram)
            if sources:
                row.append(f"{name}={sources}")
        if opinions is not None:
            row.append(opinions[i - 2])
        features.append(row)
    return features


class SegmentScores:
    """The state scores (B, I) that the segment CRF gives each position for `segment_features`,
    without writing the features out: what the features reading one syllable, one pair, triple or
    four syllables add to each position is worked out once per n-gram and kept (`WindowWeights`),
    and so is what each run of three shapes adds."""

    # Where a pair, triple or four syllables starts relative to the position, for each of the
    # features that read them (named as segment_features names them), in the order they are added.
    PAIRS = ((-2, "b-2="), (-1, "b-1="), (0, "b+1="), (1, "b+2="))
    TRIPLES = ((-2, "t-1="), (-1, "t0="), (0, "t+1="))
    PAIRS_KNOWN = ((-1, "d10="), (0, "d01="))
    TRIPLES_KNOWN = ((-2, "d210="), (-1, "d101="), (0, "d012="))
    FOURS_KNOWN = ((-3, "d3210="), (-2, "d2101="), (-1, "d1012="), (0, "d0123="))

    def __init__(self, crf, dictionary: dict[str, int]) -> None:
        from .crf import WindowWeights

        self.crf, self.dictionary = crf, dictionary
        # The pairs and triples any b-/t- feature of the model knows: the others skip those look-ups.
        self.known = frozenset(attribute.partition("=")[2] for attribute in crf.state
                               if attribute[:1] in "bt" and attribute[1:3] in ("-1", "+1", "-2", "+2", "0="))
        words = frozenset(dictionary)  # an n-gram weighs something only if the model or the dictionary knows it
        self.windows = [
            WindowWeights(1, range(-2, 3), 1, self._weigh_syllable),
            WindowWeights(2, range(-2, 2), 2, functools.partial(self._weigh_ngram, self.PAIRS, self.PAIRS_KNOWN),
                          relevant=(self.known, words)),
            WindowWeights(3, range(-2, 1), 2, functools.partial(self._weigh_ngram, self.TRIPLES, self.TRIPLES_KNOWN),
                          relevant=(self.known, words)),
            WindowWeights(4, range(-3, 1), 1, functools.partial(self._weigh_ngram, (), self.FOURS_KNOWN),
                          relevant=(words,)),
        ]
        self.shapes = WindowWeights(3, (-1,), 1, self._weigh_shapes)
        # The weights of the stacked feature `ut=<label><fifths>`, by label * 6 + fifths.
        self.opinions = np.array([crf.state.get(f"ut={label}{fifths}", (0.0, 0.0))
                                  for label in "BI" for fifths in range(6)])

    def _weigh_syllable(self, text: str) -> dict[int, list[tuple[float, float]]]:
        names = ((-2, "w-2="), (-1, "w-1="), (0, "w0="), (1, "w+1="), (2, "w+2="))
        return {delta: [self.crf.weights([name + text])] for delta, name in names}

    def _weigh_ngram(self, names, known_names, text: str) -> dict[int, list[tuple[float, float]]]:
        """For each delta: the weight of the feature reading the n-gram itself, then that of the
        feature saying which dictionaries know it."""
        state = self.crf.state.get
        terms: dict[int, list[tuple[float, float]]] = {}
        if text in self.known:
            for delta, name in names:
                terms[delta] = [state(name + text, (0.0, 0.0))]
        sources = self.dictionary.get(text)
        if sources:
            for delta, name in known_names:
                terms.setdefault(delta, [(0.0, 0.0)] if names else []).append(state(f"{name}{sources}", (0.0, 0.0)))
        return terms

    def _weigh_shapes(self, shapes: str) -> dict[int, list[tuple[float, float]]]:
        before, shape, after = shapes.split(" ")
        return {-1: [self.crf.weights(["s0=" + shape, "s-1=" + before + shape, "s+1=" + shape + after,
                                       "s-1+1=" + before + shape + after])]}

    def __call__(self, forms: list[list[str]], shapes: list[list[str]], opinions: np.ndarray,
                 batch: Batch) -> np.ndarray:
        """The scores at each position of `batch` (position, label), whose sentences have these forms
        and shapes; `opinions`: the stacked feature at each position, as label * 6 + fifths."""
        scores = np.zeros((batch.size, 2))
        slots = [slot for sentence in forms for slot in ("<s>", "<s>", *sentence, "</s>", "</s>")]
        for windows in self.windows:
            windows.add(scores, slots, batch)
        self.shapes.add(scores, [slot for sentence in shapes for slot in ("<s>", "<s>", *sentence, "</s>", "</s>")],
                        batch)
        scores += self.opinions[opinions]
        return scores


# --- Backends.

class _RuleBackend:
    """Runs the shared rules after the backend's own segmentation."""

    name = ""

    def __init__(self, rules: Rules):
        self.rules = rules

    def segment(self, sentence: str) -> list[Word]:
        return self.segment_many([sentence])[0]

    def segment_many(self, sentences: list[str]) -> list[list[Word]]:
        tokens = [tokenize(sentence) for sentence in sentences]
        return [self.rules.apply(sentence, found, words)
                for sentence, found, words in zip(sentences, tokens, self._segment_many(sentences, tokens))]

    def _segment_many(self, sentences: list[str], tokens: list[list[Token]]) -> list[list[Word]]:
        return [self._segment(sentence, found) for sentence, found in zip(sentences, tokens)]

    def _segment(self, sentence: str, tokens: list[Token]) -> list[Word]:
        raise NotImplementedError

    @classmethod
    def model_checksum(cls) -> str:
        """Identifies the backend's model from its files or version, without loading it."""
        raise NotImplementedError

    def checksum(self) -> str:
        return f"{self.model_checksum()}+rules-{RULES_VERSION}-{self.rules.user_words.digest}"


RULES_VERSION = "4"  # 3: an all-caps Latin syllable (`AI`) is an abbreviation; 4: tags in the one tag set


class VnpipeSegmenter(_RuleBackend):
    """vnpipe's CRF segmenter and CRF POS tagger (models/ws, see its MODEL_CARD.md)."""

    name = "vnpipe"

    def __init__(self, rules: Rules, model_dir: Path = MODEL_DIR):
        import pycrfsuite

        from .crf import BinaryCrf

        super().__init__(rules)
        self.model_dir = model_dir
        self.dictionary = load_dictionary(require(model_dir / "dictionary.tsv"))
        self.segment_crf = BinaryCrf(require(model_dir / "segment.crfsuite"))
        self.segment_scores = SegmentScores(self.segment_crf, self.dictionary)
        self.pos_tagger = pycrfsuite.Tagger()
        self.pos_tagger.open(str(require(model_dir / "pos.crfsuite")))
        self.opinion = UndertheseaOpinion()

    def checksum(self) -> str:
        return f"{self.model_checksum(self.model_dir)}+rules-{RULES_VERSION}-{self.rules.user_words.digest}"

    @classmethod
    def model_checksum(cls, model_dir: Path = MODEL_DIR) -> str:
        digest = hashlib.sha256()
        for name in ("segment.crfsuite", "pos.crfsuite", "dictionary.tsv"):
            digest.update(require(model_dir / name).read_bytes())
        return f"vnpipe-ws-{digest.hexdigest()[:12]}+{UndertheseaOpinion.model_checksum()}"

    def _segment_many(self, sentences: list[str], tokens: list[list[Token]]) -> list[list[Word]]:
        # All sentences with tokens go through each step together (see crf.Batch).
        present = [k for k, found in enumerate(tokens) if found]
        batch = Batch([len(tokens[k]) for k in present])
        forms, shapes = zip(*(syllable_forms(sentences[k], tokens[k]) for k in present)) if present else ((), ())
        opinions, fifths = self.opinion.decode([[sentences[k][start:end] for start, end, _ in tokens[k]]
                                                for k in present], batch)
        # The scores of segment_features(forms, shapes, self.dictionary, opinions), decoded as crfsuite does.
        labels = self.segment_crf.viterbi(self.segment_scores(forms, shapes, opinions * 6 + fifths, batch), batch)
        words: list[list[Word]] = [[] for _ in sentences]
        for k, sentence_forms, sentence_shapes, sentence_labels in zip(
                present, forms, shapes, batch.sentences(labels)):
            words[k] = self._tag(tokens[k], sentence_forms, sentence_shapes, sentence_labels.tolist())
        return words

    def _tag(self, tokens: list[Token], forms: list[str], shapes: list[str], labels: list[int]) -> list[Word]:
        """The words the B/I `labels` make of the tokens, POS-tagged."""
        inside = self.segment_crf.labels.index("I")
        starts = [i for i, label in enumerate(labels) if label != inside or not i]  # each word's first token
        ends = starts[1:] + [len(labels)]
        word_forms = ["_".join(forms[start:end]) for start, end in zip(starts, ends)]
        tags = self.pos_tagger.tag(pos_features(word_forms, [shapes[start] for start in starts]))
        return [(tokens[start][0], tokens[end - 1][1], tag_in_tagset(tag))
                for start, end, tag in zip(starts, ends, tags)]


def pos_features(words: list[str], shapes: list[str]) -> list[list[str]]:
    """CRF features of each word for POS tagging: the word, its neighbours, its syllables, its shape."""
    w = ["<s>", "<s>", *words, "</s>", "</s>"]
    s = ["<s>", *shapes, "</s>"]
    return [["w0=" + word, "w-1=" + w1, "w+1=" + p1, "w-2=" + w2, "w+2=" + p2,
             "w-1,0=" + w1 + " " + word, "w0,+1=" + word + " " + p1, *_word_features(word),
             "s0=" + shape, "s-1=" + before, "s+1=" + after]
            for w2, w1, word, p1, p2, before, shape, after in zip(w, w[1:], words, w[3:], w[4:], s, shapes, s[2:])]


@functools.lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[str, str, str]:
    """The POS features that read a word's syllables (first, last, how many)."""
    syllables = word.split("_")
    return "first=" + syllables[0], "last=" + syllables[-1], f"n={min(len(syllables), 4)}"


def load_dictionary(path: Path) -> dict[str, int]:
    """Multi-syllable words (lower-case, tone-canonical, syllables joined by spaces) -> source mask."""
    dictionary = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            word, sources = line.rstrip("\n").split("\t")
            dictionary[word] = int(sources)
    return dictionary


class UndertheseaSegmenter(_RuleBackend):
    """underthesea's CRF segmenter and POS tagger (trained on VLSP 2013; its tags mapped to ours)."""

    name = "underthesea"

    def __init__(self, rules: Rules) -> None:
        from underthesea import pos_tag  # imported here: it loads its model on first use

        super().__init__(rules)
        self._pos_tag = pos_tag

    @classmethod
    def model_checksum(cls) -> str:
        return f"underthesea-{version('underthesea')}"

    def _segment(self, sentence: str, tokens: list[Token]) -> list[Word]:
        tagged = self._pos_tag(sentence)
        spans = align_tokens(sentence, (word for word, _ in tagged))
        return [(start, end, tag_in_tagset(tag)) for (start, end), (_, tag) in zip(spans, tagged)]


class PyviSegmenter(_RuleBackend):
    """pyvi's CRF segmenter (ViTokenizer) and POS tagger (ViPosTagger; its tags mapped to ours)."""

    name = "pyvi"

    def __init__(self, rules: Rules) -> None:
        from pyvi import ViPosTagger, ViTokenizer

        super().__init__(rules)
        self._tokenize = ViTokenizer.tokenize
        self._pos_tag = ViPosTagger.postagging

    @classmethod
    def model_checksum(cls) -> str:
        return f"pyvi-{version('pyvi')}"

    def _segment(self, sentence: str, tokens: list[Token]) -> list[Word]:
        words, tags = self._pos_tag(self._tokenize(sentence))
        spans = align_tokens(sentence, words, joiner="_")
        return [(start, end, tag_in_tagset(tag)) for (start, end), tag in zip(spans, tags)]


BACKENDS = {"vnpipe": VnpipeSegmenter, "underthesea": UndertheseaSegmenter, "pyvi": PyviSegmenter}


@functools.cache
def load_rules(user_words: str | None = None) -> Rules:
    """The shared rules with the shipped word list, plus the entries of the file `user_words`."""
    entries = UserWords.read(require(DEFAULT_USER_WORDS))
    if user_words is not None:
        path = Path(user_words)
        if not path.exists():
            raise FileNotFoundError(f"user word list {path} does not exist; give a text file with one word a line")
        extra = UserWords.read(path)
        for first, candidates in extra.by_first.items():
            merged = entries.by_first.setdefault(first, [])
            merged.extend(candidates)
            merged.sort(key=len, reverse=True)
        entries.digest = hashlib.sha256((entries.digest + extra.digest).encode()).hexdigest()[:12]
    syllables = frozenset(require(MODEL_DIR / "common_syllables.txt").read_text(encoding="utf-8").split())
    return Rules(entries, syllables)


def segmenter_checksum(name: str = "vnpipe", user_words: str | None = None) -> str:
    """What `get_segmenter(name, user_words).checksum()` says, from the files alone: deciding that
    a run has nothing to do loads no model."""
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(BACKENDS)}") from None
    rules = load_rules(None if user_words is None else str(user_words))
    return f"{backend.model_checksum()}+rules-{RULES_VERSION}-{rules.user_words.digest}"


@functools.cache
def get_segmenter(name: str = "vnpipe", user_words: str | None = None) -> Segmenter:
    """The segmenter called `name`, loaded once per process; `user_words` is a file of extra
    words to keep whole (one a line), on top of the shipped models/ws/user_words.txt."""
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(BACKENDS)}") from None
    return backend(load_rules(None if user_words is None else str(user_words)))
