"""The candidate terms of a document: entity names, nouns and noun phrases, learned multi-word terms
joined where the segmenter split them, and the phrases the document itself repeats."""
from __future__ import annotations

import bisect
import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ...backends.model_files import require
from ...text.vietnamese import MODERN, apply_tone_style
from .words import (AGENT_HEADS, CASED_POS, FUNCTION_POS, HEAD_NOUN_POS, KEYWORD_POS, LEAD_SENTENCES,
                    MAX_TERM_SYLLABLES, PHRASE_END_WORDS, PHRASE_HEAD_POS, PHRASE_MODIFIER_POS, PHRASE_WORD_POS,
                    PRONOUNS, REPEATED_PHRASE_MENTIONS, TERMS, TOPIC_MAX_SHARE, TOPIC_MIN_MENTIONS, TOPIC_POS,
                    _NUMBER_LIKE, _is_number, _written, credit_lines, is_candidate)

@dataclass(frozen=True)
class LearnedTerms:
    """Terms learned from unlabeled text (`models/keywords/terms.tsv`, `vnpipe train keyword-terms`):
    runs of 2 to 4 syllables that are strong collocations in VNTC and viwiki (`tiền ảo`, `cô gái`,
    `thương mại điện tử`), and single syllables, each with its occurrences and the documents of each
    corpus it is in. Keys are lower-case syllables joined by spaces, in the modern tone style."""

    documents: dict[str, int]  # corpus -> its documents
    occurrences: dict[str, int]
    document_counts: dict[str, tuple[int, ...]]  # term -> documents of each corpus, in `documents`' order

    def __contains__(self, key: str) -> bool:
        return key in self.occurrences

    @functools.cached_property
    def prefixes(self) -> frozenset[str]:
        """The first 1 to 3 syllables of every multi-syllable term: a run of words that is none of
        these begins no learned term (`join_learned_terms` stops there)."""
        found = set()
        for term in self.occurrences:
            syllables = term.split(" ")
            found.update(" ".join(syllables[:k]) for k in range(1, len(syllables)))
        return frozenset(found)

    def share(self, key: str) -> float:
        """The share of all the corpora's documents the term is in."""
        return sum(self.document_counts.get(key, ())) / max(sum(self.documents.values()), 1)

    @classmethod
    def read(cls, path: Path) -> LearnedTerms:
        occurrences, document_counts = {}, {}
        with path.open(encoding="utf-8") as lines:
            corpora = dict(item.split("=") for item in next(lines).rstrip("\n").split("\t")[1:])
            next(lines)  # the column names
            for line in lines:
                term, count, _npmi, *documents = line.rstrip("\n").split("\t")
                occurrences[term] = int(count)
                document_counts[term] = tuple(map(int, documents))
        return cls({name: int(n) for name, n in corpora.items()}, occurrences, document_counts)


@functools.cache
def learned_terms(path: Path = TERMS) -> LearnedTerms:
    """The shipped learned terms, read once per process."""
    return LearnedTerms.read(require(path))


@functools.lru_cache(maxsize=200_000)
def term_key(text: str) -> str:
    """A term or token text as the learned terms write it: `Tiền_ảo`, `tiền ảo` -> `tiền ảo`."""
    return apply_tone_style(" ".join(text.replace("_", " ").split()).lower(), MODERN)


