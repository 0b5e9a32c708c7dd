"""The normalize stage: clean characters, one tone-mark style, boilerplate removed with an audit,
title, date and language found, sentences split. The text keeps a map back to the original."""
from __future__ import annotations

import dataclasses
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..backends.diacritics import restorer, restorer_checksum
from ..text.boilerplate import BAD, CREDIT, Line, classify_lines, mark_credits, protect_text, split_glued
from ..text.html import link_density
from ..text.offsets import OffsetMap, TextBuilder
from ..text.sentences import split_sentences
from .base import Stage, setting
from ..text.vietnamese import AUTO, TONE_STYLE_CHOICES, apply_tone_style, majority_style, tone_counts
from .. import checks

SPAN = pa.struct([("start", pa.int32()), ("end", pa.int32())])
REMOVED = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("reason", pa.string()),
                     ("text", pa.string())])
CREDIT_SPAN = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])
WARNING = pa.struct([("reason", pa.string()), ("rule", pa.string()), ("characters", pa.int32()),
                     ("document_characters", pa.int32())])
RESTORED = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])
DIACRITICS = ("auto", "off")


@dataclass(frozen=True)
class Settings:
    tone_style: str = setting(AUTO, flag="--tone-style", help="Tone-mark placement in the text a run writes: "
                              "auto (the one the corpus uses most; the manifest says which), classic (hòa, "
                              "thủy) or modern (hoà, thuỷ). The models read one form whatever it is.")
    remove_boilerplate: bool = setting(True, flag="--keep-boilerplate", negate="remove_boilerplate",
                                       help="Keep page furniture in the text (nothing is removed or audited).")
    diacritics: str = setting("auto", flag="--diacritics", help="auto: restore the marks of sentences typed "
                              "without them (comments, chats, old e-mail), audited in `restored`; off: leave them.")

    def __post_init__(self) -> None:
        checks.one_of("--tone-style (normalize.tone_style)", self.tone_style, TONE_STYLE_CHOICES)
        checks.one_of("--diacritics (normalize.diacritics)", self.diacritics, DIACRITICS)


# Characters to change, one alternative each: dropped invisibles, HTML entities, odd or repeated
# white space, and decomposed letters (a base followed by combining marks) to compose.
_CHANGE = re.compile(
    r"(?P<drop>[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f])"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<space>[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000])"
    r"|(?P<decomposed>[^\u0300-\u036f]?[\u0300-\u036f]+)"
)
# Any character that _CHANGE might act on (a cheap first look).
_MAY_CHANGE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x1f\x7f-\xa0&"
                         r"\u2000-\u200a\u202f\u205f\u3000\u0300-\u036f]")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x85]")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_DATELINE = re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:,?\s*(?P<time>\d{1,2}:\d{2}))?\s*")


def clean_line(line: str, offset: int) -> TextBuilder:
    """`line` (which starts at `offset` in the original) with its characters cleaned."""
    builder = _changes(line, offset)
    if builder is None:
        builder = TextBuilder()
        builder.copy(line, offset)
    return builder


def _changes(line: str, offset: int) -> TextBuilder | None:
    """clean_line, or None when the line needs no change (most lines: a character-class scan)."""
    if "  " not in line and not _MAY_CHANGE.search(line):
        return None
    builder = TextBuilder()
    position = 0
    for match in _CHANGE.finditer(line):
        builder.copy(line[position:match.start()], offset + position)
        builder.replace(_replacement(match), offset + match.start(), offset + match.end())
        position = match.end()
    builder.copy(line[position:], offset + position)
    return builder


def _replacement(match: re.Match[str]) -> str:
    kind, value = match.lastgroup, match.group()
    if kind == "drop":
        return ""
    if kind == "space":
        return " "
    if kind == "entity":
        decoded = html.unescape(value)
        return " " if decoded.isspace() else decoded
    return unicodedata.normalize("NFC", value)


def split_lines(text: str, links: list[tuple[int, int]] = (), blocks: list[tuple[int, int, str]] = ()) -> list[Line]:
    """Non-blank lines of `text`, stripped, with their line numbers, offsets, the share of them that
    is link text (`links`: spans of link text) and what the page's structure says they are
    (`blocks`: (start, end, role) spans), both from HTML and Markdown documents."""
    role_at = {start: role for start, _, role in blocks}
    lines: list[Line] = []
    start = 0
    for number, match in enumerate([*_LINE_BREAK.finditer(text), None]):
        end = match.start() if match else len(text)
        raw = text[start:end]
        stripped = raw.strip()
        if stripped:
            left = start + len(raw) - len(raw.lstrip())
            line = Line(number, left, left + len(stripped), stripped)
            if links:
                line.link_density = link_density(text, line.start, line.end, links)
            line.role = role_at.get(left)
            lines.append(line)
        start = match.end() if match else len(text)
    return lines


