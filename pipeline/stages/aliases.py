"""The aliases stage: the entities of the ner stage, each named as the whole corpus names it, so
that `MU`, `M.U` and `Manchester United`, or `Putin` and `Vladimir Putin`, count as one name in
read_run, the summary, the report and the keywords (backends/aliases.py says what joins).

Corpus-level, on sketches (as dedup): a document's sketch is its entities; every sketch is read
before any row is written; a document whose names did not change keeps its row, and the
documents of later stages are recomputed only where a name changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..backends.aliases import corpus_names
from ..digests import fingerprint
from .base import Stage
from .schemas import ENTITY


@dataclass(frozen=True)
class Settings:
    """No settings yet: what joins is decided by the names the corpus has."""


class Aliases(Stage):
    name = "aliases"
    version = "2"  # 2: a foreign family name joins a full name whose given names are foreign too (not `Thời Saddam`)
    reads = {"ner": ("entities",)}
    Settings = Settings
    items = "entities"
    exposes = {"entities": "entities"}
    corpus_level = True
    schema = pa.schema([("doc_id", pa.string()), ("entities", pa.list_(ENTITY))])
    sketch_schema = schema

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.entities: dict[str, list[dict[str, Any]]] = {}
        self.names: dict[tuple[str, str], str] = {}

    def sketch_fingerprint(self) -> str:
        return fingerprint(self.name, self.version, "sketch")  # the sketch is the ner row: no setting changes it

    def sketch(self, document: dict[str, Any]) -> dict[str, Any]:
        return {"entities": document["entities"]}

    def fit_sketches(self, sketches: pa.Table) -> dict[str, int]:
        documents = sketches.to_pylist()
        self.entities = {row["doc_id"]: row["entities"] for row in documents}
        self.names = corpus_names([(e["canonical"], e["label"]) for e in row["entities"]] for row in documents)
        renamed = sum(1 for (name, _), joined in self.names.items() if joined != name)
        return {"names": len(self.names), "names_joined": renamed}

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        entities = self.entities[document["doc_id"]]
        return {"entities": [{**e, "canonical": self.names.get((e["canonical"], e["label"]), e["canonical"])}
                             for e in entities]}
