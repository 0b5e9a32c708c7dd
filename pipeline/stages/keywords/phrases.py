"""Whole phrases: the words the segmenter split joined back into the term they make (a learned term,
or a unit the document itself uses), and the phrases the document repeats. A verb with a fragment of
its subject or object is no phrase (`thanh niên ném` of `thanh niên ném gạch`, `vỡ kính` of `vỡ
kính xe buýt`), unless the corpora know it as a term."""
from __future__ import annotations

import bisect
import functools
from collections import Counter
from typing import Any

from .learned import LearnedTerms, term_key
from .words import (AGENT_HEADS, CASED_POS, CLASSIFIERS, FUNCTION_POS, HEAD_NOUN_POS, MAX_TERM_SYLLABLES,
                    MEASURE_WORDS, PHRASE_END_WORDS, PHRASE_HEAD_POS, PHRASE_WORD_POS, PRONOUNS,
                    REPEATED_PHRASE_MENTIONS, UNIT_MIN_MENTIONS, _NUMBER_LIKE, _is_number, _written, is_candidate)

NOUNS = frozenset({"N", "Nb"})
UNIT_MODIFIER_POS = frozenset({"N", "Nb", "A", "V", "P"})  # `xe tự lái`: a pronoun inside, never last
WHOLE_WORD_POS = frozenset({"Nb", "Ny", "NNP"})  # a word of one syllable that counts on its own inside a joined one


# -- learned terms ------------------------------------------------------------------------------------

def join_learned_terms(tokens: list[dict[str, Any]], hidden: frozenset[int], terms: LearnedTerms) -> list[dict[str, Any]]:
    """The tokens with each run of adjacent words of one sentence that makes a learned term of 2 to
    4 syllables joined into one word (the longest run from the left): `tiền` + `ảo` -> `tiền ảo`,
    `cô` + `gái` -> `cô gái`, where the segmenter split them. A joined word headed by a noun is a
    noun (`N`); one headed by a verb or other word keeps that tag and may be a keyword only as a
    topic (see `select`). Words in entities or credit lines (`hidden`: the starts of their tokens),
    numbers and punctuation are never joined; stopwords may be (`cô` of `cô gái`). A classifier and a
    noun the document also uses alone, twice or more, are left apart (`con hổ`: the story is about `hổ`)."""
    return joined_learned_terms(tokens, hidden, terms)[0]


def joined_learned_terms(tokens: list[dict[str, Any]], hidden: frozenset[int],
                         terms: LearnedTerms) -> tuple[list[dict[str, Any]], list[str], list[bool]]:
    """`join_learned_terms`, with the key of each resulting token and whether it may be joined further."""
    keys = [_word_key(token["text"], token["pos"]) if token["start"] not in hidden else "" for token in tokens]
    joinable = [key != "" for key in keys]
    joined: list[dict[str, Any]] = []
    joined_keys: list[str] = []
    joined_joinable: list[bool] = []
    i = 0
    while i < len(tokens):
        best, key = 1, keys[i]
        if joinable[i] and keys[i] in terms.prefixes:
            syllables = keys[i].count(" ") + 1
            for j in range(i + 1, len(tokens)):
                token, before = tokens[j], tokens[j - 1]
                syllables += keys[j].count(" ") + 1
                if (syllables > MAX_TERM_SYLLABLES or token["sentence"] != before["sentence"]
                        or token["start"] != before["end"] + 1 or not joinable[j]):
                    break
                key = f"{key} {keys[j]}"
                if key in terms and _makes_term(tokens[i:j + 1], key) and not (
                        keys[i] in CLASSIFIERS and keys.count(key.split(" ", 1)[1]) >= 2):
                    best = j + 1 - i  # (`con hổ` is `hổ` where the document also writes `hổ` alone, twice)
                if key not in terms.prefixes:  # no longer learned term begins with these words
                    break
        joined.append(tokens[i] if best == 1 else _joined(tokens[i:i + best]))
        joined_keys.append(keys[i] if best == 1 else " ".join(keys[i:i + best]))
        joined_joinable.append(joinable[i])
        i += best
    return joined, joined_keys, joined_joinable


def _joined(run: list[dict[str, Any]]) -> dict[str, Any]:
    """One word of a run of tokens: a noun when headed by one (or a pronoun and a noun: `cô gái`)."""
    noun = run[0]["pos"] in HEAD_NOUN_POS or (run[0]["pos"] == "P" and run[-1]["pos"] == "N")
    return {**run[0], "text": " ".join(t["text"] for t in run), "end": run[-1]["end"],
            "pos": "N" if noun else run[0]["pos"],
            "parts": [t for t in run if " " in t["text"].strip() or t["pos"] in WHOLE_WORD_POS],
            "last_pos": run[-1]["pos"]}


