"""What every NER tagger shares: one spelling per token, syllable spans inside words, BIO spans,
and name lists (`name<TAB>label` files) matched longest-first over syllables."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ..text.vietnamese import MODERN, apply_tone_style
from .registry import Word

LABELS = ("PER", "ORG", "LOC", "MISC")
_GAZETTEER_MAX_SYLLABLES = 6
_SYLLABLE = re.compile(r"\S+")
# Words (with inner . ' & + -: `TP.HCM`, `a16z`, `G-7`) and each punctuation mark alone, as the
# segmenter splits text: how unlabeled text is tokenized for training.
TEXT_TOKEN = re.compile(r"\w+(?:[.'&+-]\w+)*|[^\w\s]", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")
# Onset, vowels, final of a Vietnamese syllable with tone and vowel marks removed; foreign
# names (Altman, Horowitz, Nvidia) mostly fail this, which is strong evidence of an entity.
_VIETNAMESE_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?")


@functools.lru_cache(maxsize=200_000)
def normalize_token(token: str) -> str:
    """One spelling per token for features and look-ups: NFC, modern tone placement, case kept."""
    return apply_tone_style(unicodedata.normalize("NFC", token), MODERN)


def spells_vietnamese(lower: str) -> bool:
    """Whether a lower-cased syllable has the onset, vowels and final of a Vietnamese one."""
    return bool(_VIETNAMESE_SYLLABLE.fullmatch(_COMBINING.sub("", unicodedata.normalize("NFD", lower))))


def spans_from_bio(spans: list[tuple[int, int]], tags: list[str]) -> list[tuple[int, int, str]]:
    """Join BIO-tagged token spans into (start, end, label) entities; a stray I- starts one."""
    entities: list[tuple[int, int, str]] = []
    current: list | None = None
    for (start, end), tag in zip(spans, tags):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and current is not None and current[2] == label:
            current[1] = end
            continue
        if current is not None:
            entities.append(tuple(current))
            current = None
        if prefix in ("B", "I") and label:
            current = [start, end, label]
    if current is not None:
        entities.append(tuple(current))
    return entities


def load_gazetteer(paths: Iterable[Path]) -> dict[tuple[str, ...], str]:
    """Names (as syllable tuples) to labels, from `name<TAB>label` files; later files win."""
    gazetteer: dict[tuple[str, ...], str] = {}
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            name, _, label = line.rstrip("\n").partition("\t")
            if label not in LABELS:
                raise ValueError(f"{path}:{number}: label {label!r} is not one of {', '.join(LABELS)}; "
                                 "write lines as name<TAB>label")
            gazetteer[tuple(normalize_token(name).split())] = label
    return gazetteer


def syllables_of(sentence: str, words: list[Word]) -> list[tuple[int, int, int, str]]:
    """Syllable spans inside the word spans: (start, end, word index, position in word S/B/I/E)."""
    syllables = []
    for index, word in enumerate(words):
        inner = syllable_spans(sentence, [word])
        for k, (s, e) in enumerate(inner):
            place = "S" if len(inner) == 1 else "B" if k == 0 else "E" if k == len(inner) - 1 else "I"
            syllables.append((s, e, index, place))
    return syllables


def syllable_spans(sentence: str, words: list[Word]) -> list[tuple[int, int]]:
    """The (start, end) of the syllables inside the word spans: the runs of non-space characters."""
    spans = []
    for start, end, _pos in words:
        text = sentence[start:end]
        parts = text.split()  # the white space of str.split is that of the regex's \s
        if len(parts) == 1 and len(parts[0]) == end - start:  # most words: one syllable
            spans.append((start, end))
        elif " ".join(parts) == text:  # syllables between single spaces: faster than the regex
            for part in parts:
                spans.append((start, start + len(part)))
                start += len(part) + 1
        else:
            spans += [(start + m.start(), start + m.end()) for m in _SYLLABLE.finditer(text)]
    return spans


def gazetteer_tags(tokens: list[str], gazetteer: dict[tuple[str, ...], str],
                   starts: set[str] | None = None) -> list[str]:
    """BIO tags of the longest gazetteer names found left to right (case-sensitive). `starts`, the
    first syllables of the names, lets most positions be skipped without a look-up."""
    tags = ["O"] * len(tokens)
    candidates = range(len(tokens)) if starts is None else [i for i, token in enumerate(tokens) if token in starts]
    tagged = 0  # tokens before this one belong to a name found
    for i in candidates:
        if i < tagged:
            continue
        for length in range(min(_GAZETTEER_MAX_SYLLABLES, len(tokens) - i), 0, -1):
            label = gazetteer.get(tuple(tokens[i:i + length]))
            if label:
                tags[i:i + length] = [f"B-{label}"] + [f"I-{label}"] * (length - 1)
                tagged = i + length
                break
    return tags
