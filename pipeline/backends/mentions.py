"""Mentions made well-formed after tagging, before canonical names are chosen from them.

Crawled text runs a caption or a subheading into the next sentence with no stop between them, and
a tagger then lets a name swallow what follows (`Chelsea Giai đoạn ...`, `Lý Nhã Kỳ Lý Nhã Kỳ
khoe ...`). Three rules, each about the text (and the names of countries), none about a particular name:
* a mention never ends or begins inside a word the segmenter found, when the rest of that word is
  lower case: `Chelsea Giai|đoạn` is `Chelsea`, and `Nghị` of `Nghị định` is no name at all;
* a mention that repeats a name is two mentions: `Lý Nhã Kỳ Lý Nhã Kỳ`, `Conte Antonio Conte`;
* a country after a title is a place: `Thủ tướng Đức` is Germany's chancellor, not a Mr Đức; and a
  country whose name is no given name (`Bồ Đào Nha`, `Indonesia`) is never a person.
"""
from __future__ import annotations

import bisect
from typing import Any

from .wordseg.tokens import is_vietnamese_syllable

Span = tuple[int, int, str, float]  # start, end (offsets into the text), label, confidence

# Countries (and the like) Vietnamese writes with one or two syllables that are also given names.
COUNTRIES = frozenset(name.replace("_", " ") for name in """Đức Pháp Anh Mỹ Nga Nhật Ý Úc Hàn Trung Lào Thái
Ấn Bỉ Hà_Lan Tây_Ban_Nha Bồ_Đào_Nha Hàn_Quốc Trung_Quốc Triều_Tiên Nhật_Bản Ai_Cập Thụy_Sĩ Thuỵ_Sĩ Thụy_Điển
Thuỵ_Điển Na_Uy Ba_Lan Hy_Lạp Thổ_Nhĩ_Kỳ Indonesia Philippines Malaysia Singapore Campuchia Myanmar Israel Iran
Iraq Ukraine Canada Brazil Mexico Argentina""".split())
TITLES = ("thủ tướng", "tổng thống", "ngoại trưởng", "bộ trưởng", "đại sứ", "quốc vương", "nữ hoàng", "chủ tịch",
          "phó thủ tướng", "phó tổng thống", "nhà vua", "hoàng tử", "công chúa")


def well_formed(text: str, spans: list[Span], tokens: list[dict[str, Any]]) -> list[Span]:
    """The mentions of one document (offsets into `text`), cut to words, repeats split, countries after
    a title made places; `tokens` are the segment stage's words (offsets into `text`)."""
    starts = [token["start"] for token in tokens]
    result = []
    for span in spans:
        span = _within_words(text, span, tokens, starts)
        if span is None:
            continue
        for piece in _unrepeated(text, span):
            result.append(_country_after_title(text, piece))
    return result


def _within_words(text: str, span: Span, tokens: list[dict[str, Any]], starts: list[int]) -> Span | None:
    start, end, label, confidence = span
    k = bisect.bisect_right(starts, end - 1) - 1  # the word the last character is in
    if 0 <= k < len(tokens) and tokens[k]["start"] < end < tokens[k]["end"] and _lower_rest(text, end, tokens[k]["end"]):
        end = tokens[k]["start"]
    k = bisect.bisect_right(starts, start) - 1  # the word the first character is in
    if 0 <= k < len(tokens) and tokens[k]["start"] < start < tokens[k]["end"]:
        start = tokens[k]["end"]
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ")\"”’":
        end -= 1
    return (start, end, label, confidence) if end > start and text[start:end].strip() else None


def _lower_rest(text: str, end: int, word_end: int) -> bool:
    """Whether the part of a word after a mention reads as the rest of a common word (` đoạn`)."""
    rest = text[end:word_end].lstrip()
    return bool(rest) and rest[0].islower()


def _unrepeated(text: str, span: Span) -> list[Span]:
    """`A A` or `A B…A` (a name, then a longer name that ends with it): two mentions."""
    start, end, label, confidence = span
    words = [(m_start, m_start + len(word)) for m_start, word in _words(text, start, end)]
    names = [text[s:e] for s, e in words]
    for cut in range(1, len(names)):
        first, rest = names[:cut], names[cut:]
        if rest == first or (len(rest) > len(first) and rest[-len(first):] == first):
            return [(start, words[cut - 1][1], label, confidence), (words[cut][0], end, label, confidence)]
    return [span]


def _words(text: str, start: int, end: int) -> list[tuple[int, str]]:
    found, position = [], start
    for word in text[start:end].split():
        position = text.index(word, position)
        found.append((position, word))
        position += len(word)
    return found


def _country_after_title(text: str, span: Span) -> Span:
    start, end, label, confidence = span
    name = text[start:end]
    if label == "LOC" or name not in COUNTRIES:
        return span
    if label == "PER" and (" " in name or not is_vietnamese_syllable(name)):
        return (start, end, "LOC", confidence)  # `Bồ Đào Nha`, `Indonesia`: a country, never a person
    before = " ".join(text[max(0, start - 30):start].split()).lower()
    return (start, end, "LOC", confidence) if before.endswith(TITLES) else span
