"""Which of a document's candidate terms are its keywords: those that may be keywords at all
(established vocabulary, new terms, names, topics; no units, fillers or generic nouns), ranked by
the learned ranker, one entry per concept, at most `max_names` names besides the central ones."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from .features import Candidate, candidates, features, fold_case
from .frequencies import DocumentFrequencies
from .phrases import has_stray_letter
from .ranker import Ranker, shipped_ranker
from .settings import Settings
from .terms import ScannedTerms
from .words import CLASSIFIERS, REPEATED_PHRASE_MENTIONS, is_name, person_group

KNOWN_NAME_DOCUMENTS = 3  # a name in this many documents of the frequencies is known (the model keeps no rarer term)
MAX_CANDIDATES = 30  # the best by TF-IDF that may be keywords are ranked (the old selection rarely went deeper)
VERB_KINDS = frozenset({"action", "topic"})  # a verb and its object (`bán_hủ_tiếu`), a learned verb term (`gặp_sự_cố`)


def backed_off_idf(term: str, frequencies: DocumentFrequencies, mentions: Counter) -> float:
    """The term's idf; for a phrase the frequencies never saw (`trí_tuệ_nhân_tạo` in 2007 news), the
    idf of its longest part they know (`trí_tuệ`), not the highest idf of all: a phrase is no rarer
    a subject than its head."""
    if frequencies.count(term) or is_name(term):
        return frequencies.idf(term)
    known = [head for head in _heads(term, mentions) if frequencies.count(head)]
    return frequencies.idf(known[-1] if known else term)


def score_terms(terms: list[str], frequencies: DocumentFrequencies) -> list[tuple[str, float]]:
    """TF-IDF of each distinct term (count times idf, l2-normalized over all of them), best first:
    one of the ranker's features, and the order in which candidates are considered."""
    return _tfidf(Counter(terms), frequencies)[0]


