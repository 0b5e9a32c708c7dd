"""The keywords stage: the top words and entities of each document by TF-IDF on segmented words
(so that `trí_tuệ_nhân_tạo` and `Sam_Altman` stay whole), and the tags of the user's rules.

Terms: entity names, nouns and noun phrases, learned terms (models/keywords/terms.tsv:
collocations of VNTC and viwiki) and the phrases the document itself repeats (`trạm sạc`, `cáp
quang biển`, `gọi vốn`: today's terms no corpus had). Words the segmenter split that make a learned
term are joined (`tiền ảo`, `cô gái`; not a pronoun and its verb, `ông nói`), and those tagged as
verbs or adjectives (`khởi_nghiệp`) may be keywords as topics. Times (`hôm_qua`, `năm_ngoái`) and
addresses are no terms; network generations are (`5G`).

Document frequencies come from a background model (models/keywords: VNTC news counted by term, plus
viwiki's documents from the learned terms; the default: a document's keywords do not depend on
what else is in the run), the run's own corpus, or both (`combined`). Scores are TfidfVectorizer's
defaults: raw term count times smooth idf, l2-normalized over all the document's candidate terms
(a phrase the background never saw takes the idf of its head).

Which terms may be keywords (see `select`): a common noun or noun phrase must be established
vocabulary (in at least `min_noun_share` of the documents of one corpus: rare nouns and one-off
phrases identify a document but say nothing of what it is about), or newer than the frequencies
and repeated (`new_term_min_mentions`: `trí_tuệ_nhân_tạo` in today's news), and not too generic
(`công_ty`: common and spread alike over VNTC's sections), a unit or period (`USD`, `quý`: next to
numbers) or a part of a longer keyword (`mây`); a verb or adjective must be a topic (a learned
term, rare in the corpora, repeated); a name must be known to the frequencies (in at least 3 of
their documents) or mentioned at least `name_min_mentions` times. One entry per concept
(`merge_near_duplicates`: a phrase or its head, a name or its alias), and at most `max_names`
names make the top k besides the central ones (many mentions, or in the title or lead). Credit
lines (`Tác giả: …`) give no terms.
"""
from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from .. import checks
from ..backends.model_files import model_dir, require
from ..errors import VnpipeError
from ..runtime.stage import Stage, file_digest
from ..backends.tags import TAG, load_rules, match_tags, rules_digest
from ..text.vietnamese import MODERN, apply_tone_style

