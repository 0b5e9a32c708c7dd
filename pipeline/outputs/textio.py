"""One line of text in, one line out: the `vnpipe segment` and `vnpipe ner` commands.

Each line is one text: it is normalized like a document (boilerplate removal aside), and the
offsets returned point into the line as given.
"""
from __future__ import annotations

from typing import Any

from ..stages.ner import find_entities
from ..stages.normalize import clean_line
from ..text.offsets import OffsetMap
from ..stages.segment import segment_text
from ..text.sentences import split_sentences
from ..text.vietnamese import apply_tone_style


def normalize_line(line: str, tone_style: str) -> tuple[str, OffsetMap]:
    builder = clean_line(line, 0)
    return apply_tone_style(builder.text(), tone_style), builder.offset_map()


def segment_line(line: str, backend: str, tone_style: str) -> str:
    text, _ = normalize_line(line, tone_style)
    tokens = segment_text(text, _sentences(text), backend)
    return " ".join("_".join(token["text"].split()) for token in tokens)


def entities_of_line(line: str, segmenter: str, tagger: str, tone_style: str) -> list[dict[str, Any]]:
    text, offset_map = normalize_line(line, tone_style)
    sentences = _sentences(text)
    tokens = segment_text(text, sentences, segmenter)
    entities = []
    for entity in find_entities(text, sentences, tokens, tagger):
        orig_start, orig_end = offset_map.span_to_original(entity["start"], entity["end"])
        entities.append({"start": orig_start, "end": orig_end, "label": entity["label"],
                         "text": line[orig_start:orig_end], "canonical": entity["canonical"]})
    return entities


def _sentences(text: str) -> list[dict[str, int]]:
    return [{"start": start, "end": end} for start, end in split_sentences(text)]
