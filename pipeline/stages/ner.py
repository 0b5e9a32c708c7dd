"""The ner stage: entities with label, offsets into the normalized and the original text, surface
text, canonical name and confidence, from the tagger backend named in the settings (nertag.py)."""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..backends.canonical import ALIASES_PATH, canonical_names, load_aliases
from .. import checks
from ..backends.nertag import BACKENDS, DEFAULT_TAGGER, get_tagger, tagger_checksum
from .normalize import offset_map_of
from ..runtime.stage import Stage, file_digest

ENTITY = pa.struct([("text", pa.string()), ("label", pa.string()), ("start", pa.int32()),
                    ("end", pa.int32()), ("orig_start", pa.int32()), ("orig_end", pa.int32()),
                    ("canonical", pa.string()), ("confidence", pa.float32())])


@dataclass(frozen=True)
class Settings:
    backend: str = DEFAULT_TAGGER  # or vnpipe, vnpipe-unseen (our CRFs), underthesea
    aliases: str | None = None  # a CSV `alias,canonical` of your own, on top of models/ner/aliases.csv

    def __post_init__(self) -> None:
        checks.one_of("--ner (ner.backend)", self.backend, BACKENDS)
        checks.existing_file("--aliases (ner.aliases)", self.aliases)


def find_entities(text: str, sentences: list[dict[str, int]], tokens: list[dict[str, Any]],
                  backend: str, aliases: str | None = None) -> list[dict[str, Any]]:
    """Entities of `text` (start, end, label, text, canonical, confidence), offsets into `text`."""
    spans = tag_document(text, sentences, tokens, backend)
    names = canonical_names([(s, e, label, text[s:e]) for s, e, label, _ in spans], aliases_of(aliases), text)
    return [{"text": text[s:e], "label": label, "start": s, "end": e, "canonical": name,
             "confidence": confidence} for (s, e, label, confidence), name in zip(spans, names)]


def tag_document(text: str, sentences: list[dict[str, int]], tokens: list[dict[str, Any]],
                 backend: str) -> list[tuple[int, int, str, float]]:
    """Entity spans of every sentence, with offsets into `text`. A tagger that can see the whole
    document (ours) tags it in two passes, so a name is tagged alike in every sentence."""
    tagger = get_tagger(backend)
    words_by_sentence: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for token in tokens:
        words_by_sentence[token["sentence"]].append((token["start"], token["end"], token["pos"]))
    inputs = []
    for index, sentence in enumerate(sentences):
        start = sentence["start"]
        words = [(s - start, e - start, pos) for s, e, pos in words_by_sentence[index]]
        inputs.append((text[start:sentence["end"]], words))
    if hasattr(tagger, "tag_document"):
        found = tagger.tag_document(inputs)
    elif hasattr(tagger, "tag_many"):  # a network: every sentence alone, in batches
        found = tagger.tag_many(inputs)
    else:
        found = [tagger.tag(sentence, words) for sentence, words in inputs]
    entities = []
    for sentence, sentence_entities in zip(sentences, found):
        for s, e, label, confidence in sentence_entities:
            s, e = _trim_punctuation(text, sentence["start"] + s, sentence["start"] + e)
            if e > s:
                entities.append((s, e, label, confidence))
    return entities


@functools.cache
def aliases_of(path: str | None) -> dict[str, str]:
    """The shipped alias list plus the user's file, read once per process."""
    return load_aliases(Path(path) if path else None)


def _trim_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    """A name never starts or ends with punctuation or space: `, Indonesia` is `Indonesia`."""
    while start < end and not (text[start].isalnum() or text[start] in "\"“'‘("):
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in "\"”'’)+"):
        end -= 1
    return start, end


class Ner(Stage):
    name = "ner"
    version = "4"  # 4: a family name shared by two people of the document links by title only
    reads = {"normalize": ("text", "sentences", "offsets_norm", "offsets_orig"), "segment": ("tokens",)}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("entities", pa.list_(ENTITY))])

    def model_checksum(self) -> str:
        # The alias files change canonical names, so their contents are part of the model.
        alias_files = [ALIASES_PATH] + ([Path(self.settings.aliases)] if self.settings.aliases else [])
        digests = "+".join(f"aliases-{file_digest(path)}" for path in alias_files)
        return f"{tagger_checksum(self.settings.backend)}+{digests}"  # loads no model

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        offset_map = offset_map_of(document)
        entities = find_entities(document["text"], document["sentences"], document["tokens"],
                                 self.settings.backend, self.settings.aliases)
        for entity in entities:
            entity["orig_start"], entity["orig_end"] = offset_map.span_to_original(entity["start"], entity["end"])
        return {"entities": entities}
