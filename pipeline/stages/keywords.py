"""The keywords stage: the top words and entities of each document by TF-IDF on segmented words
(so that `trí_tuệ_nhân_tạo` and `Sam_Altman` stay whole), and the tags of the user's rules.

Document frequencies come from a background model fitted on VNTC news (models/keywords, the
default: a document's keywords do not depend on what else is in the run) or from the run's own
corpus (scikit-learn's TfidfVectorizer). Scores are TfidfVectorizer's defaults: raw term count
times smooth idf, l2-normalized over all the document's candidate terms (a phrase the background
never saw takes the idf of its head).

Which terms may be keywords (see `select`): a common noun or noun phrase must be established
vocabulary (in at least `min_noun_share` of the documents the frequencies were counted on: rare
nouns and one-off phrases identify a document but say nothing of what it is about), or newer than
the frequencies and repeated (`new_term_min_mentions`: `trí_tuệ_nhân_tạo` in today's news, unseen
in 2007's), and not too generic (`công_ty`: common and spread alike over the frequencies' sections),
a unit or period (`USD`, `quý`: next to numbers) or a part of a longer keyword (`mây`); a name must
be known to the frequencies (in at least 3 of their documents) or mentioned at least
`name_min_mentions` times in the document (so `OpenAI` in an article about it, not every passer-by);
and at most `max_names` names make the top k, the best scored ones. Credit lines (`Tác giả: …`)
give no terms.
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

KEYWORD = pa.struct([("term", pa.string()), ("score", pa.float32())])
# POS tags (the segment stage's one tag set, backends/postags.py) of the words that can be keywords:
# common nouns, proper nouns, abbreviations, borrowed nouns. Verbs, adjectives, classifiers (Nc, Ns),
# units (Nu) and function words never are.
KEYWORD_POS = frozenset({"N", "NNP", "Ny", "Nb"})
CASED_POS = frozenset({"NNP", "Ny"})  # proper nouns and abbreviations keep their case
PHRASE_MODIFIER_POS = frozenset({"N", "A"})  # a noun phrase: common noun + the noun or adjective after it
BACKGROUND_DIR = model_dir("keywords")
BACKGROUND = BACKGROUND_DIR / "document_frequencies.tsv"
DOCUMENT_FREQUENCIES = ("background", "corpus")
_NUMBER_LIKE = re.compile(r"^[\W\d_]*\d")  # 2007, 1cc, 30%, -5: numbers and quantities
_ROMAN_NUMERAL = re.compile(r"X{0,3}(IX|IV|V?I{0,3})")  # `quý III`
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
    document_frequencies: str = "background"  # or "corpus": fitted on the run's documents
    min_noun_share: float = 0.005  # a common noun or phrase must be in this share of documents (30 of 6,000)
    new_term_min_mentions: int = 3  # ... or be mentioned this often in the document (terms newer than the frequencies)
    generic_min_share: float = 0.05  # a common noun in this share of documents ...
    generic_min_sections: float = 7.0  # ... spread over this many of their sections (of 10) is too generic
    name_min_mentions: int = 2  # a name unknown to the frequencies must be mentioned this often
    max_names: int = 4  # at most this many names (entities, proper nouns, abbreviations) in the top k
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


def is_candidate(word: str) -> bool:
    """Punctuation, numbers, one-letter tokens and stopwords are never keywords; an abbreviation
    in capitals is not the stopword it spells (`AI`, artificial intelligence, is not `ai`, "who")."""
    return (len(word) >= 2 and any(c.isalpha() for c in word) and not _NUMBER_LIKE.match(word)
            and (word.lower() not in stopwords() or _ABBREVIATION.fullmatch(word) is not None))


def document_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[str]:
    """The candidate terms of one document, one per occurrence (see `scan_terms`)."""
    return scan_terms(tokens, entities).terms


class ScannedTerms(NamedTuple):
    terms: list[str]  # one per occurrence
    truncated: Counter  # phrase -> its mentions that are the front of a longer chain of nouns
    adjectival: set[str]  # the phrases of a noun and an adjective (`trí_tuệ nhân_tạo`)


def scan_terms(tokens: list[dict[str, Any]], entities: list[dict[str, Any]]) -> ScannedTerms:
    """The candidate terms of one document, one per occurrence: the canonical name of each entity
    mention (so `Altman` counts for `Sam_Altman`), the nouns outside entities, and noun phrases of
    a common noun and the noun or adjective right after it (`trí_tuệ nhân_tạo`, `giá vàng`).
    Syllables of a term are joined by `_`; common nouns are lower-cased, and so is a capitalized
    proper noun outside entities that the document also uses as a common noun (`Cua` at the start
    of a sentence, `cua` elsewhere: one term). Also: how many mentions of each phrase are the front
    of a longer chain of nouns (`cộng_đồng mã` of `cộng_đồng mã nguồn`), cut where it should not be."""
    credits = credit_lines(tokens)  # their words and names are left out
    outside = _merged_spans(credits)
    terms = [term for term in ("_".join(entity["canonical"].split()) for entity in entities
                               if not _inside(entity["start"], outside)) if is_candidate(term)]
    inside = _merged_spans(sorted([(entity["start"], entity["end"]) for entity in entities] + credits))
    previous: dict[str, Any] | None = None  # the last common noun, while a phrase may continue it
    proper: list[int] = []  # positions in `terms` of proper nouns outside entities
    truncated: Counter = Counter()
    adjectival: set[str] = set()
    for token in tokens:
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
            if token["pos"] == "A":
                adjectival.add(phrase)
        else:
            phrase = None
        if token["pos"] in KEYWORD_POS:
            if token["pos"] in CASED_POS:
                proper.append(len(terms))
            terms.append(word if token["pos"] in CASED_POS else word.lower())
        previous = {"word": word.lower(), "end": token["end"], "sentence": token["sentence"], "phrase": phrase,
                    "collective": ""} if token["pos"] == "N" else None
    if proper:
        common = set(terms) - {terms[i] for i in proper}
        for i in proper:
            if terms[i].lower() in common:
                terms[i] = terms[i].lower()
    return ScannedTerms(terms, truncated, adjectival)


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
    how much or when, not what the document is about."""
    mentions: Counter = Counter()
    counted: Counter = Counter()
    for i, token in enumerate(tokens):
        if token["pos"] not in KEYWORD_POS:
            continue
        word = "_".join(token["text"].split())
        word = word if token["pos"] in CASED_POS else word.lower()
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

    def idf(self, term: str) -> float:
        # scikit-learn's smooth idf; a term the model has never seen has document frequency 0.
        return math.log((1 + self.documents) / (1 + self.counts.get(term, 0))) + 1

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


