"""Fits the shipped keyword background model (`models/keywords/document_frequencies.tsv`): the
document frequency of every candidate term over a topic-stratified sample of VNTC news.

The sample is drawn from VNTC's background pool (see evaluate/topics.py), so the topic evaluation,
drawn from the other pool, never scores an article the model was fitted on. The sample goes
through the pipeline up to `ner`, so the terms are exactly those the keywords stage sees.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from ..runtime import parts
from ..evaluate.topics import BACKGROUND_POOL, VNTC, sample_vntc
from ..stages.keywords import BACKGROUND, DocumentFrequencies, document_terms

PER_TOPIC = 600  # 10 topics: 6,000 articles, about 13 minutes of segmentation and NER on one core
MIN_DOCUMENTS = 3  # rarer terms are left out and count as unseen (the highest idf)


def train(out: Path = BACKGROUND.parent, run: Path | None = None, per_topic: int = PER_TOPIC,
          min_documents: int = MIN_DOCUMENTS, vntc: Path = VNTC, section_field: str = "topic") -> dict:
    """Fit the background model on `run` (a vnpipe run through `ner`), or first sample VNTC and
    run the pipeline on the sample (in `out/work`, deleted afterwards is up to you). When every
    document has the metadata field `section_field` (VNTC's topic), each term's spread over its
    values is kept too (see `DocumentFrequencies`)."""
    started = time.perf_counter()
    if run is None:
        from ..runtime.runner import run as run_pipeline

        work = Path(out) / "work"
        work.mkdir(parents=True, exist_ok=True)
        sample = work / "vntc-background.jsonl"
        sample_vntc(sample, per_topic, BACKGROUND_POOL, vntc)
        run = work / "run"
        run_pipeline(sample, run, until="ner", progress=False)
    term_lists, sections = zip(*_terms_of_run(Path(run), section_field))
    frequencies = DocumentFrequencies.fit(term_lists, list(sections) if all(sections) else None)
    path = Path(out) / BACKGROUND.name
    frequencies.write(path, min_documents)
    summary = {
        "documents": frequencies.documents,
        "terms_seen": len(frequencies.counts),
        "terms_kept": sum(1 for n in frequencies.counts.values() if n >= min_documents),
        "min_documents": min_documents,
        "sections": len(set(sections)) if frequencies.sections else 0,
        "corpus": f"VNTC Train_Full, {per_topic} articles per topic from the background pool",
        "run": str(run),
        "seconds": round(time.perf_counter() - started, 1),
        "trained": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (Path(out) / "training.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    return summary


def _terms_of_run(run: Path, section_field: str):
    """(terms, section or None) of each document of the run."""
    for part in parts.list_parts(parts.stage_dir(run, "ner")):
        entities = {row["doc_id"]: row["entities"] for row in parts.read_part(run, "ner", part, ["doc_id", "entities"])}
        metadata = {row["doc_id"]: json.loads(row["metadata"] or "{}")
                    for row in parts.read_part(run, "ingest", part, ["doc_id", "metadata"])}
        for row in parts.read_part(run, "segment", part, ["doc_id", "tokens"]):
            yield document_terms(row["tokens"], entities[row["doc_id"]]), metadata[row["doc_id"]].get(section_field)