def join_learned_terms(tokens: list[dict[str, Any]], inside: tuple[list[int], list[int]],
                       terms: LearnedTerms) -> list[dict[str, Any]]:
    """The tokens with each run of adjacent words of one sentence that makes a learned term of 2 to
    4 syllables joined into one word (the longest run from the left): `tiền` + `ảo` -> `tiền ảo`,
    `cô` + `gái` -> `cô gái`, where the segmenter split them. A joined word headed by a noun is a
    noun (`N`); one headed by a verb or other word keeps that tag and may be a keyword only as a
    topic (see `select`). Words in entities or credit lines, numbers and punctuation are never
    joined; stopwords may be (`cô` of `cô gái`)."""
    joinable = [not _inside(token["start"], inside) and _is_word(token) for token in tokens]
    keys = [term_key(token["text"]) if ok else "" for token, ok in zip(tokens, joinable)]
    joined: list[dict[str, Any]] = []
    i = 0
    while i < len(tokens):
        best = 1
        if joinable[i] and keys[i] in terms.prefixes:
            key, syllables = keys[i], keys[i].count(" ") + 1
            for j in range(i + 1, len(tokens)):
                token, before = tokens[j], tokens[j - 1]
                syllables += keys[j].count(" ") + 1
                if (syllables > MAX_TERM_SYLLABLES or token["sentence"] != before["sentence"]
                        or token["start"] != before["end"] + 1 or not joinable[j]):
                    break
                key = f"{key} {keys[j]}"
                if key in terms and _makes_term(tokens[i:j + 1]):
                    best = j + 1 - i
                if key not in terms.prefixes:  # no longer learned term begins with these words
                    break
        if best == 1:
            joined.append(tokens[i])
        else:
            run = tokens[i:i + best]
            joined.append({**run[0], "text": " ".join(t["text"] for t in run), "end": run[-1]["end"],
                           "pos": "N" if run[0]["pos"] in HEAD_NOUN_POS or (run[0]["pos"] == "P" and run[-1]["pos"] == "N")
                           else run[0]["pos"],
                           "parts": [t for t in run if " " in t["text"].strip()], "last_pos": run[-1]["pos"]})
        i += best
    return joined


def _makes_term(run: list[dict[str, Any]]) -> bool:
    """Whether a learned collocation is a term here: not one that ends in a function word
    (`người dùng có thể`, "users can"), nor a pronoun and what it does (`ông nói`, "he said";
    `bạn cần`, "you need"): a pronoun first needs a noun last (`cô gái`)."""
    first = "_".join(run[0]["text"].split()).lower()
    return run[-1]["pos"] not in FUNCTION_POS and (first not in PRONOUNS or run[-1]["pos"] == "N")


def _is_word(token: dict[str, Any]) -> bool:
    """Whether a token may be part of a joined term: no number (`2007`, `III`) or punctuation."""
    return _spells_word(token["text"], token["pos"])


@functools.lru_cache(maxsize=200_000)
def _spells_word(text: str, pos: str) -> bool:
    return (any(c.isalpha() for c in text) and not _NUMBER_LIKE.match(text)
            and not _is_number({"text": text, "pos": pos}))


def document_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[str]:
    """The candidate terms of one document, one per occurrence (see `scan_terms`)."""
    return scan_terms(tokens, entities).terms


class ScannedTerms(NamedTuple):
    terms: list[str]  # one per occurrence
    truncated: Counter  # phrase -> its mentions that are the front of a longer chain of nouns
    adjectival: set[str]  # the phrases of a noun and an adjective (`trí_tuệ nhân_tạo`)
    topical: set[str] = set()  # learned terms used as verbs or adjectives (`khởi_nghiệp`): keywords only as topics
    leading: set[str] = set()  # the terms of the title and the lead (the first two sentences)