def _tfidf(counts: Counter, frequencies: DocumentFrequencies) -> tuple[list[tuple[str, float]], dict[str, float]]:
    idf = {term: backed_off_idf(term, frequencies, counts) for term in counts}
    weights = {term: count * idf[term] for term, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return sorted(((term, w / norm) for term, w in weights.items()), key=lambda item: (-item[1], item[0])), idf


def ranked_candidates(scanned: ScannedTerms, frequencies: DocumentFrequencies, settings: Settings,
                      counted: Iterable[str] = ()) -> tuple[dict[str, Candidate], dict[str, list[float]], Counter]:
    """The candidates of a scan the ranker scores, with their features, and the mentions of every
    term (a name's counting its aliases'): the `MAX_CANDIDATES` best by TF-IDF that may be keywords
    (see `may_be_keyword`), less those every mention of which is inside a longer one. What
    `vnpipe train keyword-ranker` learns from is the same."""
    scanned = fold_case(scanned)
    counts = Counter(scanned.terms)
    mentions = with_aliases(counts)
    ordered, idf = _tfidf(counts, frequencies)
    counted = set(counted)
    eligible: list[str] = []
    for term, _ in ordered:
        if len(eligible) == MAX_CANDIDATES:
            break
        if term not in counted and may_be_keyword(term, scanned, frequencies, settings, mentions):
            eligible.append(term)
    # A noun and adjective rare in the frequencies stand for the noun even when the phrase is no
    # keyword itself: `trí_tuệ` ("intellect") mentioned only in `trí_tuệ_nhân_tạo` would misname the subject.
    new_phrases = [term for term in scanned.adjectival if frequencies.share(term) < settings.min_noun_share]
    held = _held_by_longer([term for term in eligible if "_" in term], new_phrases, mentions)
    eligible = [term for term in eligible if is_name(term) or held.get(term, 0) < mentions[term]]
    found = candidates(scanned, eligible)
    tfidf = dict(ordered)
    most = max((found[term].mentions for term in eligible), default=1)
    vectors = {term: features(found[term], tfidf[term], idf[term], i / MAX_CANDIDATES, most, frequencies)
               for i, term in enumerate(eligible)}
    return found, vectors, mentions


def select(scanned: ScannedTerms, frequencies: DocumentFrequencies, settings: Settings, counted: Iterable[str] = (),
           ranker: Ranker | None = None) -> list[tuple[str, float]]:
    """The keywords of one document: the candidates that may be keywords, best scored by the ranker
    (the shipped one by default), at most `top_k`, scoring at least `min_score`, one per concept
    (see `nested_duplicates` and `synonyms`), with at most `max_names` names besides the central
    ones. `counted` are the document's units and periods (see `counted_nouns`): never keywords."""
    ranker = ranker if ranker is not None else shipped_ranker()
    found, vectors, mentions = ranked_candidates(scanned, frequencies, settings, counted)
    scores = {term: ranker.score(vector) for term, vector in vectors.items()}
    ordered = sorted(scores, key=lambda t: (-scores[t], t))
    dropped = nested_duplicates(ordered, mentions, found)
    chosen: list[tuple[str, float]] = []
    names = 0
    for term in ordered:
        if len(chosen) == settings.top_k or scores[term] < settings.min_score:
            break
        if term in dropped or any(synonyms(term, kept) for kept, _ in chosen):
            continue
        if is_name(term):
            # Names beyond `max_names` are cut, the central ones never: many mentions, or in the title or lead.
            central = mentions[term] >= settings.central_name_mentions or (
                found[term].leading and mentions[term] >= settings.name_min_mentions)
            if names >= settings.max_names and not central:
                continue
            names += 1
        chosen.append((term, round(scores[term], 6)))
    return chosen


def may_be_keyword(term: str, scanned: ScannedTerms, frequencies: DocumentFrequencies, settings: Settings,
                   mentions: Counter) -> bool:
    """Whether a candidate may be a keyword at all: a topic the document makes of a verb or adjective;
    a name known to the frequencies or mentioned twice; a common noun or phrase that is established
    vocabulary (`min_noun_share`) or newer than the frequencies and repeated (`is_new_term`), not
    cut from a longer chain of nouns every time, nor too generic (`công_ty`: common and alike in
    every section), nor a unit or a label with a stray letter (`độ_c`)."""
    if term in scanned.topical:
        return True
    if is_name(term):
        return frequencies.count(term) >= KNOWN_NAME_DOCUMENTS or mentions[term] >= settings.name_min_mentions
    if has_stray_letter(term.replace("_", " ")):
        return False
    if frequencies.share(term) < settings.min_noun_share and (scanned.truncated[term] == mentions[term]
                                                              or not is_new_term(term, mentions, frequencies, settings)):
        return False
    return not (frequencies.section_share(term) >= settings.generic_min_share
                and frequencies.spread(term) >= settings.generic_min_sections)


def nested_duplicates(ordered: list[str], mentions: Counter, found: dict[str, Candidate]) -> set[str]:
    """The terms that are another entry of a concept whose other term stays, decided once for each
    term inside a longer one (`ordered`: best first), by how often the document mentions each:
    * a phrase and its head (`game_trực_tuyến`, `game`; `mạng_nơ-ron`, `mạng`): the phrase when
      it is mentioned at least as often as the head outside its phrases (`mạng` of `mạng_nơ-ron`
      and `mạng_xã_hội`), or at least 3 times and half as often as the head (whose mentions count
      those of its phrases); else the head;
    * a word and a phrase that holds two thirds of its mentions (`gỗ`, `xưởng_gỗ`): the phrase; a
      word often mentioned alone is another concept (`dữ_liệu` of `trung_tâm_dữ_liệu` in a story about data);
    * a verb with its object and the object (`bán_hủ_tiếu`, `hủ_tiếu`; `gặp_sự_cố`, `sự_cố`): the object;
    * a name and a longer one holding it (`Đại_sứ_quán`, `Đại_sứ_quán_Việt_Nam`): the one mentioned
      most; on a tie the longer, or the core name of an alias (`Amkor`, `Tập_đoàn_Amkor`);
    * and of three left nested in one another, the middle one."""
    by_key = {term.lower(): term for term in ordered}
    rank = {term: i for i, term in enumerate(ordered)}
    pairs = []
    for long in ordered:
        syllables = long.lower().split("_")
        for i in range(len(syllables)):
            for j in range(i + 1, len(syllables) + 1):
                short = by_key.get("_".join(syllables[i:j])) if j - i < len(syllables) else None
                if short is not None:
                    pairs.append((rank[short], rank[long], short, long, i == 0, j == len(syllables)))
    alone: dict[str, int] = {}  # a head's mentions outside the phrases it heads
    for _, _, short, long, head, _ in pairs:
        alone[short] = alone.get(short, mentions[short]) - (mentions[long] if head else 0)
    dropped: set[str] = set()
    for _, _, short, long, head, end in sorted(pairs):
        if short in dropped or long in dropped:
            continue
        if _proper(long) and not is_name(short):
            continue  # a bank is not the State Bank (`ngân_hàng`, `Ngân_hàng_Nhà_nước`)
        if is_name(short) and _proper(long):
            keep_long = mentions[long] > mentions[short] or (
                mentions[long] == mentions[short] and _alias_core(long) != short.lower())
        elif head:
            keep_long = mentions[long] >= alone[short] or (
                mentions[long] >= 3 and 2 * mentions[long] >= mentions[short])
        elif end and found[long].kind in VERB_KINDS:
            keep_long = False
        elif 3 * mentions[long] > 2 * mentions[short]:
            keep_long = True
        else:
            continue
        dropped.add(short if keep_long else long)
    # Of three entries nested in one another (`hạt_nhân`, `điện_hạt_nhân`, `nhà_máy_điện_hạt_nhân`) the middle goes.
    inside = {(short, long) for _, _, short, long, _, _ in pairs if short not in dropped and long not in dropped}
    holders = {long for _, long in inside}
    dropped.update(short for short, _ in sorted(inside) if short in holders and any(
        (inner, short) in inside for inner in ordered))
    return dropped


def _proper(term: str) -> bool:
    """A name (`Ngân_hàng_Nhà_nước`), not a common phrase holding one (`mã_QR`)."""
    return term[:1].isupper()


def synonyms(term: str, other: str) -> bool:
    """Whether two terms are near-synonyms, one keyword at most: two generic words for one person
    (`cô_gái`, `con_gái`, `cô_bé`, `đứa_trẻ`; not `người_đàn_ông` and `người_phụ_nữ`), or one noun
    after two classifiers (`bức_ảnh`, `tấm_ảnh`)."""
    if is_name(term) or is_name(other):
        return False
    groups = {person_group(term), person_group(other)}
    if None not in groups and (len(groups) == 1 or groups in ({"child", "girl"}, {"child", "boy"})):
        return True
    first, second = term.split("_"), other.split("_")
    return (len(first) == len(second) == 2 and first[1] == second[1] and first[0] in CLASSIFIERS
            and second[0] in CLASSIFIERS)


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


def _held_by_longer(longer: list[str], new_phrases: list[str], mentions: Counter) -> dict[str, int]:
    """Per term, the most mentions of one longer term that holds it: any of `longer` wherever it
    holds it, any of `new_phrases` at its start. A term no more mentioned than that is always inside
    it (`trí_tuệ` of `trí_tuệ_nhân_tạo`, every time): that term, not a keyword of its own."""
    held: dict[str, int] = {}
    for phrases, heads_only in ((longer, False), (new_phrases, True)):
        for phrase in phrases:
            syllables = phrase.split("_")
            for i in range(1 if heads_only else len(syllables)):
                for j in range(i + 1, len(syllables) + 1 - (i == 0)):
                    part = "_".join(syllables[i:j])
                    held[part] = max(held.get(part, 0), mentions[phrase])
    return held