def _makes_term(run: list[dict[str, Any]], key: str) -> bool:
    """Whether a learned collocation is a term here: not one that holds a function word
    (`người dùng có thể`, "users can"; `so với năm ngoái`), nor a subject and what it does (`giá
    vàng tăng`; a head the corpora know with the verb right after it is a compound: `đường dây lừa
    đảo`), nor a pronoun and what it does (`ông nói`, "he said"; `bạn cần`, "you need": a pronoun
    first needs a noun last, `cô gái`), nor a measure word and what follows it (`lần so` of `gấp 9
    lần so với`, `độ C`)."""
    first = "_".join(run[0]["text"].split()).lower()
    if "_" in first and not is_candidate(first):
        return False  # a vague word of two syllables heads no term (`vụ việc xảy`); `người dùng`, `cô gái` are terms
    return (not any(token["pos"] in FUNCTION_POS for token in run[1:]) and (first not in PRONOUNS or run[-1]["pos"] == "N")
            and first not in MEASURE_WORDS and not has_stray_letter(key) and not _is_clause(run, head_syllables=1))


def _is_clause(run: list[dict[str, Any]], head_syllables: int | None = None) -> bool:
    """Whether a noun-headed run is a subject and what it does (`thanh niên ném`, `giá vàng tăng`):
    it holds a verb, and its head has two syllables or more, or words other than a pronoun stand
    between the head and the verb. A compound has a head of one syllable and its verb right after
    it (`người bán`, `trạm sạc`, `nhà phát hành`), or after `tự`, "self" (`xe tự lái`)."""
    if run[0]["pos"] not in HEAD_NOUN_POS:
        return False
    verbs = [i for i, token in enumerate(run) if token["pos"] == "V"]
    if not verbs:
        return False
    head = head_syllables if head_syllables is not None else len(run[0]["text"].split())
    return head > 1 or any(token["pos"] != "P" for token in run[1:verbs[0]])


def has_stray_letter(key: str) -> bool:
    """Whether a phrase has a syllable that is a lone consonant (`độ c`, `hạng b`): a unit or a
    label, no term (`ô tô`, `y tế`, `ý tưởng` are words)."""
    return any(syllable in _LONE_CONSONANTS for syllable in key.lower().split(" ")[1:])


_LONE_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


@functools.lru_cache(maxsize=200_000)
def _word_key(text: str, pos: str) -> str:
    """The key of a word that may be joined into a term (`Tiền` -> `tiền`), "" for a number or punctuation."""
    return term_key(text) if _spells_word(text, pos) else ""


def _is_word(token: dict[str, Any]) -> bool:
    """Whether a token may be part of a joined term: no number (`2007`, `III`) or punctuation."""
    return _spells_word(token["text"], token["pos"])


@functools.lru_cache(maxsize=200_000)
def _spells_word(text: str, pos: str) -> bool:
    return (any(c.isalpha() for c in text) and not _NUMBER_LIKE.match(text)
            and not _is_number({"text": text, "pos": pos}))


# -- units of the document ----------------------------------------------------------------------------

def join_document_units(tokens: list[dict[str, Any]], hidden: frozenset[int], keys: list[str] | None = None,
                        joinable: list[bool] | None = None) -> list[dict[str, Any]]:
    """The tokens with the compounds the document uses as one unit joined, where the segmenter split
    them and no corpus knew them: a noun and the verbs or words after it (`xe` + `tự` + `lái`,
    `tiền` + `ảo`) that the document writes at least twice, at least once as words of their own,
    whose modifier it uses mostly in this compound (`ảo`: only in `tiền ảo`), and that a common noun
    does not continue (`thanh niên ném` + `gạch` is a clause). A classifier glued to the compound's
    head is cut off (`đồng tiền` + `ảo` -> `đồng`, `tiền ảo`). A noun and a noun, borrowed noun or
    adjective is left to the noun phrases of `scan_terms` (`mạng nơ-ron`, `mạng xã hội`). `keys` and
    `joinable`, when given, are those `joined_learned_terms` returns."""
    if joinable is None or keys is None:
        joinable = [token["start"] not in hidden and _is_word(token) for token in tokens]
        keys = [term_key(token["text"]) if ok else "" for token, ok in zip(tokens, joinable)]
    found = _unit_mentions(tokens, joinable, keys)
    if not found:
        return tokens
    counts = Counter(keys)
    units = {key for key, mentions in found.items() if _is_unit(tokens, keys, counts, mentions)}
    by_start: dict[int, tuple[int, int]] = {}  # token -> (its syllables to cut off, the unit's last token)
    for key in units:
        for i, cut, j, _ in found[key]:
            if j > by_start.get(i, (0, -1))[1]:
                by_start[i] = (cut, j)
    joined: list[dict[str, Any]] = []
    i = 0
    while i < len(tokens):
        if i not in by_start:
            joined.append(tokens[i])
            i += 1
            continue
        cut, j = by_start[i]
        run = tokens[i:j + 1]
        if cut:  # `đồng tiền` + `ảo`: the classifier `đồng` stays a word of its own
            head, rest = _split_token(tokens[i])
            joined.append(head)
            run = [rest] + run[1:]
        joined.append({**_joined(run), "pos": "N", "unit": True})
        i = j + 1
    return joined