def scan_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]],
               terms_model: LearnedTerms | None = None) -> ScannedTerms:
    """The candidate terms of one document, one per occurrence: the canonical name of each entity
    mention (so `Altman` counts for `Sam_Altman`), the nouns outside entities, noun phrases of
    a common noun and the noun or adjective right after it (`trí_tuệ nhân_tạo`, `giá vàng`), and
    the learned terms (`terms_model`, the shipped one by default) that are no nouns (`khởi_nghiệp`,
    `thanh_toán`) and are rare enough in the corpora to be topics (`Settings.topic_max_share`).
    Words the segmenter split that make a learned term are first joined (`tiền ảo`, `cô gái`).
    Syllables of a term are joined by `_`; common nouns are lower-cased, and so is a capitalized
    proper noun outside entities that the document also uses as a common noun (`Cua` at the start
    of a sentence, `cua` elsewhere: one term). Also: how many mentions of each phrase are the front
    of a longer chain of nouns (`cộng_đồng mã` of `cộng_đồng mã nguồn`), cut where it should not be."""
    terms_model = terms_model if terms_model is not None else learned_terms()
    credits = credit_lines(tokens)  # their words and names are left out
    outside = _merged_spans(credits)
    first_sentences = sorted({token["sentence"] for token in tokens})[:LEAD_SENTENCES]
    lead_end = max((t["end"] for t in tokens if t["sentence"] in first_sentences), default=0)
    terms, leading = [], set()
    for entity in entities:
        term = "_".join(entity["canonical"].split())
        if not _inside(entity["start"], outside) and is_candidate(term):
            terms.append(term)
            if entity["start"] < lead_end:
                leading.add(term)
    inside = _merged_spans(sorted([(entity["start"], entity["end"]) for entity in entities] + credits))
    previous: dict[str, Any] | None = None  # the last common noun, while a phrase may continue it
    proper: list[int] = []  # positions in `terms` of proper nouns outside entities
    truncated: Counter = Counter()
    adjectival: set[str] = set()
    topical: set[str] = set()
    nouns: set[str] = set()  # a learned term the document also uses as a noun is a noun
    counted_phrases: set[tuple[str, int]] = set()  # (phrase, start) of the noun phrases counted
    joined = join_learned_terms(tokens, inside, terms_model)
    for token in joined:
        word = "_".join(token["text"].split())
        if _inside(token["start"], inside) or not is_candidate(word):
            previous = None
            continue
        follows = previous is not None and token["start"] == previous["end"] + 1 \
            and token["sentence"] == previous["sentence"]
        if follows and token["pos"] == "Ne" and not previous["collective"]:
            # A collective noun and its noun (`đám mây`, `đoàn tàu`) are one modifier: `điện_toán_đám_mây`.
            previous = {**previous, "collective": f"{word.lower()}_", "end": token["end"]}
            continue
        if follows and token["pos"] in (PHRASE_MODIFIER_POS if not previous["collective"] else {"N"}):
            if previous["phrase"] is not None and token["pos"] == "N":
                truncated[previous["phrase"]] += 1
            phrase = f"{previous['word']}_{previous['collective']}{word.lower()}"
            terms.append(phrase)
            counted_phrases.add((phrase, previous["start"]))
            if token["start"] < lead_end:
                leading.add(phrase)
            if token["pos"] == "A":
                adjectival.add(phrase)
        else:
            phrase = None
        if token.get("last_pos") == "A":  # `trí_tuệ nhân_tạo` joined: a noun and its adjective, as above
            adjectival.add(word.lower())
        # A joined term also counts for the words of two or more syllables it was joined from
        # (`đường_dây` and `lừa_đảo` of `đường dây lừa đảo`), never for single syllables (`gái` of `cô gái`).
        for part in [token] + token.get("parts", []):
            part_word = "_".join(part["text"].split())
            if part["pos"] in KEYWORD_POS:
                nouns.add(part_word.lower())
                if part["pos"] in CASED_POS:
                    proper.append(len(terms))
                terms.append(part_word if part["pos"] in CASED_POS else part_word.lower())
            elif (part["pos"] in TOPIC_POS and "_" in part_word and term_key(part_word) in terms_model
                  and terms_model.share(term_key(part_word)) <= TOPIC_MAX_SHARE
                  and not (part["pos"] == "A" and (follows or part is not token))):  # `game trực_tuyến`: a modifier
                terms.append(part_word.lower())
                topical.add(part_word.lower())
            else:
                continue
            if token["start"] < lead_end:
                leading.add(terms[-1])
        previous = {"word": word.lower(), "start": token["start"], "end": token["end"], "sentence": token["sentence"],
                    "phrase": phrase, "collective": ""} if token["pos"] in PHRASE_HEAD_POS else None
    if proper:
        common = set(terms) - {terms[i] for i in proper}
        for i in proper:
            if terms[i].lower() in common:
                leading.discard(terms[i])
                terms[i] = terms[i].lower()
    # A verb or adjective is a candidate only where the document makes it a topic, coming back to it
    # (so that the verbs of every document do not thin the scores of its nouns).
    topical -= nouns
    for phrase, start in repeated_phrases(joined, inside):
        if (phrase, start) not in counted_phrases:  # the noun phrase of a noun and its modifier, counted above
            terms.append(phrase)
            if start < lead_end:
                leading.add(phrase)
    uses = Counter(term for term in terms if term in topical)
    passing = {term for term in topical if uses[term] >= TOPIC_MIN_MENTIONS - (term in leading)}
    terms = [term for term in terms if term not in topical or term in passing]
    topical = passing
    return ScannedTerms(terms, truncated, adjectival, topical, leading)


