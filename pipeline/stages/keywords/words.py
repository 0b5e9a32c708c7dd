"""Which words may be terms at all, and the facts about words the other parts share: POS tag sets,
stopwords, numbers, times, units, credit lines."""
from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from ...backends.model_files import model_dir, require
from ...text.vietnamese import internal_form

# POS tags (the segment stage's one tag set, backends/postags.py) of the words that can be keywords:
# common nouns, proper nouns, abbreviations, borrowed nouns. Classifiers (Nc, Ns), units (Nu) and
# function words never are; verbs, adjectives and unknown words only as topics (below).
KEYWORD_POS = frozenset({"N", "NNP", "Ny", "Nb"})
CASED_POS = frozenset({"NNP", "Ny"})  # proper nouns and abbreviations keep their case
PHRASE_HEAD_POS = frozenset({"N", "Nb"})  # a noun phrase: common or borrowed noun (`game`) ...
PHRASE_MODIFIER_POS = frozenset({"N", "Nb", "A"})  # ... + the noun or adjective after it (`mạng nơ-ron`)
HEAD_NOUN_POS = frozenset({"N", "Nc", "Ne", "Ns"})  # a learned term starting with one of these is a noun (`con gái`),
# and so is one of a pronoun and a noun (`cô gái`)
MAX_TERM_SYLLABLES = 4  # the longest learned terms
FUNCTION_POS = frozenset({"R", "C", "Cc", "E", "P", "T", "L", "M", "CH"})  # adverbs, conjunctions, prepositions, ...
PRONOUNS = frozenset("tôi chúng_tôi chúng_ta ta mình anh chị em ông bà họ nó hắn bạn các_bạn cô chú cháu".split())
PHRASE_WORD_POS = frozenset({"N", "Nb", "Ny", "A", "V"})  # the words of a phrase the document repeats (`trạm sạc`)
AGENT_HEADS = frozenset({"người"})  # a stopword that heads a term with the verb after it: `người bán`
REPEATED_PHRASE_MENTIONS = 3  # ... and how often it must repeat it
UNIT_MIN_MENTIONS = 2  # a compound the segmenter split is one unit when the document writes it this often (`tiền ảo`)
# A classifier the segmenter may glue to the head of a compound: `đồng tiền` + `ảo` is `đồng` + `tiền ảo`.
CLASSIFIERS = frozenset("đồng chiếc con cái quả tấm bức cuốn quyển ngôi căn trái sợi tờ".split())
# How many or how much (`gấp 9 lần`, `30 độ C`): never keywords, nor the head of a term (`lần so`, `độ c`).
MEASURE_WORDS = frozenset("lần lượt độ đợt phen bận nửa chục tá cặp lượng".split())
# Generic words for a person, by who they name: near-synonyms of one group (`cô_gái`, `con_gái`, `cô_bé`)
# make one keyword at most, and so do a child and a girl or boy (the reader's "five words for the girl"); a
# phrase of one is one too (`đứa_con_ngoan`). A man and a woman are two people.
PERSON_GROUPS = {word: group for group, words in {
    "girl": "cô_gái con_gái cô_bé bé_gái thiếu_nữ nữ_sinh cô_nàng",
    "boy": "chàng_trai con_trai cậu_bé bé_trai nam_sinh anh_chàng",
    "child": "đứa_trẻ đứa_bé đứa_con trẻ_em trẻ_nhỏ em_bé cháu_bé con_cái người_con",
    "woman": "phụ_nữ người_phụ_nữ đàn_bà người_đàn_bà bà_mẹ người_mẹ người_vợ",
    "man": "đàn_ông người_đàn_ông ông_bố người_cha người_chồng thanh_niên nam_thanh_niên người_thanh_niên",
}.items() for word in words.split()}
PHRASE_END_WORDS = frozenset({"số"})  # a stopword that ends a phrase as "digital": `kinh tế số`, `chuyển đổi số`
TOPIC_POS = frozenset({"V", "Vb", "A", "X"})  # verbs, adjectives and unknown words may be topics (`khởi_nghiệp`)
TOPIC_MIN_MENTIONS = 3  # ... and mentioned this often in the document (once less when one is in the title or lead)
TOPIC_MAX_SHARE = 0.03  # a learned verb or adjective in more of the corpora's documents is too common to be a topic
LEAD_SENTENCES = 2  # the title and the lead
BACKGROUND_DIR = model_dir("keywords")
BACKGROUND = BACKGROUND_DIR / "document_frequencies.tsv"
TERMS = BACKGROUND_DIR / "terms.tsv"  # learned multi-word terms and their counts in VNTC and viwiki
_NUMBER_LIKE = re.compile(r"^(?!\d+[A-Z]+$)[\W\d_]*\d")  # 2007, 1cc, 30%, -5: numbers and quantities; not 5G, 3D
_GENERATION = re.compile(r"\d+[A-Z]")  # `5G`, `4G`, `3D`: one letter, yet a term
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


@functools.cache
def stopwords() -> frozenset[str]:
    lines = require(BACKGROUND_DIR / "stopwords_vi.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(internal_form(line.strip().lower()) for line in lines if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=200_000)  # called for every word of every document; news vocabulary repeats
def is_candidate(word: str) -> bool:
    """Punctuation, numbers, words of one letter (`C.`, an initial) and stopwords are never keywords,
    nor measure words (`lần`, `độ`); an abbreviation in capitals is not the stopword it spells (`AI`,
    artificial intelligence, is not `ai`, "who")."""
    return ((sum(c.isalpha() for c in word) >= 2 or _GENERATION.fullmatch(word) is not None)
            and not _NUMBER_LIKE.match(word)
            and (internal_form(word.lower()) not in stopwords() or _ABBREVIATION.fullmatch(word) is not None)
            and word.lower() not in MEASURE_WORDS
            and not is_time_expression(word) and not _ADDRESS.search(word))


def is_time_expression(word: str) -> bool:
    """`hôm_qua`, `năm_ngoái`, `cuối_tuần`, `tháng_đầu_năm`, `thời_gian_tới`: when, not what about."""
    syllables = word.lower().split("_")
    return len(syllables) > 1 and syllables[0] in _TIME_HEADS and all(s in _TIME_WORDS for s in syllables[1:])


def is_name(term: str) -> bool:
    # Common nouns and phrases are lower-cased by document_terms; names and abbreviations keep capitals.
    return term != term.lower()


def person_group(term: str) -> str | None:
    """Who a generic word for a person names (`cô_gái`, `đứa_con_ngoan`: `girl`, `child`), else None."""
    syllables = term.lower().split("_")
    for n in (3, 2, 1):
        if len(syllables) >= n and "_".join(syllables[:n]) in PERSON_GROUPS:
            return PERSON_GROUPS["_".join(syllables[:n])]
    return None


def _written(token: dict[str, Any]) -> str:
    """A word as terms write it: syllables joined by `_`, lower case unless a proper noun or abbreviation."""
    word = "_".join(token["text"].split())
    return word if token["pos"] in CASED_POS else word.lower()


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


