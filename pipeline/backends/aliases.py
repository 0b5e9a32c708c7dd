"""Names across a corpus: the document-level canonical names of one entity joined into one name.

`corpus_names(documents)` reads the canonical names of every document and joins, when exactly one
name of the corpus fits:
* spellings of one name (`M.U`, `MU`; `Open AI`, `OpenAI`): the one written most;
* an abbreviation and the name it abbreviates (`MU` and `Manchester United`, `HAGL` and `Hoàng Anh
  Gia Lai`): the initials of the name's words;
* a foreign family name and the one full name that ends with it (`Putin` and `Vladimir Putin`),
  and a club or company's first word and the one longer name it begins (`Real`, `Real Madrid`).
Different people are never joined: a name spelled like a Vietnamese syllable (`Kim`, `Nam`, `Hà`)
or an initial (`H.`) stands for many people across a corpus, so it joins nothing beyond its own
document (where `canonical.py` already linked it to the full name that document gives).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from .canonical import name_key
from .names import spells_vietnamese

Name = tuple[str, str]  # (canonical name, label)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_JOINS_ACROSS = ("PER", "ORG")  # the labels whose short forms may stand for a longer name


def corpus_names(documents: Iterable[Iterable[Name]]) -> dict[Name, str]:
    """For each (canonical name, label) found, the corpus-wide name (itself when nothing joins)."""
    documents_of: Counter = Counter()
    for names in documents:
        documents_of.update(set(names))
    spelled = _spellings(documents_of)
    joined: dict[Name, str] = {}
    by_label: dict[str, list[str]] = defaultdict(list)
    for (name, label) in documents_of:
        by_label[label].append(spelled[(name, label)])
    longer_of = {label: sorted(set(names), key=lambda n: (-len(n.split()), n)) for label, names in by_label.items()}
    for (name, label) in documents_of:
        written = spelled[(name, label)]
        joined[(name, label)] = _expansion(written, label, longer_of, documents_of) or written
    return joined


def _spellings(documents_of: Counter) -> dict[Name, str]:
    """Each name's most used spelling among those with its key (case, spaces and dots aside)."""
    by_key: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for (name, label), n in documents_of.items():
        by_key[(name_key(name), label)][name] += n
    best = {key: counts.most_common(1)[0][0] for key, counts in by_key.items()}
    return {(name, label): best[(name_key(name), label)] for name, label in documents_of}


def _expansion(name: str, label: str, longer_of: dict[str, list[str]], documents_of: Counter) -> str | None:
    """The one longer name of the corpus that `name` abbreviates or shortens, if exactly one does."""
    words = name.split()
    if len(words) != 1 or label not in _JOINS_ACROSS or len(name) < 2:
        return None
    word = words[0]
    initials = word.replace(".", "")
    if 2 <= len(initials) <= 6 and initials.isupper() and initials.isalnum():  # MU, M.U, HAGL; not `H.`
        fits = [other for other in longer_of.get(label, []) if len(other.split()) == len(initials)
                and _initials(other) == initials]
    elif _is_foreign(word):
        # A family name ends a person's full name; a club's or company's first word begins its name.
        fits = [other for other in longer_of.get(label, []) if len(other.split()) > 1
                and (other.split()[-1] == word and _foreign_given_names(other) if label == "PER"
                     else other.split()[0] == word)]
    else:
        return None
    return fits[0] if len(fits) == 1 else None


def _foreign_given_names(name: str) -> bool:
    """Whether the words before a foreign family name are foreign too, or initials (`George W.`):
    `Thời Saddam` (`thời`, "era", glued to the name at a sentence's start) is no full name."""
    return all(len(word.rstrip(".")) == 1 or not spells_vietnamese(word.lower()) for word in name.split()[:-1])


def _initials(name: str) -> str:
    return "".join(word[0] for word in _WORD.findall(name)).upper()


def names_many(name: str, label: str) -> bool:
    """Whether a canonical name stands for different people across a corpus, so that counting its
    documents says nothing: a person named by one word that is an initial (`H.`, `T`, `H.N`) or
    spelled like a Vietnamese syllable (`Thành`, `Kim`), which this module joins to no full name."""
    if label != "PER" or " " in name.strip():
        return False
    letters = name.replace(".", "")
    return (letters.isupper() and len(letters) <= 3) or spells_vietnamese(letters.lower())


def _is_foreign(word: str) -> bool:
    """A capitalised word Vietnamese spelling cannot produce (`Putin`, `Real`), not an initial."""
    return len(word) > 2 and word[:1].isupper() and word.isalpha() and not spells_vietnamese(word.lower())
