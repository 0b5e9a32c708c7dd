"""`vnpipe eval dedup GOLD --run RUN`: precision and recall of duplicate pairs, against a gold file.

The gold file is UTF-8 TSV, one pair a line (blank lines, `#` comments and a header line starting
with `a<TAB>b` are skipped):

    a<TAB>b<TAB>label[<TAB>kind]

* `a`, `b` name two documents of the run: by the record's `id` field, its `doc_id`, its source path
  (a one-document file such as `news/a.txt`) or `SOURCE#RECORD` (`news.jsonl#12`, records from 0);
* `label` is `duplicate` or `distinct`;
* `kind` (optional, free text) groups pairs in the report: `header-footer`, `same-event`, ...

Duplicate pairs join documents into gold clusters (transitively). Every other pair of the run's
documents counts as distinct, so the gold must list every duplicate among them; `distinct` lines
are the hard negatives you want reported by kind. Pairs are scored over clusters: a predicted pair
is two documents in one dedup cluster, precision is the share of predicted pairs that are gold
pairs, recall the share of gold pairs predicted. Beside the run's clusters, the exact-hash baseline
(clusters of identical normalized text) and, with `thresholds`/`bands`, the clusters those settings
give, re-clustered from the run's sketches without rerunning anything.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..outputs.results import read_stage, require_run
from ..runtime import parts
from ..stages.dedup import Dedup, cluster, signature_matrix

LABELS = ("duplicate", "distinct")


@dataclasses.dataclass(frozen=True)
class GoldPair:
    a: str
    b: str
    label: str
    kind: str
    line: int


def read_gold(path: str | Path) -> list[GoldPair]:
    pairs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("a\tb"):
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) not in (3, 4) or fields[2] not in LABELS:
            raise ValueError(f"{path}, line {number}: expected `a<TAB>b<TAB>duplicate|distinct[<TAB>kind]`, "
                             f"got {line!r}")
        pairs.append(GoldPair(fields[0], fields[1], fields[2], fields[3] if len(fields) == 4 else fields[2], number))
    return pairs


def document_names(ingest: Any) -> dict[str, int]:
    """Every name a gold file may use for a document, to its position in corpus order."""
    names: dict[str, int] = {}
    ambiguous: set[str] = set()
    records = ingest["source"].value_counts()
    for index, row in enumerate(ingest.itertuples()):
        keys = {row.doc_id, f"{row.source}#{row.record}"}
        if row.source_id:
            keys.add(str(row.source_id))
        if records[row.source] == 1:
            keys.add(row.source)
        for key in keys:
            if key in names and names[key] != index:
                ambiguous.add(key)
            names[key] = index
    for key in ambiguous:
        names[key] = -1
    return names


def cluster_pairs(labels: np.ndarray) -> set[tuple[int, int]]:
    """Every pair (i < j) of documents with the same cluster label."""
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels.tolist()):
        members[label].append(index)
    return {pair for group in members.values() if len(group) > 1 for pair in itertools.combinations(group, 2)}


def score(predicted: set[tuple[int, int]], gold: set[tuple[int, int]], listed: list[tuple[GoldPair, int, int]],
          labels: np.ndarray) -> dict[str, Any]:
    found = len(predicted & gold)
    precision = found / len(predicted) if predicted else 1.0
    recall = found / len(gold) if gold else 1.0
    kinds: dict[str, dict[str, Any]] = {}
    for pair, a, b in listed:
        entry = kinds.setdefault(pair.kind, {"kind": pair.kind, "label": pair.label, "pairs": 0, "same_cluster": 0})
        entry["pairs"] += 1
        entry["same_cluster"] += int(labels[a] == labels[b])
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
            "predicted_pairs": len(predicted), "gold_pairs": len(gold), "correct_pairs": found,
            "kinds": sorted(kinds.values(), key=lambda k: (k["label"], k["kind"]))}


def evaluate(run: str | Path, gold_path: str | Path, thresholds: list[float] | None = None,
             bands: list[int] | None = None) -> dict[str, Any]:
    run = require_run(run)
    ingest = read_stage(run, "ingest")[["doc_id", "source", "record", "source_id"]]
    dedup = read_stage(run, "dedup")
    position = {doc_id: index for index, doc_id in enumerate(ingest["doc_id"])}
    names = document_names(ingest)
    gold_pairs = read_gold(gold_path)
    listed = []
    for pair in gold_pairs:
        found = [names.get(name) for name in (pair.a, pair.b)]
        for name, index in zip((pair.a, pair.b), found):
            if index is None:
                raise ValueError(f"{gold_path}, line {pair.line}: no document of {run} is named {name!r}")
            if index < 0:
                raise ValueError(f"{gold_path}, line {pair.line}: {name!r} names several documents of {run}; "
                                 "use its doc_id or SOURCE#RECORD")
        listed.append((pair, found[0], found[1]))
    # Gold clusters: the connected components of the duplicate pairs.
    n = len(ingest)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pair, a, b in listed:
        if pair.label == "duplicate":
            parent[root(a)] = root(b)
    gold_labels = np.array([root(i) for i in range(n)])
    for pair, a, b in listed:
        if pair.label == "distinct" and gold_labels[a] == gold_labels[b]:
            raise ValueError(f"{gold_path}, line {pair.line}: {pair.a} and {pair.b} are listed as distinct, but "
                             "the duplicate pairs put them in one cluster")
    gold = cluster_pairs(gold_labels)

    # The run's clusters, in ingest order (a document that failed before dedup is a cluster of its own).
    by_doc = dict(zip(dedup["doc_id"], dedup["cluster"]))
    run_labels = np.array([position.get(by_doc.get(doc_id, doc_id), -1 - i) for i, doc_id in enumerate(ingest["doc_id"])])
    manifest = parts.read_manifest(run, "dedup")
    settings = Dedup.Settings(**manifest["settings"])
    sketches = pa.concat_tables([parts.read_table(parts.sketch_dir(run, "dedup") / part) for part in manifest["parts"]])
    order = np.array([position[doc_id] for doc_id in sketches["doc_id"].to_pylist()], dtype=np.int64)
    hashes = sketches["text_hash"].to_pylist()
    signatures, has = signature_matrix(sketches["signature"], settings.num_perm)

    def labels_of(kept: np.ndarray) -> np.ndarray:
        labels = -1 - np.arange(n)  # documents without a sketch are alone
        labels[order] = order[kept]
        return labels

    exact_labels = labels_of(_exact_clusters(hashes))
    result = {"run": str(run), "gold": str(gold_path), "documents": n, "settings": dataclasses.asdict(settings),
              "dedup": score(cluster_pairs(run_labels), gold, listed, run_labels),
              "exact_hash": score(cluster_pairs(exact_labels), gold, listed, exact_labels), "sweep": []}
    for threshold, band_count in itertools.product(thresholds or [], bands or [settings.bands]):
        swept = dataclasses.replace(settings, threshold=threshold, bands=band_count)
        labels = labels_of(cluster(signatures, has, hashes, swept).kept)
        result["sweep"].append({"threshold": threshold, "bands": band_count,
                                **score(cluster_pairs(labels), gold, listed, labels)})
    return result


def _exact_clusters(hashes: list[str | None]) -> np.ndarray:
    first: dict[str, int] = {}
    return np.array([first.setdefault(value, index) if value is not None else index
                     for index, value in enumerate(hashes)], dtype=np.int64)