@functools.cache
def background_model(path: Path = BACKGROUND) -> DocumentFrequencies:
    """The shipped background document frequencies, read once per process."""
    return DocumentFrequencies.read(require(path))


def is_name(term: str) -> bool:
    # Common nouns and phrases are lower-cased by document_terms; names and abbreviations keep capitals.
    return term != term.lower()


def backed_off_idf(term: str, frequencies: DocumentFrequencies, mentions: Counter) -> float:
    """The term's idf; for a phrase the frequencies never saw (`trí_tuệ_nhân_tạo` in 2007 news), the
    idf of its longest part they know (`trí_tuệ`), not the highest idf of all: a phrase is no rarer
    a subject than its head."""
    if term in frequencies.counts or is_name(term):
        return frequencies.idf(term)
    known = [head for head in _heads(term, mentions) if head in frequencies.counts]
    return frequencies.idf(known[-1] if known else term)


def score_terms(terms: list[str], frequencies: DocumentFrequencies) -> list[tuple[str, float]]:
    """TF-IDF of each distinct term (count times idf, l2-normalized over all of them), best first."""
    counts = Counter(terms)
    weights = {term: count * backed_off_idf(term, frequencies, counts) for term, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return sorted(((term, w / norm) for term, w in weights.items()), key=lambda item: (-item[1], item[0]))


KNOWN_NAME_DOCUMENTS = 3  # a name in this many documents of the frequencies is known (the model keeps no rarer term)


def select(terms: list[str], frequencies: DocumentFrequencies, settings: Settings, counted: Iterable[str] = (),
           truncated: Counter | None = None, adjectival: Iterable[str] = ()) -> list[tuple[str, float]]:
    """The keywords of one document: its best-scored terms that may be keywords (see the module's
    docstring), at most `top_k`, scoring at least `min_score`, with at most `max_names` names.
    `counted` are the document's units and periods (see `counted_nouns`): never keywords;
    `truncated` and `adjectival` say which phrases were cut from a longer one and which end in an
    adjective (see `scan_terms`)."""
    mentions = Counter(terms)
    truncated = truncated or Counter()
    min_noun_documents = settings.min_noun_share * frequencies.documents
    generic_documents = settings.generic_min_share * frequencies.documents
    counted = set(counted)
    eligible: list[tuple[str, float]] = []
    for term, score in score_terms(terms, frequencies):
        if score < settings.min_score:
            break
        documents = frequencies.counts.get(term, 0)
        if term in counted:
            continue
        if is_name(term):
            if documents < KNOWN_NAME_DOCUMENTS and mentions[term] < settings.name_min_mentions:
                continue
        elif documents < min_noun_documents and (truncated[term] == mentions[term]
                                                 or not is_new_term(term, mentions, frequencies, settings)):
            continue
        elif documents >= generic_documents and frequencies.sections.get(term, 0) >= settings.generic_min_sections:
            continue
        eligible.append((term, score))
    longer = [term for term, _ in eligible if "_" in term]
    # A noun and adjective the frequencies never saw stand for the noun even when the phrase is no
    # keyword itself: `trí_tuệ` ("intellect") mentioned only in `trí_tuệ_nhân_tạo` would misname the subject.
    new_phrases = [term for term in adjectival if term not in frequencies.counts]
    chosen: list[tuple[str, float]] = []
    names = 0
    for term, score in eligible:
        if len(chosen) == settings.top_k:
            break
        if part_of_longer(term, longer, mentions) or part_of_longer(term, new_phrases, mentions, heads_only=True):
            continue
        if is_name(term):
            if names == settings.max_names:
                continue
            names += 1
        chosen.append((term, score))
    return chosen


def is_new_term(term: str, mentions: Counter, frequencies: DocumentFrequencies, settings: Settings) -> bool:
    """Whether a common noun or phrase rarer than the floor is rather vocabulary newer than the
    frequencies, as the document repeats it: a word they never saw (`livestream`), or a phrase whose
    head is established vocabulary (`trí_tuệ nhân_tạo`)."""
    floor = settings.min_noun_share * frequencies.documents
    return mentions[term] >= settings.new_term_min_mentions and (term not in frequencies.counts or any(
        frequencies.counts.get(head, 0) >= floor for head in _heads(term, mentions)))


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
    version = "4"  # 4: new terms, units and periods, credit lines, parts of longer terms
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
        return self.settings.document_frequencies == "corpus"

    def model_checksum(self) -> str:
        parts = [f"background-{file_digest(require(BACKGROUND))}"] if not self.corpus_level else []
        if self.settings.tag_rules:
            parts.append(f"rules-{rules_digest(self.settings.tag_rules)}")
        return "+".join(parts)

    def fit(self, documents) -> None:
        self.frequencies = DocumentFrequencies.fit(document_terms(d["tokens"], d["entities"]) for d in documents)

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        frequencies = self.frequencies if self.corpus_level else background_model()
        if frequencies is None:
            raise RuntimeError("keywords: fit() must see the corpus before process()")
        scanned = scan_terms(document["tokens"], document["entities"])
        keywords = [{"term": term, "score": score} for term, score in select(
            scanned.terms, frequencies, self.settings, counted_nouns(document["tokens"]), scanned.truncated,
            scanned.adjectival)]
        tags = match_tags(self.rules, [k["term"] for k in keywords], document["entities"], document["text"])
        return {"keywords": keywords, "tags": tags}