def detect_language(text: str) -> str:
    """`vi`, `zh`, `en` or `und`, from the script and the share of Vietnamese-marked words."""
    sample = text[:2000]
    if _CJK_OR_HANGUL.search(sample):
        letters = len(_LETTER.findall(sample))
        if len(_CJK_OR_HANGUL.findall(sample)) / letters > 0.3:
            return "zh" if _HAN.search(sample) else "und"
    words = [word for word in sample.lower().split() if word.isalpha()]
    if not words:
        return "und"
    marked = sum(1 for word in words if not word.isascii() and not _VIETNAMESE_LETTERS.isdisjoint(word))
    if marked / len(words) >= 0.2:
        return "vi"
    english = sum(1 for word in words if word in _ENGLISH_WORDS)
    return "en" if english / len(words) >= 0.1 else "und"


_VIETNAMESE_LETTERS = frozenset("ăâđêôơư" "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
_LETTER = re.compile(r"[^\W\d_]")
_CJK_OR_HANGUL = re.compile("[\u3040-\u9fff\uac00-\ud7af]")
_HAN = re.compile("[\u4e00-\u9fff]")
_ENGLISH_WORDS = frozenset("the of and to in is that for it with as was on are be by this from at "
                           "or an have not which but has they you he she we".split())


def find_title_and_date(lines: list[Line], given_title: str | None) -> tuple[str | None, str | None]:
    """The title (given by the source, or the first kept line if it reads like one) and a
    dateline date (`14/05/2023 16:01`) written before it."""
    kept = [line for line in lines if line.kind not in (BAD, CREDIT)]
    if not kept:
        return given_title, None
    first = kept[0].text
    date = None
    match = _DATELINE.match(first)
    if match:
        date = f"{int(match['y']):04d}-{int(match['m']):02d}-{int(match['d']):02d}"
        date += f"T{match['time']}" if match["time"] else ""
        first = first[match.end():]
    if given_title:
        return given_title, date
    first = _MARKDOWN_HEADING.sub("", first)
    looks_like_title = first and len(first.split()) <= 40 and not first.rstrip().endswith(".")
    return (first.strip() if looks_like_title else None), date


class Normalize(Stage):
    name = "normalize"
    # 5: the structure of HTML and Markdown decides first (headlines, lists, tables kept); 6: the corpus's own
    # tone style (auto), patterns decide only furniture-looking lines, credits, warnings; 7: text typed
    # without diacritics restored (the `restored` column)
    version = "7"
    reads = {"ingest": ("text", "title", "metadata")}
    Settings = Settings
    items = "sentences"
    exposes = {"title": "title", "date": "date", "language": "language", "text": "text", "sentences": "sentences"}
    counts = ("warnings", "restored")
    schema = pa.schema([
        ("doc_id", pa.string()),
        ("text", pa.string()),
        ("title", pa.string()),
        ("date", pa.string()),
        ("language", pa.string()),
        ("sentences", pa.list_(SPAN)),
        ("removed", pa.list_(REMOVED)),       # boilerplate, with spans in the original text
        ("credits", pa.list_(CREDIT_SPAN)),   # who wrote or supplied it (`TTXVN/Tin Tức`, `Ảnh: H.N`): not in `text`
        ("warnings", pa.list_(WARNING)),      # `suspicious_removal`: the rules would have taken most of it
        ("restored", pa.list_(RESTORED)),     # syllables whose marks were restored: where (in `text`), as written
        ("offsets_norm", pa.list_(pa.int32())),  # offset map: run starts in the normalized text ...
        ("offsets_orig", pa.list_(pa.int32())),  # ... and where each run starts in the original
    ])

    def unsettled(self) -> dict[str, tuple[str, ...]]:
        return {"ingest": ("text",)} if self.settings.tone_style == AUTO else {}

    def settle(self, documents) -> dict[str, Any]:
        """The `auto` tone style: the one the corpus writes most (classic on a tie)."""
        classic = modern = 0
        for document in documents:
            counts = _tone_counts(document["text"] or "")
            classic, modern = classic + counts[0], modern + counts[1]
        style = majority_style(classic, modern)
        self.settings = dataclasses.replace(self.settings, tone_style=style)
        return {"settings": {"tone_style": style}, "classic_spellings": classic, "modern_spellings": modern}

    def model_checksum(self) -> str:
        return restorer_checksum() if self.settings.diacritics == "auto" else ""

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        return self.process_batch([document])[0]

    def process_batch(self, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each document cleaned and its furniture removed, then the marks of the sentences typed
        without them restored, those of all the documents at once (the model works in batches)."""
        drafts = [self._draft(document) for document in documents]
        if self.settings.diacritics == "auto":
            _restore(drafts)
        return [self._finish(draft) for draft in drafts]

    def _draft(self, document: dict[str, Any]) -> dict[str, Any]:
        original = document["text"] or ""
        style = self.settings.tone_style if self.settings.tone_style != AUTO else majority_style(*_tone_counts(original))
        metadata = json.loads(document.get("metadata") or "{}")
        metadata = metadata if isinstance(metadata, dict) else {}
        lines = split_lines(original, metadata.get("links") or [], metadata.get("blocks") or [])
        removing = self.settings.remove_boilerplate
        if removing:
            lines = split_glued(lines, original)
        cleaned = [_changes(line.text, line.start) for line in lines]
        for line, builder in zip(lines, cleaned):
            if builder is not None:
                line.text = builder.text()
        classify_lines(lines)
        warnings = protect_text(lines) if removing else []
        mark_credits(lines)
        if not removing:
            for line in lines:
                line.kind = "good"
        text, offset_map = self._assemble(lines, cleaned)
        title, date = find_title_and_date(lines, document.get("title"))
        return {
            "text": text, "style": style,
            "title": unicodedata.normalize("NFC", title) if title else None,
            "date": date or _metadata_date(metadata),
            "removed": [{"start": line.start, "end": line.end, "reason": line.reason,
                         "text": original[line.start:line.end]} for line in lines if line.kind == BAD],
            "credits": [{"start": line.start, "end": line.end, "text": original[line.start:line.end]}
                        for line in lines if line.kind == CREDIT],
            "warnings": warnings, "restored": [],
            "offsets_norm": offset_map.norm_starts,
            "offsets_orig": offset_map.orig_starts,
        }

    @staticmethod
    def _finish(draft: dict[str, Any]) -> dict[str, Any]:
        style = draft.pop("style")
        text = draft["text"] = apply_tone_style(draft["text"], style)
        if draft["title"]:
            draft["title"] = apply_tone_style(draft["title"], style)
        draft["language"] = detect_language(text)
        draft["sentences"] = [{"start": s, "end": e} for s, e in split_sentences(text)]
        return draft

    @staticmethod
    def _assemble(lines: list[Line], cleaned: list[TextBuilder | None]) -> tuple[str, OffsetMap]:
        builder = TextBuilder()
        for line, piece in zip(lines, cleaned):
            if line.kind in (BAD, CREDIT) or not line.text:
                continue
            if builder.length:
                builder.replace("\n", line.start, line.start)  # paragraphs: one per line
            if piece is None:
                builder.copy(line.text, line.start)
            else:
                builder.extend(piece)
        return builder.text(), builder.offset_map()


def _restore(drafts: list[dict[str, Any]]) -> None:
    """Restore, in place, the marks of the sentences of the drafts' texts and titles typed without
    them (backends/diacritics.py), recording each syllable restored as it was written."""
    model = restorer()  # loaded once per process, on first use
    texts = [draft["text"] for draft in drafts] + [draft["title"] or "" for draft in drafts]
    within = [model.unmarked_spans(text) for text in texts]
    if not any(within):
        return
    restored = model.restore(texts, within=within)
    for draft, text, title in zip(drafts, restored[:len(drafts)], restored[len(drafts):]):
        draft["restored"] = [{"start": start, "end": end, "text": draft["text"][start:end]} for start, end in text.spans]
        draft["text"] = text.text
        if draft["title"]:
            draft["title"] = title.text


def _tone_counts(text: str) -> tuple[int, int]:
    return tone_counts(text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text))


def _metadata_date(metadata: dict[str, Any]) -> str | None:
    value = metadata.get("date")
    return str(value) if value else None


def offset_map_of(row: dict[str, Any]) -> OffsetMap:
    """The map from a normalize row's text back to the ingest text."""
    return OffsetMap(row["offsets_norm"], row["offsets_orig"])
