"""The ner stage: entities with label, offsets into the normalized and the original text, surface
text, canonical name and confidence, from the tagger backend named in the settings (nertag.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from .nertag import get_tagger
from .normalize import offset_map_of
from .stage import Stage

ENTITY = pa.struct([("text", pa.string()), ("label", pa.string()), ("start", pa.int32()),
                    ("end", pa.int32()), ("orig_start", pa.int32()), ("orig_end", pa.int32()),
                    ("canonical", pa.string()), ("confidence", pa.float32())])


@dataclass(frozen=True)
class Settings:
    backend: str = "underthesea"


def tag_document(text: str, sentences: list[dict[str, int]], tokens: list[dict[str, Any]],
                 backend: str) -> list[tuple[int, int, str, float]]:
    """Entity spans of every sentence, with offsets into `text`."""
    tagger = get_tagger(backend)
    words_by_sentence: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for token in tokens:
        words_by_sentence[token["sentence"]].append((token["start"], token["end"], token["pos"]))
    entities = []
    for index, sentence in enumerate(sentences):
        start = sentence["start"]
        words = [(s - start, e - start, pos) for s, e, pos in words_by_sentence[index]]
        for s, e, label, confidence in tagger.tag(text[start:sentence["end"]], words):
            s, e = _trim_punctuation(text, start + s, start + e)
            if e > s:
                entities.append((s, e, label, confidence))
    return entities


def _trim_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    """A name never starts or ends with punctuation or space: `, Indonesia` is `Indonesia`."""
    while start < end and not (text[start].isalnum() or text[start] in "\"“'‘("):
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in "\"”'’)+"):
        end -= 1
    return start, end


class Ner(Stage):
    name = "ner"
    version = "1"
    reads = {"normalize": ("text", "sentences", "offsets_norm", "offsets_orig"), "segment": ("tokens",)}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("entities", pa.list_(ENTITY))])

    def model_checksum(self) -> str:
        return get_tagger(self.settings.backend).checksum()

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        text = document["text"]
        offset_map = offset_map_of(document)
        entities = []
        for start, end, label, confidence in tag_document(text, document["sentences"], document["tokens"],
                                                          self.settings.backend):
            orig_start, orig_end = offset_map.span_to_original(start, end)
            surface = text[start:end]
            entities.append({"text": surface, "label": label, "start": start, "end": end,
                             "orig_start": orig_start, "orig_end": orig_end,
                             "canonical": " ".join(surface.split()), "confidence": confidence})
        return {"entities": entities}
