"""The corpus summary: the top keywords, entities and tags of a run, overall and per group of
documents (the top-level source folder, or a metadata field such as VNTC's `topic`).

One tidy table, one row per (group, kind, term), written to RUN/summary/by-<group>.parquet:
    group             `(all)` or the group's value
    group_documents   documents in the group
    kind              keyword, entity or tag
    rank              1 = most documents in the group
    term              the keyword, the entity's canonical name, or the tag
    label             the entity's label (PER, ORG, LOC, MISC); empty for keywords and tags
    documents         documents of the group that have it (ranks by this, then by weight)
    weight            keywords: the sum of their scores; entities: mentions; tags: pieces of evidence
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from ..runtime import parts

if TYPE_CHECKING:  # pandas (and the readers) take a second to import: the runner imports this module
    import pandas as pd  # to decide whether the summary is stale, which needs neither

ALL = "(all)"
ALL_DOCUMENTS = "all documents"  # the one source folder of a flat corpus
TOP_FOLDER = "(top folder)"  # files at the top of a corpus that also has folders
SOURCE_FOLDER = "source_folder"
COLUMNS = ["group", "group_documents", "kind", "rank", "term", "label", "documents", "weight"]
SCHEMA = pa.schema([("group", pa.string()), ("group_documents", pa.int64()), ("kind", pa.string()),
                    ("rank", pa.int64()), ("term", pa.string()), ("label", pa.string()),
                    ("documents", pa.int64()), ("weight", pa.float64())])


def document_groups(run: str | Path, by: str = SOURCE_FOLDER) -> pd.Series:
    """The group of each document (indexed by doc_id): its top-level source folder (`all documents`
    in a flat corpus, `(top folder)` for the files beside the folders of one), or the value of the
    metadata field `by` (`(none)` when absent)."""
    from .results import read_table

    ingest = read_table(run, "ingest", ["doc_id", "source", "metadata"]).to_pandas().set_index("doc_id")
    if by == SOURCE_FOLDER:
        return source_folders(ingest["source"])
    return ingest["metadata"].map(lambda text: str(json.loads(text or "{}").get(by, "(none)")))


def source_folders(sources: pd.Series, flat: bool | None = None) -> pd.Series:
    """The top-level folder of each source path (see `document_groups`); `flat`: whether the corpus
    has no folders (by default, whether none of `sources` is in one)."""
    flat = not sources.str.contains("/", regex=False).any() if flat is None else flat
    return sources.map(lambda source: source.split("/", 1)[0] if "/" in source else
                       ALL_DOCUMENTS if flat else TOP_FOLDER)


def corpus_summary(run: str | Path, by: str = SOURCE_FOLDER, top: int = 20, unique_only: bool = False) -> pd.DataFrame:
    """The `top` keywords, entities and tags of the whole run and of each group (see the module);
    with `unique_only`, of the kept document of each dedup cluster only (a story republished
    twenty times counts once)."""
    import pandas as pd

    from .results import duplicate_ids, entity_stage, explode, read_stage

    groups = document_groups(run, by)
    if unique_only:
        groups = groups[~groups.index.isin(duplicate_ids(run))]
    keywords = read_stage(run, "keywords", unique_only=unique_only)
    items = []
    terms = explode(keywords, "keywords")
    if not terms.empty:  # a run with nothing to analyse has no keyword (and no column to read)
        items.append(_items(terms, "keyword", "term", "score"))
    if "tags" in keywords:
        tags = explode(keywords, "tags")
        if not tags.empty:
            tags["weight"] = tags["evidence"].map(len)
            items.append(_items(tags, "tag", "tag", "weight"))
    entities = explode(read_stage(run, entity_stage(run) or "ner", unique_only=unique_only), "entities")
    if not entities.empty:
        entities["weight"] = 1.0
        items.append(_items(entities, "entity", "canonical", "weight", label="label"))
    items = (pd.concat(items, ignore_index=True) if items
             else pd.DataFrame({"doc_id": [], "kind": [], "term": [], "label": [], "weight": []}))
    frames = [_top(items, ALL, len(groups), top)]
    for group in sorted(groups.unique()):
        members = groups.index[groups == group]
        frames.append(_top(items[items["doc_id"].isin(members)], group, len(members), top))
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def _items(frame: pd.DataFrame, kind: str, term: str, weight: str, label: str | None = None) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"doc_id": frame["doc_id"], "kind": kind, "term": frame[term],
                         "label": frame[label] if label else "", "weight": frame[weight].astype(float)})


def _top(items: pd.DataFrame, group: str, group_documents: int, top: int) -> pd.DataFrame:
    from .ranking import rank

    counted = rank(items, ["term", "label"], "weight", per="kind")
    counted = counted[counted["rank"] <= top]
    counted.insert(0, "group", group)
    counted.insert(1, "group_documents", group_documents)
    return counted


SUMMARY_READS = ("ingest", "dedup", "ner", "aliases", "keywords")  # the stage outputs a summary is made from ...
SUMMARY_NEEDS = ("ingest", "ner", "keywords")  # ... and those it cannot be made without


def summary_path(run: str | Path, by: str = SOURCE_FOLDER, unique_only: bool = False) -> Path:
    return Path(run) / "summary" / f"by-{by.replace('_', '-')}{'-unique' if unique_only else ''}.parquet"


def write_summary(run: str | Path, by: str = SOURCE_FOLDER, top: int = 20, unique_only: bool = False,
                  info: dict | None = None) -> Path:
    """Compute the summary and write it (atomically) to RUN/summary/by-<by>.parquet (with
    `unique_only`, by-<by>-unique.parquet); returns the path. `info` goes into its footer (the runner
    records the fingerprints of the outputs it was made from, and rewrites it when they change)."""
    frame = corpus_summary(run, by, top, unique_only)
    path = summary_path(run, by, unique_only)
    parts.write_parquet_atomic(pa.Table.from_pandas(frame, schema=SCHEMA, preserve_index=False), path, info)
    return path


def refresh_summary(run: str | Path) -> Path | None:
    """Rewrite the corpus summary when an output it reads changed; its footer keeps their
    fingerprints (reading 30,000 documents' keywords and entities takes seconds, so a rerun with
    nothing to do skips it). None when the run has not made every output it reads yet."""
    from ..digests import fingerprint
    from .. import __version__

    manifests = {stage: parts.read_manifest(Path(run), stage) for stage in SUMMARY_READS}
    if any(manifests[stage] is None for stage in SUMMARY_NEEDS):
        return None
    inputs = fingerprint("summary", __version__, [(m or {}).get("input_fingerprint") for m in manifests.values()])
    path = summary_path(run)
    if (parts.read_part_info(path) or {}).get("fingerprint") != inputs:
        write_summary(run, info={"fingerprint": inputs})
    return path
