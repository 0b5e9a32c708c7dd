"""One path from text to analysis: the stages of a run, in memory, over a list of texts. A run,
`vnpipe ner|segment -`, the spaCy language and `vnpipe eval` all get their words and entities from
the same stages with the same settings, so they cannot disagree.

Each text is one document, as if it were one file of a corpus; a stage that looks at the whole
corpus (dedup, aliases, keywords with corpus frequencies) looks at the texts given.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..errors import DocumentError
from ..stages.base import Stage
from ..stages.registry import STAGES
from ..text.offsets import OffsetMap
from .settings import RunSettings


@dataclass
class Analysis:
    """What the stages made of one text: each stage's row, by stage name."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The columns `read_run` gives for a document (`original_text`, `text`, `sentences`,
        `tokens`, `entities`, `keywords`, ...), as far as the stages ran."""
        merged: dict[str, Any] = {}
        for stage in STAGES:
            if stage.name in self.rows:
                merged.update((name, self.rows[stage.name].get(column)) for column, name in stage.exposes.items())
        return merged

    def offset_map(self, stage: str = "normalize") -> OffsetMap:
        """The map from the normalized text back to the text given."""
        row = self.rows[stage]
        return OffsetMap(row["offsets_norm"], row["offsets_orig"])


def analyse(texts: Iterable[str], settings: RunSettings | None = None, until: str | None = None) -> list[dict[str, Any]]:
    """What a run gives for each text, as `read_run` columns (the stages up to `until`, all by
    default): `analyse(["Sam Altman gặp ..."])[0]["entities"]`. Offsets point into the normalized
    `text`; entities also carry `orig_start`, `orig_end` into the text given."""
    return [analysis.row() for analysis in analyse_texts(texts, settings, until)]


def analyse_texts(texts: Iterable[str], settings: RunSettings | None = None, until: str | None = None
                  ) -> list[Analysis]:
    """The `Analysis` of each text, through the stages up to `until`."""
    settings = settings or RunSettings()
    source = STAGES.source
    analyses = [Analysis({source.name: {"doc_id": str(index), "source": "<text>", "record": index, "text": text,
                                        "title": None, "metadata": None, "format": "text"}})
                for index, text in enumerate(texts)]
    return continue_analysis(analyses, settings, until)


def continue_analysis(analyses: list[Analysis], settings: RunSettings, until: str | None = None) -> list[Analysis]:
    """Run the stages that have not run yet on `analyses`, up to `until`."""
    order = STAGES.names()
    last = order.index(STAGES[until].name) if until else len(order) - 1
    for name in order[1:last + 1]:
        if analyses and name in analyses[0].rows:
            continue
        stage = STAGES.build(name, settings.of(name))
        documents = [_inputs(stage, analysis, index) for index, analysis in enumerate(analyses)]
        if stage.unsettled():
            stage.settle(documents)
        if stage.sketch_schema is not None:  # fitted on the sketches of all the texts, then each row
            sketches = stage.run(documents, sketch=True)
            _raise_first(sketches.errors, name)
            stage.fit_sketches(pa.Table.from_pylist(sketches.rows, schema=stage.sketch_schema))
            for analysis, document in zip(analyses, documents):
                analysis.rows[name] = {**stage.process({"doc_id": document["doc_id"]}), "doc_id": document["doc_id"]}
            continue
        if stage.corpus_level:
            stage.fit(documents)
        result = stage.run(documents)
        _raise_first(result.errors, name)
        for analysis, row in zip(analyses, result.rows):
            analysis.rows[name] = row
    return analyses


def _raise_first(errors: list[dict[str, Any]], stage: str) -> None:
    if errors:
        raise DocumentError(f"text {int(errors[0]['doc_id']) + 1}: the {stage} stage failed: {errors[0]['reason']}")


def _inputs(stage: Stage, analysis: Analysis, index: int) -> dict[str, Any]:
    """The columns `stage` reads, from the rows of the stages before it (as the runner's load_inputs)."""
    document: dict[str, Any] = {"doc_id": str(index)}
    for required, columns in stage.reads.items():
        row = analysis.rows.get(required)
        if row is None:
            raise ValueError(f"stage {stage.name!r} reads {required!r}, which analyse does not run")
        document.update((column, row[column]) for column in columns)
    return document