def _unit_mentions(tokens: list[dict[str, Any]], joinable: list[bool],
                   keys: list[str]) -> dict[str, list[tuple[int, int, int, bool]]]:
    """Every run that may be a unit: key -> its mentions (first token, syllables cut off it, last
    token, whether the segmenter split it so that no noun phrase holds it)."""
    found: dict[str, list[tuple[int, int, int, bool]]] = {}
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if (not joinable[i] or token["pos"] not in NOUNS or i == last or not joinable[i + 1]
                or tokens[i + 1]["pos"] not in UNIT_MODIFIER_POS):
            continue
        syllables = keys[i].split(" ")
        cuts = [0] + ([1] if len(syllables) == 2 and syllables[0] in CLASSIFIERS else [])
        for cut in cuts:
            key, length = " ".join(syllables[cut:]), len(syllables) - cut
            if cut == 0 and (syllables[0] in MEASURE_WORDS or not is_candidate(keys[i].replace(" ", "_"))):
                continue
            for j in range(i + 1, len(tokens)):
                following = tokens[j]
                length += keys[j].count(" ") + 1
                if (length > MAX_TERM_SYLLABLES or not joinable[j] or following["pos"] not in UNIT_MODIFIER_POS
                        or following["sentence"] != token["sentence"] or following["start"] != tokens[j - 1]["end"] + 1):
                    break
                key = f"{key} {keys[j]}"
                # A unit ends in its verb (`xe tự lái`, `tiền ảo`) unless the segmenter glued its head to a
                # classifier (`đồng tiền ảo`): a mention that needs joining; an adjective after the verb is
                # a noun phrase's (`tiền mã hoá giả`).
                if following["pos"] != "P" and is_candidate(keys[j].replace(" ", "_")) and not has_stray_letter(key):
                    found.setdefault(key, []).append((i, cut, j, bool(cut) or following["pos"] == "V"))
    return found


def _is_unit(tokens: list[dict[str, Any]], keys: list[str], counts: Counter,
             mentions: list[tuple[int, int, int, bool]]) -> bool:
    if (len(mentions) < UNIT_MIN_MENTIONS or all(cut for _, cut, _, _ in mentions)
            or not any(needed for *_, needed in mentions)):
        return False  # twice, once at least written apart (`tiền ảo` as well as `đồng tiền ảo`)
    i, cut, j, _ = mentions[0]
    one_verb_last = j == i + 1 and tokens[j]["pos"] == "V" and " " not in tokens[j]["text"].strip()
    if not one_verb_last and _is_clause(tokens[i:j + 1], len(keys[i].split(" ")) - cut):
        return False  # `thanh niên ném gạch`: a subject and what it does (`trợ lý ảo`: no object follows)
    rarest = min(counts[keys[k]] for k in range(i + 1, j + 1))
    if 2 * len(mentions) < rarest:
        return False  # the modifier is mostly a word of its own here (`xe buýt` of `kính xe buýt`)
    return 2 * sum(_continued(tokens, j) for _, _, j, _ in mentions) <= len(mentions)


def _continued(tokens: list[dict[str, Any]], j: int) -> bool:
    """Whether a common noun follows token `j` in its sentence: the phrase is cut from a longer one
    (`vỡ kính` of `vỡ kính xe buýt`)."""
    return (j + 1 < len(tokens) and tokens[j + 1]["pos"] in NOUNS and tokens[j + 1]["sentence"] == tokens[j]["sentence"]
            and tokens[j + 1]["start"] == tokens[j]["end"] + 1)