KEYWORD = pa.struct([("term", pa.string()), ("score", pa.float32())])
# POS tags (the segment stage's one tag set, backends/postags.py) of the words that can be keywords:
# common nouns, proper nouns, abbreviations, borrowed nouns. Classifiers (Nc, Ns), units (Nu) and
# function words never are; verbs, adjectives and unknown words only as topics (below).
KEYWORD_POS = frozenset({"N", "NNP", "Ny", "Nb"})
CASED_POS = frozenset({"NNP", "Ny"})  # proper nouns and abbreviations keep their case
PHRASE_HEAD_POS = frozenset({"N", "Nb"})  # a noun phrase: common or borrowed noun (`game`) ...
PHRASE_MODIFIER_POS = frozenset({"N", "A"})  # ... + the noun or adjective after it
HEAD_NOUN_POS = frozenset({"N", "Nc", "Ne", "Ns"})  # a learned term starting with one of these is a noun (`con gái`),
# and so is one of a pronoun and a noun (`cô gái`)
MAX_TERM_SYLLABLES = 4  # the longest learned terms
FUNCTION_POS = frozenset({"R", "C", "Cc", "E", "P", "T", "L", "M", "CH"})  # adverbs, conjunctions, prepositions, ...
PRONOUNS = frozenset("tôi chúng_tôi chúng_ta ta mình anh chị em ông bà họ nó hắn bạn các_bạn cô chú cháu".split())
PHRASE_WORD_POS = frozenset({"N", "Nb", "Ny", "A", "V"})  # the words of a phrase the document repeats (`trạm sạc`)
AGENT_HEADS = frozenset({"người"})  # a stopword that heads a term with the verb after it: `người bán`
REPEATED_PHRASE_MENTIONS = 3  # ... and how often it must repeat it
PHRASE_END_WORDS = frozenset({"số"})  # a stopword that ends a phrase as "digital": `kinh tế số`, `chuyển đổi số`
TOPIC_POS = frozenset({"V", "Vb", "A", "X"})  # verbs, adjectives and unknown words may be topics (`khởi_nghiệp`)
TOPIC_MIN_MENTIONS = 3  # ... and mentioned this often in the document (once less when one is in the title or lead)
TOPIC_MAX_SHARE = 0.03  # a learned verb or adjective in more of the corpora's documents is too common to be a topic
LEAD_SENTENCES = 2  # the title and the lead
BACKGROUND_DIR = model_dir("keywords")
BACKGROUND = BACKGROUND_DIR / "document_frequencies.tsv"
TERMS = BACKGROUND_DIR / "terms.tsv"  # learned multi-word terms and their counts in VNTC and viwiki
DOCUMENT_FREQUENCIES = ("background", "corpus", "combined")
_NUMBER_LIKE = re.compile(r"^(?!\d+[A-Z]+$)[\W\d_]*\d")  # 2007, 1cc, 30%, -5: numbers and quantities; not 5G, 3D
_ROMAN_NUMERAL = re.compile(r"X{0,3}(IX|IV|V?I{0,3})")  # `quý III`
_ADDRESS = re.compile(r"@|://|^www\.")  # e-mail addresses and links are no keywords
_TIME_HEADS = frozenset("năm tháng tuần ngày hôm buổi quý hồi sáng chiều tối đêm trưa cuối đầu giữa thời".split())
_TIME_WORDS = _TIME_HEADS | frozenset("gian qua nay ngoái tới sau trước mai kia này ấy đó sớm rồi".split())
_ABBREVIATION = re.compile(r"[A-Z]{2,}")  # `AI`, `EU`: not the stopwords `ai` ("who"), `eu`
# Credit lines (`Tác giả: Lê Minh Thư`, `Ảnh: Reuters`, `(Theo Thanh Niên)`), matched on a
# sentence's words joined by spaces: who wrote or supplied the article, not what it is about.
_CREDIT_LINE = re.compile(r"(?i)^(?:(?:tác giả|bài|ảnh|bài và ảnh|thực hiện|nguồn|phóng viên|pv|biên tập"
                          r"|đồ hoạ|đồ họa) :|\( theo [^()]*\)$|theo(?: \S+){1,4}$)")
_CREDIT_LINE_WORDS = 12


@dataclass(frozen=True)
class Settings:
    top_k: int = 10
    min_score: float = 0.05
    document_frequencies: str = "background"  # or "corpus": fitted on the run's documents; "combined": both
    min_noun_share: float = 0.005  # a common noun or phrase must be in this share of documents (30 of 6,000)
    new_term_min_mentions: int = 2  # ... or be mentioned this often in the document (terms newer than the frequencies)
    generic_min_share: float = 0.05  # a common noun in this share of documents ...
    generic_min_sections: float = 7.0  # ... spread over this many of their sections (of 10) is too generic
    name_min_mentions: int = 2  # a name unknown to the frequencies must be mentioned this often
    max_names: int = 4  # at most this many names (entities, proper nouns, abbreviations) in the top k ...
    central_name_mentions: int = 3  # ... besides those mentioned this often (or twice, one of them in the title or lead)
    tag_rules: str | None = None  # a YAML file: tag -> keywords, entities, labels, regex (see tags.py)

    def __post_init__(self) -> None:
        checks.at_least("--top-k (keywords.top_k)", self.top_k, 1)
        checks.within("--min-score (keywords.min_score)", self.min_score, 0, 1)
        checks.one_of("--document-frequencies (keywords.document_frequencies)", self.document_frequencies,
                      DOCUMENT_FREQUENCIES)
        checks.existing_file("--tag-rules (keywords.tag_rules)", self.tag_rules)


class MissingBackgroundModel(VnpipeError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"the keyword background model {path} is missing. Rebuild it with `vnpipe train "
                         "keywords` (see models/keywords/MODEL_CARD.md), or run with --document-frequencies corpus")


