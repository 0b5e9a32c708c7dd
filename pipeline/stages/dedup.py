"""The dedup stage: exact and near-duplicate documents, found on the normalized text (after
boilerplate removal, so two sites' copies of one story match).

Each document gets a *sketch*: a hash of its normalized text and a MinHash signature (datasketch)
of its word shingles. A sketch depends only on the document and the settings, so the runner
computes sketches in the parts, on any engine, and reuses them across runs. Clustering then sees
every sketch at once, which is cheap: LSH banding (documents whose signatures agree on every row
of one band are candidates), a candidate pair is a duplicate when its estimated Jaccard similarity
reaches `threshold` (or its texts are identical), and clusters are the connected components of
duplicate pairs. The first document of a cluster in corpus order is the one kept; it names the
cluster.
"""
from __future__ import annotations

import functools
import itertools
import re
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .. import checks
from ..errors import InvalidSetting
from ..digests import fingerprint, text_digest
from .base import Stage, setting


@dataclass(frozen=True)
class Settings:
    # Defaults chosen on the benchmark of benchmarks/dedup_pairs.py (see the README's dedup section).
    shingle_size: int = setting(5, flag="--shingle-size", help="Dedup: words per shingle.")
    num_perm: int = setting(128, flag="--num-perm", help="Dedup: MinHash permutations (signature length).")
    bands: int = setting(64, flag="--bands", help="Dedup: LSH bands (must divide --num-perm); more find lower "
                         "similarities.")
    threshold: float = setting(0.45, flag="--dedup-threshold", help="Dedup: estimated Jaccard similarity of word "
                               "shingles from which two documents are duplicates.")
    seed: int = 1             # of the MinHash permutations

    def __post_init__(self) -> None:
        checks.at_least("--shingle-size (dedup.shingle_size)", self.shingle_size, 1)
        checks.at_least("--num-perm (dedup.num_perm)", self.num_perm, 1)
        checks.at_least("--bands (dedup.bands)", self.bands, 1)
        if self.num_perm % self.bands:
            raise InvalidSetting("--bands (dedup.bands)", self.bands, f"it must divide the number of permutations "
                                 f"(--num-perm {self.num_perm}) into rows of equal length")
        checks.within("--dedup-threshold (dedup.threshold)", self.threshold, 0, 1, low_open=True)


_WORD = re.compile(r"\w+")
_SIGNATURE = pa.list_(pa.uint32())
ALL_PAIRS_UP_TO = 24  # an LSH bucket this small gives all its pairs; a larger one each member's
                      # pairs with the first and the previous member (corpus order), which keeps it linear


def words(text: str) -> list[str]:
    """Lower-cased words of `text`: runs of letters and digits (punctuation and case never matter)."""
    return _WORD.findall(text.casefold())


def shingles(text: str, size: int) -> set[bytes]:
    """The distinct runs of `size` consecutive words (all of them when the text is shorter)."""
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i:i + size]).encode() for i in range(len(tokens) - size + 1)}


def text_hash(text: str) -> str:
    return text_digest(text)


@functools.cache
def _permutations(num_perm: int, seed: int) -> Any:
    from datasketch import MinHash  # imported where signatures are made: a run without dedup never pays for it

    return MinHash(num_perm=num_perm, seed=seed).permutations


def signature(text: str, settings: Settings) -> np.ndarray | None:
    """The MinHash signature (uint32, `num_perm` values) of the text's shingles; None for a text
    without words."""
    from datasketch import MinHash

    pieces = shingles(text, settings.shingle_size)
    if not pieces:
        return None
    # CRC-32 instead of datasketch's default SHA-1 makes a signature 1.5 times faster; the affine32
    # scheme mixes every input hash with the MurmurHash3 finalizer before permuting, so the estimates
    # are as good (no bias on 400 pairs; benchmarks/dedup_pairs.py gave the same precision and recall).
    minhash = MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme="affine32", hashfunc=zlib.crc32,
                      permutations=_permutations(settings.num_perm, settings.seed))
    minhash.update_batch(pieces)
    return minhash.hashvalues


# -- clustering over every sketch ---------------------------------------------------------------------

@dataclass
class Clusters:
    """Per document (corpus order): the index of the document kept for its cluster, the estimated
    Jaccard similarity to it (NaN for a kept document), and whether its text is identical to it."""

    kept: np.ndarray        # int64
    similarity: np.ndarray  # float32
    exact: np.ndarray       # bool

    def summary(self) -> dict[str, int]:
        index = np.arange(len(self.kept))
        duplicates = self.kept != index
        sizes = np.bincount(self.kept, minlength=len(self.kept))
        return {"duplicates": int(duplicates.sum()), "exact_duplicates": int((duplicates & self.exact).sum()),
                "clusters": int((sizes > 1).sum()), "largest_cluster": int(sizes.max(initial=0))}


