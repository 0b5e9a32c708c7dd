"""Which of a document's candidate terms are its keywords: scored by TF-IDF, filtered (established
vocabulary, new terms, names, topics), one entry per concept, at most `max_names` names."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from .frequencies import DocumentFrequencies
from .settings import Settings
from .words import REPEATED_PHRASE_MENTIONS, is_name

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
              and frequencies.spread(term) >= settings.generic_min_sections):
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