@functools.cache
def stopwords() -> frozenset[str]:
    lines = require(BACKGROUND_DIR / "stopwords_vi.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=200_000)  # called for every word of every document; news vocabulary repeats
def is_candidate(word: str) -> bool:
    """Punctuation, numbers, one-letter tokens and stopwords are never keywords; an abbreviation
    in capitals is not the stopword it spells (`AI`, artificial intelligence, is not `ai`, "who")."""
    return (len(word) >= 2 and any(c.isalpha() for c in word) and not _NUMBER_LIKE.match(word)
            and (word.lower() not in stopwords() or _ABBREVIATION.fullmatch(word) is not None)
            and not is_time_expression(word) and not _ADDRESS.search(word))


def is_time_expression(word: str) -> bool:
    """`hôm_qua`, `năm_ngoái`, `cuối_tuần`, `tháng_đầu_năm`, `thời_gian_tới`: when, not what about."""
    syllables = word.lower().split("_")
    return len(syllables) > 1 and syllables[0] in _TIME_HEADS and all(s in _TIME_WORDS for s in syllables[1:])


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


def _written(token: dict[str, Any]) -> str:
    """A word as terms write it: syllables joined by `_`, lower case unless a proper noun or abbreviation."""
    word = "_".join(token["text"].split())
    return word if token["pos"] in CASED_POS else word.lower()


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


def credit_lines(tokens: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """The spans of the document's credit lines: short sentences such as `Tác giả: Lê Minh Thư`,
    `Ảnh: Reuters` or `(Theo Thanh Niên)`."""
    sentences: dict[int, list[dict[str, Any]]] = {}
    for token in tokens:
        sentences.setdefault(token["sentence"], []).append(token)
    return [(words[0]["start"], words[-1]["end"]) for words in sentences.values()
            if len(words) <= _CREDIT_LINE_WORDS and _CREDIT_LINE.match(" ".join(w["text"] for w in words))]


def counted_nouns(tokens: list[dict[str, Any]]) -> set[str]:
    """The nouns that stand right after or before a number in at least half of their mentions:
    units and currencies (`15 triệu USD`, `30 MW`) and periods (`quý III`, `tháng 4`). They say
    how much or when, not what the document is about. Units are words of one syllable: `5 triệu
    khách hàng` counts customers, and `khách_hàng` is no unit."""
    mentions: Counter = Counter()
    counted: Counter = Counter()
    for i, token in enumerate(tokens):
        if token["pos"] not in KEYWORD_POS or " " in token["text"].strip():
            continue
        word = _written(token)
        mentions[word] += 1
        before = i - 1
        while before > 0 and tokens[before]["pos"] == "Nu":  # `57 tỷ USD`: `tỷ` may be tagged a unit
            before -= 1
        counted[word] += any(0 <= j < len(tokens) and tokens[j]["sentence"] == token["sentence"]
                             and _is_number(tokens[j]) for j in (before, i + 1))
    return {word for word, n in mentions.items() if 2 * counted[word] >= n}


def _is_number(token: dict[str, Any]) -> bool:
    return token["pos"] == "M" or _NUMBER_LIKE.match(token["text"]) is not None or (
        _ROMAN_NUMERAL.fullmatch(token["text"]) is not None and token["text"] != "")


# -- document frequencies ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentFrequencies:
    """How many of `documents` documents contain each term; gives each term its idf. When the
    documents come in sections (VNTC's ten topics), `sections` says over how many of them each
    term is spread (the exponential of the entropy of its documents' sections: 1 to the number of
    sections): a common word found alike in every section says little about any document."""

    documents: int
    counts: dict[str, int]
    sections: dict[str, float] = field(default_factory=dict)

    def count(self, term: str) -> int:
        """The documents the term is in (0: never seen)."""
        return self.counts.get(term, 0)

    def share(self, term: str) -> float:
        """The share of the documents the term is in."""
        return self.count(term) / max(self.documents, 1)

    def learned(self, term: str) -> bool:
        """Whether the term is a learned multi-word term (only `BlendedFrequencies` know them)."""
        return False

    def section_share(self, term: str) -> float:
        """The share of the documents whose sections `sections` counts the term is in."""
        return self.share(term)

    def idf(self, term: str) -> float:
        # scikit-learn's smooth idf; a term the model has never seen has document frequency 0.
        return math.log((1 + self.documents) / (1 + self.count(term))) + 1

    @classmethod
    def fit(cls, term_lists: Iterable[list[str]], sections: list[str] | None = None) -> DocumentFrequencies:
        """Count the documents of each term; with `sections` (one label per document), also the
        spread of each term over them."""
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer  # a second to import: only when fitting

        vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False, use_idf=False, norm=None, binary=True)
        matrix = vectorizer.fit_transform(term_lists).tocsr()
        counts = matrix.sum(axis=0).A1.astype(int)
        terms = vectorizer.get_feature_names_out().tolist()
        spread: dict[str, float] = {}
        if sections is not None:
            labels = np.asarray(sections)
            per_section = np.vstack([matrix[labels == label].sum(axis=0).A1 for label in sorted(set(sections))])
            shares = per_section / np.maximum(counts, 1)
            entropy = -(shares * np.log(np.where(shares > 0, shares, 1))).sum(axis=0)
            spread = dict(zip(terms, np.round(np.exp(entropy), 2).tolist()))
        return cls(matrix.shape[0], dict(zip(terms, counts.tolist())), spread)

    def write(self, path: Path, min_documents: int = 1) -> None:
        """A TSV `term<TAB>documents[<TAB>sections]`, most frequent first; terms in fewer than
        `min_documents` documents are left out (they then count as unseen: the highest idf)."""
        kept = sorted(((t, n) for t, n in self.counts.items() if n >= min_documents), key=lambda item: (-item[1], item[0]))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            out.write(f"#documents\t{self.documents}\n")
            if self.sections:
                out.writelines(f"{term}\t{count}\t{self.sections[term]:.2f}\n" for term, count in kept)
            else:
                out.writelines(f"{term}\t{count}\n" for term, count in kept)

    @classmethod
    def read(cls, path: Path) -> DocumentFrequencies:
        if not path.is_file():
            raise MissingBackgroundModel(path)
        counts, sections = {}, {}
        with path.open(encoding="utf-8") as lines:
            documents = int(next(lines).split("\t")[1])
            for line in lines:
                term, count, *spread = line.rstrip("\n").split("\t")
                counts[term] = int(count)
                if spread:
                    sections[term] = float(spread[0])
        return cls(documents, counts, sections)


class BlendedFrequencies:
    """Document frequencies over VNTC news (the segmented sample of `base`) and viwiki, and, when
    given, the run's own corpus: a term's documents are its documents in each, over all their
    documents. VNTC's 2007 news alone punish today's words; Wikipedia of 2017 knows `điện toán đám
    mây`, `Bitcoin` and `thương mại điện tử`. viwiki was never segmented: a term's viwiki documents
    are those containing its syllables (`LearnedTerms`), times the share of VNTC's documents with those
    syllables that have the term itself (`tiền` is in many more documents as a syllable than as a
    word). A term unknown to the segmented sample gets its VNTC documents the same way, unscaled."""

    def __init__(self, base: DocumentFrequencies, terms: LearnedTerms, corpus: DocumentFrequencies | None = None):
        self.base, self.terms, self.corpus = base, terms, corpus
        self.news, self.wiki = terms.documents.get("vntc", 0), terms.documents.get("viwiki", 0)
        self.documents = base.documents + self.wiki + (corpus.documents if corpus is not None else 0)
        self.sections = base.sections  # VNTC's ten topics
        self._memo: dict[str, int] = {}

    def count(self, term: str) -> int:
        if term not in self._memo:
            self._memo[term] = self._count(term) + (self.corpus.count(term) if self.corpus is not None else 0)
        return self._memo[term]

    def _count(self, term: str) -> int:
        seen = self.base.count(term)
        news, wiki = self.terms.document_counts.get(term_key(term), (0, 0))[:2]
        if (not news and not wiki) or (not seen and is_name(term)):
            # The learned terms are lower-cased: a name the news never had may be a common word there (`AI`, `ai`).
            return seen
        if seen:
            share = min(1.0, seen / self.base.documents / (news / self.news)) if news else 0.0
            return round(seen + wiki * share)
        return round(news * self.base.documents / max(self.news, 1) + wiki)

    def share(self, term: str) -> float:
        """The term's largest share of the documents of one corpus: established vocabulary of news
        (`chung_cư`) or of Wikipedia is established, even if the other corpus rarely has it."""
        shares = [self.base.share(term)]
        news, wiki = self.terms.document_counts.get(term_key(term), (0, 0))[:2]
        if wiki and self.wiki and (self.base.count(term) or not is_name(term)):
            seen = self.base.count(term)
            scale = min(1.0, seen / self.base.documents / (news / self.news)) if seen and news else float(not seen)
            shares.append(wiki * scale / self.wiki)
            if not seen:
                shares.append(news / max(self.news, 1))
        if self.corpus is not None:
            shares.append(self.corpus.share(term))
        return max(shares)

    def learned(self, term: str) -> bool:
        key = term_key(term)
        return " " in key and key in self.terms

    def section_share(self, term: str) -> float:
        return self.base.share(term)  # the sections are VNTC's topics

    idf = DocumentFrequencies.idf


@functools.cache
def background_model(path: Path = BACKGROUND) -> BlendedFrequencies:
    """The shipped background document frequencies (VNTC and viwiki, see `BlendedFrequencies`),
    read once per process."""
    return BlendedFrequencies(DocumentFrequencies.read(require(path)), learned_terms())


def is_name(term: str) -> bool:
    # Common nouns and phrases are lower-cased by document_terms; names and abbreviations keep capitals.
    return term != term.lower()


def backed_off_idf(term: str, frequencies: DocumentFrequencies, mentions: Counter) -> float:
    """The term's idf; for a phrase the frequencies never saw (`trí_tuệ_nhân_tạo` in 2007 news), the
    idf of its longest part they know (`trí_tuệ`), not the highest idf of all: a phrase is no rarer
    a subject than its head."""
    if frequencies.count(term) or is_name(term):
        return frequencies.idf(term)
    known = [head for head in _heads(term, mentions) if frequencies.count(head)]
    return frequencies.idf(known[-1] if known else term)


def score_terms(terms: list[str], frequencies: DocumentFrequencies) -> list[tuple[str, float]]:
    """TF-IDF of each distinct term (count times idf, l2-normalized over all of them), best first."""
    counts = Counter(terms)
    weights = {term: count * backed_off_idf(term, frequencies, counts) for term, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return sorted(((term, w / norm) for term, w in weights.items()), key=lambda item: (-item[1], item[0]))


KNOWN_NAME_DOCUMENTS = 3  # a name in this many documents of the frequencies is known (the model keeps no rarer term)


def select(terms: list[str], frequencies: DocumentFrequencies, settings: Settings, counted: Iterable[str] = (),
           truncated: Counter | None = None, adjectival: Iterable[str] = (), topical: Iterable[str] = (),
           leading: Iterable[str] = ()) -> list[tuple[str, float]]:
    """The keywords of one document: its best-scored terms that may be keywords (see the module's
    docstring), at most `top_k`, scoring at least `min_score`, one per concept (see
    `merge_near_duplicates`), with at most `max_names` names besides the central ones.
    `counted` are the document's units and periods (see `counted_nouns`): never keywords;
    `truncated` and `adjectival` say which phrases were cut from a longer one and which end in an
    adjective, `topical` which terms are verbs or adjectives, `leading` which are in the title or
    lead (see `scan_terms`)."""
    mentions = with_aliases(Counter(terms))
    truncated = truncated or Counter()
    topical, leading = set(topical), set(leading)
    counted = set(counted)
    eligible: list[tuple[str, float]] = []
    for term, score in score_terms(terms, frequencies):
        if score < settings.min_score:
            break
        documents = frequencies.count(term)
        if term in counted:
            continue
        if term in topical:
            pass  # a verb or adjective the document makes a topic (see `scan_terms`)
        elif is_name(term):
            if documents < KNOWN_NAME_DOCUMENTS and mentions[term] < settings.name_min_mentions:
                continue
        elif frequencies.share(term) < settings.min_noun_share and (truncated[term] == mentions[term]
                                                 or not is_new_term(term, mentions, frequencies, settings)):
            continue
        elif (frequencies.section_share(term) >= settings.generic_min_share
              and frequencies.sections.get(term, 0) >= settings.generic_min_sections):
            continue
        eligible.append((term, score))
    longer = [term for term, _ in eligible if "_" in term]
    # A noun and adjective rare in the frequencies stand for the noun even when the phrase is no
    # keyword itself: `trí_tuệ` ("intellect") mentioned only in `trí_tuệ_nhân_tạo` would misname the subject.
    new_phrases = [term for term in adjectival if frequencies.share(term) < settings.min_noun_share]
    eligible = [(term, score) for term, score in eligible if is_name(term) or not part_of_longer(term, longer, mentions)
                and not part_of_longer(term, new_phrases, mentions, heads_only=True)]
    # A verb phrase ending in a keyword is that keyword's concept (`gặp_sự_cố` of `sự_cố`).
    eligible = [(term, score) for term, score in eligible
                if term not in topical or not any(term.endswith(f"_{other}") for other, _ in eligible)]
    chosen: list[tuple[str, float]] = []
    names = 0
    for term, score in merge_near_duplicates(eligible, mentions, settings):
        if len(chosen) == settings.top_k:
            break
        if is_name(term):
            # Names beyond `max_names` are cut, the central ones never: many mentions, or in the title or lead.
            central = mentions[term] >= settings.central_name_mentions or (
                term in leading and mentions[term] >= settings.name_min_mentions)
            if names >= settings.max_names and not central:
                continue
            names += 1
        chosen.append((term, score))
    return chosen


def merge_near_duplicates(eligible: list[tuple[str, float]], mentions: Counter,
                          settings: Settings) -> list[tuple[str, float]]:
    """One entry per concept: of a term and a longer one that begins with it (`thủ_tướng`,
    `thủ_tướng_chính_phủ`; `game`, `game_trực_tuyến`), only one stays: the one the document
    mentions most (a phrase's mentions count for its head too), or the longer when it is frequent
    too (three times or more, and at least half as often as its head). A term that only modifies a longer
    one is another concept and stays (`dữ_liệu` of `trung_tâm_dữ_liệu`). Of two names one of
    which contains the other, the aliases of one entity (`Amkor`, `Tập_đoàn_Amkor`; their mentions
    counted together by `with_aliases`), the one mentioned most stays; on a tie the core name
    (`Bạch_Mai`, not `Bệnh_viện_Bạch_Mai`) or else the longer (`Đại_sứ_quán_Việt_Nam`)."""
    dropped: set[str] = set()
    for short, _ in eligible:
        for long, _ in eligible:
            if long == short or short in dropped or long in dropped or not _same_concept(short, long):
                continue
            if is_name(short):
                keep_long = mentions[long] > mentions[short] or (
                    mentions[long] == mentions[short] and not _is_alias(short, long))
            else:
                keep_long = mentions[long] >= mentions[short] or (
                    mentions[long] >= 3 and 2 * mentions[long] >= mentions[short])
            dropped.add(short if keep_long else long)
    return [(term, score) for term, score in eligible if term not in dropped]


def with_aliases(mentions: Counter) -> Counter:
    """The mentions of each term, a name's counting those of its aliases: the name with a word or two
    of kind before it (`Amkor` and `Tập_đoàn_Amkor`, once each, are one entity mentioned twice)."""
    by_lower: dict[str, list[str]] = {}
    for term in mentions:
        if is_name(term):
            by_lower.setdefault(term.lower(), []).append(term)
    combined = Counter(mentions)
    for aliases in by_lower.values():
        for alias in aliases:
            for core in by_lower.get(_alias_core(alias), ()):
                combined[core] += mentions[alias]
                combined[alias] += mentions[core]
    return combined


def _is_alias(core: str, long: str) -> bool:
    """Whether `long` is `core` after the word for its kind (`Tập_đoàn_Amkor`, `bang_North_Carolina`)."""
    return _alias_core(long) == core.lower()


def _alias_core(name: str) -> str | None:
    """The name without the word for its kind (one or two syllables), lower-cased: `Tập_đoàn_Amkor`
    -> `amkor`; None when it starts with no such word."""
    syllables = name.lower().split("_")
    for cut in (1, 2):
        if len(syllables) > cut and "_".join(syllables[:cut]) in NAME_KINDS:
            return "_".join(syllables[cut:])
    return None


NAME_KINDS = frozenset("""tập_đoàn công_ty hãng ngân_hàng bệnh_viện trường đại_học học_viện viện quỹ sàn báo đài
bang tỉnh thành_phố tp quận huyện xã phường sông núi đảo hồ vịnh chợ sân_bay cảng""".split())


def _same_concept(short: str, long: str) -> bool:
    """Whether `long` begins with `short` (whole syllables, any case), or contains it when either is a name."""
    short_key, long_key = short.lower(), long.lower()
    if len(short_key) >= len(long_key):
        return False
    if is_name(short) or is_name(long):
        return f"_{short_key}_" in f"_{long_key}_"
    return long_key.startswith(f"{short_key}_")


def is_new_term(term: str, mentions: Counter, frequencies: DocumentFrequencies, settings: Settings) -> bool:
    """Whether a common noun or phrase rarer than the floor is rather vocabulary newer than the
    frequencies, as the document repeats it: a word they never saw (`livestream`), or a phrase whose
    head is established vocabulary (`trí_tuệ nhân_tạo`, `ô_tô điện`), a learned multi-word term
    (`tầng_hầm`, `điện_toán_đám_mây`: a collocation of the corpora the terms were learned from), or
    one the document comes back to three times (`tiểu_thương`, rare in 2007 news)."""
    if mentions[term] < settings.new_term_min_mentions:
        return False
    return (frequencies.learned(term) or not frequencies.count(term) or mentions[term] >= REPEATED_PHRASE_MENTIONS
            or any(frequencies.share(head) >= settings.min_noun_share for head in _heads(term, mentions)))


def _heads(term: str, mentions: Counter) -> list[str]:
    """The document's terms that begin `term` (`trí_tuệ` of `trí_tuệ_nhân_tạo`), shortest first."""
    syllables = term.split("_")
    return [head for head in ("_".join(syllables[:i]) for i in range(1, len(syllables))) if head in mentions]


def part_of_longer(term: str, longer: list[str], mentions: Counter, heads_only: bool = False) -> bool:
    """Whether all mentions of `term` are inside one of the `longer` terms (at its start, with
    `heads_only`): then it is that term (`trí_tuệ` of `trí_tuệ_nhân_tạo`, every time), not a
    keyword of its own."""
    return any(other != term and mentions[other] >= mentions[term]
               and (other.startswith(f"{term}_") if heads_only else f"_{term}_" in f"_{other}_") for other in longer)


def _identity(terms: list[str]) -> list[str]:
    return terms


# -- the stage --------------------------------------------------------------------------------------

class Keywords(Stage):
    name = "keywords"
    # 5: learned terms, topics, one entry per concept, central names, VNTC + viwiki background;
    # 6: phrases the document repeats, name aliases, no times or pronoun collocations
    version = "6"
    reads = {"normalize": ("text",), "segment": ("tokens",), "ner": ("entities",)}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("keywords", pa.list_(KEYWORD)), ("tags", pa.list_(TAG))])

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.rules = load_rules(self.settings.tag_rules) if self.settings.tag_rules else []
        # Fitted on this corpus by fit(); the background model is read where a part runs (once per
        # worker process), so it does not travel with every part's task.
        self.frequencies: DocumentFrequencies | None = None

    @property
    def corpus_level(self) -> bool:  # type: ignore[override]
        # Background frequencies make each document's keywords independent of the rest of the run,
        # so only new or changed parts are recomputed; corpus frequencies need every document first.
        return self.settings.document_frequencies != "background"

    def model_checksum(self) -> str:
        parts = [f"terms-{file_digest(require(TERMS))}"]
        if self.settings.document_frequencies != "corpus":
            parts.append(f"background-{file_digest(require(BACKGROUND))}")
        if self.settings.tag_rules:
            parts.append(f"rules-{rules_digest(self.settings.tag_rules)}")
        return "+".join(parts)

    def fit(self, documents) -> None:
        corpus = DocumentFrequencies.fit(document_terms(d["tokens"], d["entities"]) for d in documents)
        self.frequencies = corpus if self.settings.document_frequencies == "corpus" else BlendedFrequencies(
            background_model().base, learned_terms(), corpus)

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        frequencies = self.frequencies if self.corpus_level else background_model()
        if frequencies is None:
            raise RuntimeError("keywords: fit() must see the corpus before process()")
        scanned = scan_terms(document["tokens"], document["entities"])
        keywords = [{"term": term, "score": score} for term, score in select(
            scanned.terms, frequencies, self.settings, counted_nouns(document["tokens"]), scanned.truncated,
            scanned.adjectival, scanned.topical, scanned.leading)]
        tags = match_tags(self.rules, [k["term"] for k in keywords], document["entities"], document["text"])
        return {"keywords": keywords, "tags": tags}