def _split_token(token: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`đồng tiền` -> the classifier `đồng` and `tiền`, with their offsets."""
    first, rest = token["text"].split(" ", 1)
    head = {**token, "text": first, "end": token["start"] + len(first), "pos": "Nc"}
    return head, {**token, "text": rest, "start": token["start"] + len(first) + 1}


# -- phrases the document repeats ----------------------------------------------------------------------

def repeated_phrases(tokens: list[dict[str, Any]], hidden: frozenset[int],
                     terms: LearnedTerms | None = None) -> list[tuple[str, int, str]]:
    """The phrases the document itself makes terms by repeating them: a noun and the content words
    right after it (`trạm sạc`, `nhà phát hành`, `cáp quang biển`, `mã QR`, `kinh tế số`), 2 to 4
    syllables in one sentence, outside entities and credit lines, used `REPEATED_PHRASE_MENTIONS`
    times or more (its first word a noun at least once: the tagger may call `tổn thất` a verb
    elsewhere) and not always cut short by the length limit (`tuyến cáp quang biển` of `tuyến cáp
    quang biển mới`, `gặp`, `APG`: `cáp quang biển` is the term); one (phrase, start offset) per
    mention, with its kind: `action` for a verb and its object, `repeated` for the others. A
    fragment of a clause is none, unless a learned term (`terms`): a subject of two
    syllables or more and its verb (`trang trại nuôi` of `trang trại nuôi bò`; `trạm sạc`,
    `người bán` have a head of one), or a verb and an object a common noun continues in most
    mentions (`đẩy xe` of `đẩy xe hàng`). Today's terms the corpora never had (`trạm sạc` is no collocation of 2007
    news) are found this way; the merge rules then keep a phrase or its head."""
    starts: dict[str, list[int]] = {}
    whole: set[str] = set()  # phrases with a mention that the length limit did not cut
    headed: set[str] = set()  # phrases with a mention whose first word may head one (the tagger varies)
    noun_headed: set[str] = set()  # ... a noun or adjective (others are actions: a verb and its object)
    clauses: set[str] = set()  # a subject of two syllables or more and its verb
    continued: Counter = Counter()  # mentions a common noun continues
    for run in _content_runs(tokens, hidden):
        if len(run) < 2:
            continue
        words = ["_".join(token["text"].split()) for token in run]
        written = [_written(token) for token in run]
        lengths = [word.count("_") + 1 for word in words]
        ends = [is_candidate(word) or token["pos"] in CASED_POS or word.lower() in PHRASE_END_WORDS
                for word, token in zip(words, run)]  # a phrase does not end in a stopword
        for i, head in enumerate(run):
            head_word = words[i].lower()
            if not (is_candidate(words[i]) or head_word in AGENT_HEADS) or head_word in MEASURE_WORDS:
                continue
            syllables = lengths[i]
            for j in range(i + 1, len(run)):
                syllables += lengths[j]
                if syllables > MAX_TERM_SYLLABLES:
                    break
                if not ends[j]:
                    continue
                phrase = "_".join(written[i:j + 1])
                if phrase not in starts:
                    starts[phrase] = []
                    if _is_clause(run[i:j + 1]):
                        clauses.add(phrase)
                starts[phrase].append(head["start"])
                if _heads_phrase(head) and (head["pos"] != "V" or (
                        j == i + 1 and syllables <= 3 and run[j]["pos"] in PHRASE_HEAD_POS)):
                    headed.add(phrase)  # a verb heads only a short phrase with its object: `gọi vốn`
                    if head["pos"] != "V":
                        noun_headed.add(phrase)
                continued[phrase] += head["pos"] == "V" and j + 1 < len(run) and run[j + 1]["pos"] in NOUNS
                if j + 1 == len(run) or syllables + lengths[j + 1] <= MAX_TERM_SYLLABLES:
                    whole.add(phrase)
    known = terms if terms is not None else ()
    return sorted(((phrase, start, "repeated" if phrase in noun_headed else "action")
                   for phrase, found in starts.items()
                   if len(found) >= REPEATED_PHRASE_MENTIONS and phrase in whole and phrase in headed
                   and (term_key(phrase) in known or (phrase not in clauses and 2 * continued[phrase] <= len(found)))
                   for start in found), key=lambda item: item[1])


def _content_runs(tokens: list[dict[str, Any]], hidden: frozenset[int]) -> list[list[dict[str, Any]]]:
    """The runs of adjacent content words (nouns, verbs, adjectives) of one sentence, outside `hidden`."""
    runs: list[list[dict[str, Any]]] = []
    previous = None
    for token in tokens:
        if token["pos"] not in PHRASE_WORD_POS or token["start"] in hidden or not _is_word(token):
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


# -- spans --------------------------------------------------------------------------------------------

def merged_spans(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
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


def inside_spans(position: int, spans: tuple[list[int], list[int]]) -> bool:
    """Whether `position` is in one of the merged `spans`: a binary search, so a long document
    costs tokens x log(entities), not tokens x entities."""
    k = bisect.bisect_right(spans[0], position) - 1
    return k >= 0 and position < spans[1][k]
