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
from ..backends.mentions import well_formed
from .. import checks
from ..backends.nertag import DEFAULT_TAGGER, TAGGERS, get_tagger, tagger_checksum
from ..backends.registry import EntityTagger
from ..digests import file_digest
from ..text.offsets import OffsetMap
from .base import Stage, setting
from .schemas import ENTITY



@dataclass(frozen=True)
class Settings:
    backend: str = setting(DEFAULT_TAGGER, flag="--ner", help="NER backend: vnpipe-neural (the default, ONNX "
                           "BiLSTM-CRF), vnpipe (our CRF, kept for one release), vnpipe-unseen or underthesea.")
    aliases: str | None = setting(None, flag="--aliases", path=True,
                                  help="A CSV `alias,canonical` of extra entity name variants.")

    def __post_init__(self) -> None:
        checks.one_of("--ner (ner.backend)", self.backend, TAGGERS.names())
        checks.existing_file("--aliases (ner.aliases)", self.aliases)


def find_entities(documents: list[tuple[str, list[dict[str, int]], list[dict[str, Any]]]], tagger: EntityTagger,
                  aliases: str | None = None) -> list[list[dict[str, Any]]]:
    """The entities (start, end, label, text, canonical, confidence; offsets into the text) of each
    document (text, sentences, tokens), from `tagger`, which sees each document whole (one name, one
    label); a network tags the sentences of all the documents in one batched call."""
    found = tagger.tag_documents([sentence_inputs(*document) for document in documents])
    results = []
    for (text, sentences, tokens), document_found in zip(documents, found):
        spans = well_formed(text, _document_spans(text, sentences, document_found), tokens)
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
    # 4: a family name shared by two people of the document links by title only; 5: a canonical name is
    # written as the text writes it (its tone style); the models read one form; mentions never end inside
    # a word, a repeated name is two mentions, a country after a title is a place (backends/mentions.py);
    # 6: a country whose name is no given name is never a person
    version = "6"
    reads = {"normalize": ("text", "sentences", "offsets_norm", "offsets_orig"), "segment": ("tokens",)}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("entities", pa.list_(ENTITY))])
    items = "entities"
    exposes = {"entities": "entities"}
    skips_duplicates = True

    def model_checksum(self) -> str:
        # The alias files change canonical names, so their contents are part of the model.
        alias_files = [ALIASES_PATH] + ([Path(self.settings.aliases)] if self.settings.aliases else [])
        digests = "+".join(f"aliases-{file_digest(path)}" for path in alias_files)
        return f"{tagger_checksum(self.settings.backend)}+{digests}"  # loads no model

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        return self.process_batch([document])[0]

    def process_batch(self, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = find_entities([(d["text"], d["sentences"], d["tokens"]) for d in documents],
                              get_tagger(self.settings.backend), self.settings.aliases)
        rows = []
        for document, entities in zip(documents, found):
            offset_map = OffsetMap(document["offsets_norm"], document["offsets_orig"])
            for entity in entities:
                entity["orig_start"], entity["orig_end"] = offset_map.span_to_original(entity["start"], entity["end"])
            rows.append({"entities": entities})
        return rows