def signature_matrix(column: pa.ChunkedArray | pa.Array, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The signatures of a `list<uint32>` column as an (n, num_perm) array, and which rows have one."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    has = ~np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    values = np.zeros((len(array), num_perm), dtype=np.uint32)
    if has.any():
        values[has] = np.asarray(array.drop_null().flatten().to_numpy(), dtype=np.uint32).reshape(-1, num_perm)
    return values, has


def cluster(signatures: np.ndarray, has_signature: np.ndarray, hashes: list[str | None],
            settings: Settings) -> Clusters:
    """Clusters of duplicates among n documents given in corpus order (see the module's docstring)."""
    n = len(hashes)
    pairs = [_exact_pairs(hashes), _candidate_pairs(signatures, has_signature, settings.bands)]
    candidates = np.unique(np.concatenate(pairs), axis=0) if n else np.zeros((0, 2), dtype=np.int64)
    same_text = _same_text(candidates, hashes)
    similar = same_text | (_similarity(signatures, candidates) >= settings.threshold)
    chosen = candidates[similar]
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(chosen), dtype=np.int8), (chosen[:, 0], chosen[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    first = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    kept = first[labels]
    members = np.flatnonzero(kept != np.arange(n))
    exact = np.zeros(n, dtype=bool)
    exact[members] = _same_text(np.stack([kept[members], members], axis=1), hashes)
    similarity = np.full(n, np.nan, dtype=np.float32)
    estimated = members[~exact[members]]
    similarity[estimated] = _similarity(signatures, np.stack([kept[estimated], estimated], axis=1))
    similarity[members[exact[members]]] = 1.0
    return Clusters(kept, similarity, exact)


def _exact_pairs(hashes: list[str | None]) -> np.ndarray:
    """Each document whose text another one before it has, paired with the first of them."""
    first: dict[str, int] = {}
    pairs = []
    for index, value in enumerate(hashes):
        if value is None:
            continue
        earlier = first.setdefault(value, index)
        if earlier != index:
            pairs.append((earlier, index))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _candidate_pairs(signatures: np.ndarray, has_signature: np.ndarray, bands: int) -> np.ndarray:
    """Pairs (i < j) of documents whose signatures are equal on all rows of at least one band."""
    rows = signatures.shape[1] // bands if bands else 0
    indices = np.flatnonzero(has_signature)
    found = [np.zeros((0, 2), dtype=np.int64)]
    for band in range(bands):
        block = np.ascontiguousarray(signatures[indices, band * rows:(band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        order = np.argsort(keys, kind="stable")  # stable: corpus order inside a bucket
        ordered = keys[order]
        starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        sizes = np.diff(np.concatenate([starts, [len(ordered)]]))
        pairs_of_two = starts[sizes == 2]  # most buckets: one pair each, taken at once
        found.append(np.stack([indices[order[pairs_of_two]], indices[order[pairs_of_two + 1]]], axis=1))
        for start, size in zip(starts[sizes > 2], sizes[sizes > 2]):
            bucket = indices[order[start:start + size]]
            if size <= ALL_PAIRS_UP_TO:
                found.append(np.array(list(itertools.combinations(bucket, 2)), dtype=np.int64))
            else:
                found.append(np.stack([np.full(size - 1, bucket[0]), bucket[1:]], axis=1))
                found.append(np.stack([bucket[:-1], bucket[1:]], axis=1))
    return np.concatenate(found)


def _similarity(signatures: np.ndarray, pairs: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Estimated Jaccard similarity of each pair: the share of signature rows that agree."""
    out = np.zeros(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), chunk):
        a, b = pairs[start:start + chunk, 0], pairs[start:start + chunk, 1]
        out[start:start + chunk] = (signatures[a] == signatures[b]).mean(axis=1)
    return out


def _same_text(pairs: np.ndarray, hashes: list[str | None]) -> np.ndarray:
    return np.array([hashes[a] is not None and hashes[a] == hashes[b] for a, b in pairs], dtype=bool)


# -- the stage --------------------------------------------------------------------------------------

class Dedup(Stage):
    name = "dedup"
    version = "1"
    reads = {"normalize": ("text",)}
    Settings = Settings
    exposes = {"cluster": "cluster", "duplicate_of": "duplicate_of", "similarity": "similarity", "exact": "exact"}
    marks_duplicates = "duplicate_of"
    corpus_level = True
    schema = pa.schema([
        ("doc_id", pa.string()),
        ("cluster", pa.string()),       # the doc_id of the cluster's first document in corpus order
        ("duplicate_of", pa.string()),  # that doc_id for the others; null for the one kept
        ("similarity", pa.float32()),   # estimated Jaccard similarity to the kept one (1 when exact); null for it
        ("exact", pa.bool_()),          # same normalized text as the kept one
    ])
    sketch_schema = pa.schema([("doc_id", pa.string()), ("text_hash", pa.string()), ("signature", _SIGNATURE)])

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.doc_ids: list[str] = []
        self.position: dict[str, int] = {}
        self.clusters: Clusters | None = None

    def sketch_fingerprint(self) -> str:
        # Signatures depend on the shingles and the permutations; bands and threshold only on clustering.
        return fingerprint(self.name, self.version, self.settings.shingle_size, self.settings.num_perm,
                           self.settings.seed)

    def sketch(self, document: dict[str, Any]) -> dict[str, Any]:
        text = document["text"] or ""
        values = signature(text, self.settings)
        return {"text_hash": text_hash(text) if text else None,
                "signature": None if values is None else values.tolist()}

    def fit_sketches(self, sketches: pa.Table) -> dict[str, int]:
        self.doc_ids = sketches["doc_id"].to_pylist()
        self.position = {doc_id: index for index, doc_id in enumerate(self.doc_ids)}
        signatures, has = signature_matrix(sketches["signature"], self.settings.num_perm)
        self.clusters = cluster(signatures, has, sketches["text_hash"].to_pylist(), self.settings)
        return self.clusters.summary()

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        if self.clusters is None:
            raise RuntimeError("dedup: fit_sketches() must see every sketch before process()")
        index = self.position[document["doc_id"]]
        kept = int(self.clusters.kept[index])
        duplicate = kept != index
        return {"cluster": self.doc_ids[kept], "duplicate_of": self.doc_ids[kept] if duplicate else None,
                "similarity": round(float(self.clusters.similarity[index]), 4) if duplicate else None,
                "exact": bool(self.clusters.exact[index])}
