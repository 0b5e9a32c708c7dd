"""Canonical entity names: every mention of one entity in a document gets one name.

Inside a document, `Altman` and `ông Altman` after `Sam Altman` become `Sam Altman`, and
spellings that differ only in spacing, case or punctuation (`Open AI`, `OpenAI`) share the
most used form. Across the corpus, an alias list (`models/ner/aliases.csv`, `alias,canonical`,
extensible with your own file) maps variants such as `a16z` to `Andreessen Horowitz`.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from pathlib import Path

from ..text.vietnamese import MODERN, apply_tone_style
from .model_files import model_dir, require

ALIASES_PATH = model_dir("ner") / "aliases.csv"

# Honorifics and titles that news puts before a name; they are not part of it.
# Kinship words are also given names (`Anh Tuấn`), so only their lower-case use is a title.
_KINSHIP = ("anh", "chị", "cô", "chú", "bác", "cụ", "em", "bé", "cháu")
_TITLES = ("ông", "bà", "ngài", "tỷ phú", "tỉ phú", "doanh nhân", "giáo sư", "gs", "gs.", "tiến sĩ", "ts", "ts.",
           "tổng thống", "thủ tướng", "chủ tịch", "giám đốc", "ceo", "nhà sáng lập", "đồng sáng lập")
_TITLE_PATTERN = re.compile(r"^(?:(?:%s|%s)\s+)+" % (
    "|".join(re.escape(t) for t in _KINSHIP),
    "|".join("(?i:%s)" % re.escape(t) for t in sorted(_TITLES, key=len, reverse=True))))
_KEY_DROP = re.compile(r"[\s\-_.,'’&]+")


def _clean(text: str) -> str:
    text = apply_tone_style(unicodedata.normalize("NFC", text), MODERN)
    return " ".join(text.split()).strip(" \"'“”‘’()[],;:")


def name_key(text: str) -> str:
    """What two spellings of one name share: case, spacing and punctuation removed."""
    return _KEY_DROP.sub("", _clean(text).casefold())


def load_aliases(path: Path | None = None, include_shipped: bool = True) -> dict[str, str]:
    """Alias key -> canonical name, from the shipped list and then `path` (whose rows win).

    Files are CSV with a header `alias,canonical`; a canonical name also maps to itself.
    """
    paths = ([require(ALIASES_PATH)] if include_shipped else []) + ([Path(path)] if path else [])
    aliases: dict[str, str] = {}
    for source in paths:
        with open(source, encoding="utf-8", newline="") as rows:
            for number, row in enumerate(csv.DictReader(rows), 2):
                alias, canonical = (row.get("alias") or "").strip(), (row.get("canonical") or "").strip()
                if not alias or not canonical:
                    raise ValueError(f"{source}:{number}: expected `alias,canonical`, got {row}")
                canonical = _clean(canonical)
                aliases[name_key(alias)] = canonical
                aliases.setdefault(name_key(canonical), canonical)
    return aliases


def canonical_names(entities: list[tuple[int, int, str, str]], aliases: dict[str, str] | None = None) -> list[str]:
    """The canonical name of each entity `(start, end, label, text)` of one document, in order."""
    aliases = load_aliases() if aliases is None else aliases
    cleaned = []
    for _, _, label, text in entities:
        name = _clean(text)
        stripped = _TITLE_PATTERN.sub("", name) if label == "PER" else name
        cleaned.append(stripped or name)

    # Spellings with one key share the most frequent surface form (first seen on a tie).
    forms: dict[str, Counter] = {}
    for name in cleaned:
        forms.setdefault(name_key(name), Counter())[name] += 1
    preferred = {key: counts.most_common(1)[0][0] for key, counts in forms.items()}

    # A person's shorter mention (family or given name) that ends a longer name of the document.
    people = [(i, preferred[name_key(n)]) for i, n in enumerate(cleaned) if entities[i][2] == "PER"]
    full_names = {name for _, name in people}
    names = []
    for i, name in enumerate(cleaned):
        name = preferred[name_key(name)]
        if entities[i][2] == "PER":
            name = _longer_person(i, name, people, full_names)
        names.append(aliases.get(name_key(name), name))
    return names


def _longer_person(index: int, name: str, people: list[tuple[int, str]], full_names: set[str]) -> str:
    tokens = name.split()
    candidates = {other for other in full_names
                  if len(other.split()) > len(tokens) and other.split()[-len(tokens):] == tokens}
    if not candidates:
        return name
    if len(candidates) == 1:
        return candidates.pop()
    # Several people share this name part: the one mentioned last before, else first after.
    before = [other for i, other in people if i < index and other in candidates]
    after = [other for i, other in people if i > index and other in candidates]
    return before[-1] if before else after[0]
