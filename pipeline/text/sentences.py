"""Sentence splitting with character offsets, for Vietnamese news text.

A sentence ends at . ! ? or … (with any closing quotes or brackets) when the next word starts a
sentence. The traps are handled by looking at the word before the stop: abbreviations (`TP.`,
`Th.S.`, `ông A.`), initials, and list numbers (`1.` at the start of a paragraph).
"""
from __future__ import annotations

import re

Span = tuple[int, int]

# Starts with the stop itself so that the regex engine can skip ahead to it; that a non-space
# comes before it is checked in _split_line.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)(?=[\"'“‘«(\[\-–—]?[\w])")
# Abbreviations after which a full stop does not end the sentence (compared lower-cased,
# without the final stop).
ABBREVIATIONS = frozenset({
    "tp", "th.s", "ths", "ts", "pgs", "gs", "bs", "ks", "ls", "ncs", "cn", "ttnd", "ttưt", "nsnd",
    "nsưt", "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "co", "inc", "ltd", "corp", "tr",
    "q", "p", "h", "tx", "tt", "no", "vol", "fig", "e.g", "i.e", "vs", "ông", "bà", "đ/c",
})
_ROMAN = re.compile(r"^[ivxlcdm]+$", re.IGNORECASE)
# Words that name a place or a group by a proper name and a letter: `thôn Câu Hạ A`, `khu phố Tân
# Lập B`, `bảng A`. A letter closing such a name is not a person's initial, so its stop ends a sentence.
_DESIGNATED = frozenset({"thôn", "ấp", "xóm", "bản", "buôn", "làng", "khu", "khóm", "khoá", "khóa", "tổ",
                         "đội", "khối", "lô", "tầng", "dãy", "bảng", "nhóm", "lớp", "cụm", "trại"})


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of text[start:end]; a line break always ends a sentence."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    line_start = start
    while line_start < end:
        line_end = text.find("\n", line_start, end)
        line_end = end if line_end < 0 else line_end
        spans.extend(_split_line(text, line_start, line_end))
        line_start = line_end + 1
    return spans


def _split_line(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    sentence_start = _skip_space(text, start, end)
    for match in _BOUNDARY.finditer(text, sentence_start, end):
        stop_end = match.end(2)
        if match.start() == start or text[match.start() - 1].isspace():
            continue
        if not _ends_sentence(text, sentence_start, match):
            continue
        spans.append((sentence_start, stop_end))
        sentence_start = match.end(3)
    if sentence_start < end:
        spans.append((sentence_start, _trim_end(text, sentence_start, end)))
    return [span for span in spans if span[1] > span[0]]


def _ends_sentence(text: str, sentence_start: int, match: re.Match[str]) -> bool:
    if not _starts_sentence(text, match.end(3)):
        return False  # `đi... rồi về`: a lower-case word goes on with the sentence
    stops = match.group(1)
    if stops != ".":
        return True  # ! ? … and .. are never abbreviations
    word_end = word_start = match.start(1)
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    if word_start == word_end:
        return False
    before = text[word_start:word_end].lower().lstrip("\"'“‘«([")
    if before in ABBREVIATIONS:
        return False
    if len(before) == 1 and before.isalpha() and _after_name_or_at_start(text, sentence_start, word_start) \
            and not _closes_designated_name(text, sentence_start, word_start):
        return False  # an initial: `Nguyễn V. Anh`, `J. Smith`; but `quý I. Lạm phát`, `thôn Câu Hạ A. Phát hiện` end
    at_line_start = word_start == sentence_start
    if at_line_start and (before.isdigit() or _ROMAN.match(before)):
        return False  # a list number: `1. Quyền được thông tin`
    return True


def _after_name_or_at_start(text: str, sentence_start: int, word_start: int) -> bool:
    """Whether the word before `word_start` is capitalised (a name goes on) or there is none."""
    position = word_start
    while position > sentence_start and text[position - 1].isspace():
        position -= 1
    if position == sentence_start:
        return True
    while position > sentence_start and not text[position - 1].isspace():
        position -= 1
    return text[position].isupper()


def _closes_designated_name(text: str, sentence_start: int, word_start: int) -> bool:
    """Whether the capitalised words before `word_start` follow a word like `thôn` (see _DESIGNATED)."""
    words = text[sentence_start:word_start].split()
    while words and words[-1][:1].isupper():
        words.pop()
    return bool(words) and words[-1].lower() in _DESIGNATED


def _starts_sentence(text: str, position: int) -> bool:
    while position < len(text) and text[position] in "\"'“‘«([-–—":
        position += 1
    return position < len(text) and (text[position].isupper() or text[position].isdigit())


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
