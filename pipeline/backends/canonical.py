"""Canonical entity names: every mention of one entity in a document gets one name.

Inside a document, `Altman` and `ông Altman` after `Sam Altman` become `Sam Altman` (a family or
given name alone goes to the one full name of the document it ends; with two, `Dario Amodei` and
`bà Daniela Amodei`, only a title that tells them apart links it: `ông Amodei` is Dario), and
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

from ..text.vietnamese import internal_form
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
# Titles that say whether a person is a man or a woman (`ông Amodei`, `bà Daniela Amodei`).
_GENDER = {"ông": "m", "anh": "m", "chú": "m", "thầy": "m", "bà": "f", "chị": "f", "cô": "f"}


def _clean(text: str) -> str:
    """A name as written (in the text's own tone style), NFC, single-spaced, without quotes around it."""
    return " ".join(unicodedata.normalize("NFC", text).split()).strip(" \"'“”‘’()[],;:")


def name_key(text: str) -> str:
    """What two spellings of one name share: case, spacing, punctuation and tone placement removed."""
    return _KEY_DROP.sub("", internal_form(_clean(text)).casefold())


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


def canonical_names(entities: list[tuple[int, int, str, str]], aliases: dict[str, str] | None = None,
                    text: str | None = None) -> list[str]:
    """The canonical name of each entity `(start, end, label, text)` of one document, in order.
    With the document's `text` (offsets into it), the title right before a person's mention
    (`ông`, `bà`) tells two people who share a family name apart."""
    aliases = load_aliases() if aliases is None else aliases
    cleaned, genders = [], []
    for start, _, label, surface in entities:
        name = _clean(surface)
        stripped = _TITLE_PATTERN.sub("", name) if label == "PER" else name
        cleaned.append(stripped or name)
        title = name[:len(name) - len(stripped)].split()  # `ông` of `ông Altman`, else the word before
        title = title or (text[max(0, start - 24):start].split()[-1:] if text else [])
        genders.append(_GENDER.get(title[-1].casefold()) if label == "PER" and title else None)

    # Spellings with one key share the most frequent surface form (first seen on a tie).
    forms: dict[str, Counter] = {}
    for name in cleaned:
        forms.setdefault(name_key(name), Counter())[name] += 1
    preferred = {key: counts.most_common(1)[0][0] for key, counts in forms.items()}

    # A person's shorter mention (family or given name) that ends a longer name of the document.
    people: dict[str, set[str]] = {}  # each person's name -> the genders its mentions' titles give
    for i, name in enumerate(cleaned):
        if entities[i][2] == "PER":
            people.setdefault(preferred[name_key(name)], set()).update({genders[i]} - {None})
    names = []
    for i, name in enumerate(cleaned):
        name = preferred[name_key(name)]
        if entities[i][2] == "PER":
            name = _longer_person(name, genders[i], people)
        names.append(aliases.get(name_key(name), name))
    return names


def _longer_person(name: str, gender: str | None, people: dict[str, set[str]]) -> str:
    """The one full name of the document that `name` ends, else `name` itself: when several do
    (`Dario Amodei`, `Daniela Amodei`), the mention's title must rule out all but one of them."""
    candidates = [other for other in people if _ends(other, name)]
    # `Anh Tuấn` and `Lê Anh Tuấn` are one person: only the longest form counts.
    candidates = [other for other in candidates if not any(_ends(longer, other) for longer in candidates)]
    if gender is not None:
        # The one whose titles match (`bà Amodei`: `bà Daniela Amodei`), else those whose titles
        # do not contradict it (`ông Amodei`: not `bà Daniela Amodei`, so `Dario Amodei`).
        titled = [other for other in candidates if people[other] == {gender}]
        candidates = titled if len(titled) == 1 else [other for other in candidates if people[other] <= {gender}]
    return candidates[0] if len(candidates) == 1 else name


def _ends(longer: str, shorter: str) -> bool:
    """Whether the name `longer` ends with all the words of `shorter` (`Sam Altman`, `Altman`)."""
    words, end = longer.split(), shorter.split()
    return len(words) > len(end) and words[-len(end):] == end