def repeated_phrases(tokens: list[dict[str, Any]], inside: tuple[list[int], list[int]]) -> list[tuple[str, int]]:
    """The phrases the document itself makes terms by repeating them: a noun and the content words
    right after it (`trạm sạc`, `nhà phát hành`, `cáp quang biển`, `mã QR`, `kinh tế số`), 2 to 4
    syllables in one sentence, outside entities and credit lines, used `REPEATED_PHRASE_MENTIONS`
    times or more (its first word a noun at least once: the tagger may call `tổn thất` a verb
    elsewhere) and not always cut short by the length limit (`tuyến cáp quang biển` of `tuyến cáp
    quang biển mới`, `gặp`, `APG`: `cáp quang biển` is the term); one (phrase, start offset) per
    mention. Today's terms the corpora never had (`trạm sạc` is no collocation of 2007 news) are
    found this way; the merge rules then keep a phrase or its head."""
    starts: dict[str, list[int]] = {}
    whole: set[str] = set()  # phrases with a mention that the length limit did not cut
    headed: set[str] = set()  # phrases with a mention whose first word may head one (the tagger varies)
    for run in _content_runs(tokens, inside):
        for i, head in enumerate(run):
            head_word = "_".join(head["text"].split())
            if not (is_candidate(head_word) or head_word.lower() in AGENT_HEADS):
                continue
            syllables = len(head["text"].split())
            for j in range(i + 1, len(run)):
                syllables += len(run[j]["text"].split())
                if syllables > MAX_TERM_SYLLABLES:
                    break
                last = "_".join(run[j]["text"].split())
                if not (is_candidate(last) or run[j]["pos"] in CASED_POS or last.lower() in PHRASE_END_WORDS):
                    continue  # a phrase does not end in a stopword
                phrase = "_".join(_written(t) for t in run[i:j + 1])
                starts.setdefault(phrase, []).append(head["start"])
                if _heads_phrase(head) and (head["pos"] != "V" or (
                        j == i + 1 and syllables <= 3 and run[j]["pos"] in PHRASE_HEAD_POS)):
                    headed.add(phrase)  # a verb heads only a short phrase with its object: `gọi vốn`
                if j + 1 == len(run) or syllables + len(run[j + 1]["text"].split()) <= MAX_TERM_SYLLABLES:
                    whole.add(phrase)
    return sorted(((phrase, start) for phrase, found in starts.items()
                   if len(found) >= REPEATED_PHRASE_MENTIONS and phrase in whole and phrase in headed
                   for start in found), key=lambda item: item[1])




def _content_runs(tokens: list[dict[str, Any]], inside: tuple[list[int], list[int]]) -> list[list[dict[str, Any]]]:
    """The runs of adjacent content words (nouns, verbs, adjectives) of one sentence, outside `inside`."""
    runs: list[list[dict[str, Any]]] = []
    previous = None
    for token in tokens:
        if token["pos"] not in PHRASE_WORD_POS or _inside(token["start"], inside) or not _is_word(token):
            previous = None
            continue
        if previous is None or token["start"] != previous["end"] + 1 or token["sentence"] != previous["sentence"]:
            runs.append([])
        runs[-1].append(token)
        previous = token
    return runs


def _heads_phrase(token: dict[str, Any]) -> bool:
    """Whether a repeated phrase may start with this word: a noun (`trạm sạc`), a verb with its
    object (`gọi vốn`, `chuyển đổi số`: the topic, when the document repeats it), or a compound
    the tagger took for an adjective (`cáp quang biển`)."""
    return token["pos"] in PHRASE_HEAD_POS or token["pos"] == "V" or (
        token["pos"] == "A" and " " in token["text"].strip())


def _merged_spans(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Spans sorted by start, merged into disjoint ones: (starts, ends)."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in spans:
        if start >= end:
            continue
        if starts and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _inside(position: int, spans: tuple[list[int], list[int]]) -> bool:
    """Whether `position` is in one of the merged `spans`: a binary search, so a long document
    costs tokens x log(entities), not tokens x entities."""
    k = bisect.bisect_right(spans[0], position) - 1
    return k >= 0 and position < spans[1][k]

