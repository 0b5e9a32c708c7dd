"""Rules every segmenter runs behind: URLs, numbers, dates, Latin-script brands, foreign names and
user-dictionary words come out as one word whatever the backend says."""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from pathlib import Path

from ...text.vietnamese import internal_form
from ..model_files import model_dir, require
from ..registry import Word
from .tokens import Token, _has_vietnamese_marks, is_vietnamese_syllable

MODEL_DIR = model_dir("ws")
DEFAULT_USER_WORDS = MODEL_DIR / "user_words.txt"
RULES_VERSION = "4"  # 3: an all-caps Latin syllable (`AI`) is an abbreviation; 4: tags in the one tag set


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
                if entry:  # matched in the models' one form, so `hòa bình` finds `hoà bình` too
                    entries.append(internal_form(unicodedata.normalize("NFC", entry)))
        return cls(entries)

    def matches(self, texts: list[str]) -> list[tuple[int, int]]:
        """Token-index ranges [i, j) of `texts` covered by entries, longest match first, left to right."""
        by_first = self.by_first
        texts = list(map(internal_form, texts))
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

    def __init__(self, user_words: UserWords, common_syllables: frozenset[str], user_words_path: str | None = None):
        self.user_words = user_words
        self.user_words_path = user_words_path  # the user's own list, on top of the shipped one
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



@functools.cache
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
    return Rules(entries, syllables, user_words)


def rules_files(user_words: str | None = None) -> list[Path]:
    """The files the rules read: what a segmenter's checksum covers besides its model."""
    return [DEFAULT_USER_WORDS, MODEL_DIR / "common_syllables.txt", *([Path(user_words)] if user_words else [])]
