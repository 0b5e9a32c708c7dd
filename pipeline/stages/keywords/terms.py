"""The candidate terms of a document: entity names, nouns and noun phrases, learned multi-word terms
and the document's own compounds joined where the segmenter split them, and the phrases the
document repeats; each mention with where it is and what kind of term it is."""
from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from .learned import LearnedTerms, learned_terms, term_key
from .phrases import inside_spans, join_document_units, joined_learned_terms, merged_spans, repeated_phrases
from .words import (CASED_POS, KEYWORD_POS, LEAD_SENTENCES, PHRASE_HEAD_POS, PHRASE_MODIFIER_POS, TOPIC_MAX_SHARE,
                    TOPIC_MIN_MENTIONS, TOPIC_POS, credit_lines, is_candidate)

# What a term is, for the ranker: an entity's label, or one of these.
KINDS = ("PER", "ORG", "LOC", "MISC", "proper", "abbreviation", "noun", "phrase", "learned", "unit", "repeated",
         "action", "topic")


def document_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[str]:
    """The candidate terms of one document, one per occurrence (see `scan_terms`)."""
    return scan_terms(tokens, entities).terms


class ScannedTerms(NamedTuple):
    terms: list[str]  # one per occurrence
    truncated: Counter  # phrase -> its mentions that are the front of a longer chain of nouns
    adjectival: set[str]  # the phrases of a noun and an adjective (`trí_tuệ nhân_tạo`)
    topical: set[str] = set()  # learned terms used as verbs or adjectives (`khởi_nghiệp`): keywords only as topics
    leading: set[str] = set()  # the terms of the title and the lead (the first two sentences)
    starts: list[int] = []  # where each occurrence of `terms` starts (a character offset)
    kinds: dict[str, str] = {}  # term -> what it is (one of KINDS)
    sentence_starts: list[int] = []  # where each sentence starts
    length: int = 0  # where the last word ends


def scan_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]],
               terms_model: LearnedTerms | None = None) -> ScannedTerms:
    """The candidate terms of one document, one per occurrence: the canonical name of each entity
    mention (so `Altman` counts for `Sam_Altman`), the nouns outside entities, noun phrases of
    a common noun and the noun or adjective right after it (`trí_tuệ nhân_tạo`, `giá vàng`), and
    the learned terms (`terms_model`, the shipped one by default) that are no nouns (`khởi_nghiệp`,
    `thanh_toán`) and are rare enough in the corpora to be topics (`TOPIC_MAX_SHARE`).
    Words the segmenter split that make a learned term, or a compound the document uses as one
    unit, are first joined (`cô gái`, `tiền ảo`, `xe tự lái`). Syllables of a term are joined by
    `_`; common nouns are lower-cased, and so is a capitalized proper noun outside entities that
    the document also uses as a common noun (`Cua` at the start of a sentence, `cua` elsewhere: one
    term). Also: how many mentions of each phrase are the front of a longer chain of nouns
    (`cộng_đồng mã` of `cộng_đồng mã nguồn`), cut where it should not be."""
    terms_model = terms_model if terms_model is not None else learned_terms()
    credits = credit_lines(tokens)  # their words and names are left out
    outside = merged_spans(credits)
    sentence_starts = sorted({token["sentence"]: token["start"] for token in reversed(tokens)}.values())
    lead = set(sorted({token["sentence"] for token in tokens})[:LEAD_SENTENCES])
    lead_end = max((t["end"] for t in tokens if t["sentence"] in lead), default=0)
    found = _Found(lead_end)
    for entity in entities:
        name = clean_name(entity["canonical"]) if entity.get("label") == "PER" else entity["canonical"]
        term = "_".join(name.split())
        if not inside_spans(entity["start"], outside) and term and is_candidate(term):
            found.add(term, entity["start"], entity.get("label") or "MISC")
    inside = merged_spans(sorted([(entity["start"], entity["end"]) for entity in entities] + credits))
    hidden = frozenset(token["start"] for token in tokens if inside_spans(token["start"], inside)) if inside[0] else frozenset()
    joined, keys, joinable = joined_learned_terms(tokens, hidden, terms_model)
    joined = join_document_units(joined, hidden, keys, joinable)
    truncated, adjectival, topical = _scan_words(joined, hidden, terms_model, found)
    counted_phrases = {(term, start) for term, start in zip(found.terms, found.starts) if found.kinds[term] == "phrase"}
    for phrase, start, kind in repeated_phrases(joined, hidden, terms_model):
        if (phrase, start) not in counted_phrases:  # the noun phrase of a noun and its modifier, counted above
            found.add(phrase, start, kind)
    # A verb or adjective is a candidate only where the document makes it a topic, coming back to it
    # (so that the verbs of every document do not thin the scores of its nouns).
    uses = Counter(term for term in found.terms if term in topical)
    passing = {term for term in topical if uses[term] >= TOPIC_MIN_MENTIONS - (term in found.leading)}
    kept = [(term, start) for term, start in zip(found.terms, found.starts) if term not in topical or term in passing]
    return ScannedTerms([term for term, _ in kept], truncated, adjectival, passing, found.leading,
                        [start for _, start in kept], found.kinds, sentence_starts,
                        max((t["end"] for t in tokens), default=0))


