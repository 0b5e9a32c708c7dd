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
    return find_entities_many([(text, sentences, tokens)], backend, aliases)[0]


def find_entities_many(documents: list[tuple[str, list[dict[str, int]], list[dict[str, Any]]]], backend: str,
                       aliases: str | None = None) -> list[list[dict[str, Any]]]:
    """`find_entities` of several documents (text, sentences, tokens); a network tags all their
    sentences in one batched call, with the outputs it gives one document at a time."""
    found = tag_documents([sentence_inputs(*document) for document in documents], backend)
    results = []
    for (text, sentences, _), document_found in zip(documents, found):
        spans = _document_spans(text, sentences, document_found)
        names = canonical_names([(s, e, label, text[s:e]) for s, e, label, _ in spans], aliases_of(aliases), text)
        results.append([{"text": text[s:e], "label": label, "start": s, "end": e, "canonical": name,
                         "confidence": confidence} for (s, e, label, confidence), name in zip(spans, names)])
    return results


def sentence_inputs(text: str, sentences: list[dict[str, int]], tokens: list[dict[str, Any]]
                    ) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Each sentence's text and its words, offsets into the sentence: what a tagger reads."""
    words_by_sentence: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for token in tokens:
        words_by_sentence[token["sentence"]].append((token["start"], token["end"], token["pos"]))
    inputs = []
    for index, sentence in enumerate(sentences):
        start = sentence["start"]
        words = [(s - start, e - start, pos) for s, e, pos in words_by_sentence[index]]
        inputs.append((text[start:sentence["end"]], words))
    return inputs


def tag_documents(documents: list[list[tuple[str, list]]], backend: str) -> list[list[list[tuple]]]:
    """Entity spans of every sentence of every document, offsets into the sentence. Our taggers see
    the whole document (one name, one label); a network tags the sentences of all documents at once."""
    tagger = get_tagger(backend)
    if hasattr(tagger, "tag_documents"):
        return tagger.tag_documents(documents)
    if hasattr(tagger, "tag_document"):
        return [tagger.tag_document(document) for document in documents]
    return [[tagger.tag(sentence, words) for sentence, words in document] for document in documents]


def _document_spans(text: str, sentences: list[dict[str, int]], found: list[list[tuple]]
                    ) -> list[tuple[int, int, str, float]]:
    """The sentences' entity spans as offsets into `text`, punctuation trimmed."""
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
        return self.process_batch([document])[0]

    def process_batch(self, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = find_entities_many([(d["text"], d["sentences"], d["tokens"]) for d in documents],
                                   self.settings.backend, self.settings.aliases)
        rows = []
        for document, entities in zip(documents, found):
            offset_map = offset_map_of(document)
            for entity in entities:
                entity["orig_start"], entity["orig_end"] = offset_map.span_to_original(entity["start"], entity["end"])
            rows.append({"entities": entities})
        return rows