class _Found:
    """The mentions found so far: terms and their starts, the kind of each term, those of the lead."""

    def __init__(self, lead_end: int) -> None:
        self.terms: list[str] = []
        self.starts: list[int] = []
        self.kinds: dict[str, str] = {}
        self.leading: set[str] = set()
        self.lead_end = lead_end

    def add(self, term: str, start: int, kind: str) -> None:
        self.terms.append(term)
        self.starts.append(start)
        self.kinds.setdefault(term, kind)
        if start < self.lead_end:
            self.leading.add(term)

    def rename(self, index: int, term: str) -> None:
        self.leading.discard(self.terms[index])
        self.kinds.setdefault(term, self.kinds[self.terms[index]])
        self.terms[index] = term
        if self.starts[index] < self.lead_end:
            self.leading.add(term)


def _scan_words(joined: list[dict[str, Any]], hidden: frozenset[int], terms_model: LearnedTerms,
                found: _Found) -> tuple[Counter, set[str], set[str]]:
    """Add the nouns, noun phrases and topical words of the (joined) tokens to `found`; return which
    phrases were cut from a longer chain, which end in an adjective, and the topical words."""
    previous: dict[str, Any] | None = None  # the last common noun, while a phrase may continue it
    proper: list[int] = []  # positions in `found` of proper nouns outside entities
    truncated: Counter = Counter()
    adjectival: set[str] = set()
    topical: set[str] = set()
    nouns: set[str] = set()  # a learned term the document also uses as a noun is a noun
    for token in joined:
        word = "_".join(token["text"].split())
        if token["start"] in hidden or not is_candidate(word):
            previous = None
            continue
        follows = previous is not None and token["start"] == previous["end"] + 1 \
            and token["sentence"] == previous["sentence"]
        if follows and token["pos"] == "Ne" and not previous["collective"]:
            # A collective noun and its noun (`đám mây`, `đoàn tàu`) are one modifier: `điện_toán_đám_mây`.
            previous = {**previous, "collective": f"{word.lower()}_", "end": token["end"]}
            continue
        phrase = None
        if follows and token["pos"] in (PHRASE_MODIFIER_POS if not previous["collective"] else {"N"}):
            if previous["phrase"] is not None and token["pos"] == "N":
                truncated[previous["phrase"]] += 1
            phrase = f"{previous['word']}_{previous['collective']}{word.lower()}"
            found.add(phrase, previous["start"], "phrase")
            if token["pos"] == "A":
                adjectival.add(phrase)
        if token.get("last_pos") == "A":  # `trí_tuệ nhân_tạo` joined: a noun and its adjective, as above
            adjectival.add(word.lower())
        # A joined term also counts for the words of two or more syllables it was joined from
        # (`đường_dây` and `lừa_đảo` of `đường dây lừa đảo`), never for single syllables (`gái` of `cô gái`).
        for part in [token] + token.get("parts", []):
            part_word = "_".join(part["text"].split())
            if part is not token and not is_candidate(part_word):
                continue  # `vụ_việc` of `vụ việc xảy`: a filler inside a learned term is no term either
            if part["pos"] in KEYWORD_POS:
                nouns.add(part_word.lower())
                if part["pos"] in CASED_POS:
                    proper.append(len(found.terms))
                found.add(part_word if part["pos"] in CASED_POS else part_word.lower(), part["start"],
                          _kind(part, part is token))
            elif (part["pos"] in TOPIC_POS and "_" in part_word and term_key(part_word) in terms_model
                  and terms_model.share(term_key(part_word)) <= TOPIC_MAX_SHARE
                  and not (part["pos"] == "A" and (follows or part is not token))):  # `game trực_tuyến`: a modifier
                found.add(part_word.lower(), part["start"], "topic")
                topical.add(part_word.lower())
        previous = {"word": word.lower(), "start": token["start"], "end": token["end"], "sentence": token["sentence"],
                    "phrase": phrase, "collective": ""} if token["pos"] in PHRASE_HEAD_POS else None
    if proper:
        common = set(found.terms) - {found.terms[i] for i in proper}
        for i in proper:
            if found.terms[i].lower() in common:
                found.rename(i, found.terms[i].lower())
    return truncated, adjectival, topical - nouns


def _kind(token: dict[str, Any], whole: bool) -> str:
    if whole and token.get("unit"):
        return "unit"
    if whole and "parts" in token:
        return "learned"
    return {"NNP": "proper", "Ny": "abbreviation"}.get(token["pos"], "noun")


def clean_name(canonical: str) -> str:
    """A person's name without the syllables a garbled canonical name repeats (`Conte Antonio
    Conte` -> `Antonio Conte`): the NER stage may glue a name to its own surname. (Names of
    organisations may repeat a word: `Phòng Cảnh sát Phòng cháy chữa cháy`.)"""
    syllables = canonical.split()
    last = {s.lower(): i for i, s in enumerate(syllables)}
    return " ".join(s for i, s in enumerate(syllables) if last[s.lower()] == i)
