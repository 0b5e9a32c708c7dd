"""Duplicates in all of VNTC, and the dedup stage's speed and memory.

    python benchmarks/dedup_vntc.py --out runs/vntc-dedup            # the figures in the README
    python benchmarks/dedup_vntc.py --out runs/vntc-dedup --million  # also cluster 1,000,000 synthetic signatures

1. `vnpipe run ../shared/corpora/vntc --out OUT --until dedup` (all cores): the stage's seconds
   beside normalize's, to compare with the per-stage seconds of a full run.
2. Signatures on one core, timed over every normalized article (documents/s per core), and the
   clustering of all of them, timed with its peak memory.
3. What the stage found: clusters, their sizes, the largest, and three clusters printed for reading.
4. With --million: one million signatures clustered, for the time and memory per million
   documents (VNTC's, repeated 30 times with every value shifted, so that the repeats are not
   duplicates of each other but each holds VNTC's duplicates).
"""
from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402
from pipeline.runtime import parts  # noqa: E402
from pipeline.stages.dedup import Dedup, cluster, signature_matrix  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "vntc-dedup")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "vntc")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--million", action="store_true")
    args = parser.parse_args()

    command = [sys.executable, "-m", "pipeline.cli", "run", str(args.corpus), "--out", str(args.out),
               "--until", "dedup", "--no-progress"] + (["--workers", str(args.workers)] if args.workers else [])
    subprocess.run(command, check=True, cwd=ROOT)
    for stage in ("ingest", "normalize", "dedup"):
        manifest = parts.read_manifest(args.out, stage)
        print(f"{stage}: {manifest['documents_out']} documents in {manifest['seconds']:.1f} s (that run)")

    stage = Dedup(Dedup.Settings(**parts.read_manifest(args.out, "dedup")["settings"]))
    texts = pipeline.read_stage(args.out, "normalize")[["doc_id", "text"]]
    started = time.perf_counter()
    sketches = [{"doc_id": d, **stage.sketch({"doc_id": d, "text": t})} for d, t in zip(texts["doc_id"], texts["text"])]
    seconds = time.perf_counter() - started
    chars = texts["text"].str.len().sum()
    print(f"signatures, one core: {len(texts)} documents in {seconds:.1f} s = {len(texts) / seconds:.0f} documents/s "
          f"({chars / seconds / 1e6:.1f} M characters/s)")

    table = pa.Table.from_pylist(sketches, schema=stage.sketch_schema)
    tracemalloc.start()
    started = time.perf_counter()
    totals = stage.fit_sketches(table)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"clustering, one core: {len(texts)} documents in {seconds:.2f} s = {len(texts) / seconds:.0f} documents/s, "
          f"peak {peak / 1e6:.0f} MB traced (signatures {table['signature'].nbytes / 1e6:.0f} MB in Arrow)")
    print("found:", totals)

    dedup = pipeline.read_run(args.out)
    members = dedup.groupby("cluster")
    sizes = members.size()
    sizes = sizes[sizes > 1].sort_values(ascending=False)
    print("cluster sizes:", sizes.value_counts().sort_index().to_dict())
    duplicates = dedup[dedup["duplicate_of"].notna()]
    print(f"duplicates: {len(duplicates)} ({int(duplicates['exact'].sum())} exact); similarity of the near ones: "
          f"{duplicates.loc[~duplicates['exact'], 'similarity'].describe().round(3).to_dict()}")
    by_topic = dedup.assign(topic=dedup["source"].str.replace(".jsonl", "", regex=False))
    print("duplicates by topic file:", by_topic[by_topic["duplicate_of"].notna()]["topic"].value_counts().to_dict())
    show = [sizes.index[0]]
    near = duplicates[~duplicates["exact"]]
    rng = random.Random(7)
    show += rng.sample(sorted(set(near["cluster"]) - set(show)), min(2, len(set(near["cluster"]))))
    for cluster_id in show:
        group = dedup[dedup["cluster"] == cluster_id]
        print(f"\n== cluster {cluster_id}: {len(group)} documents")
        for row in group.head(4).itertuples():
            similarity = "kept" if row.duplicate_of is None or row.duplicate_of != row.duplicate_of else \
                f"{'exact' if row.exact else f'{row.similarity:.2f}'}"
            print(f"-- {row.source}#{row.record} ({similarity}, {len(row.text)} chars): {row.text[:300]!r}")

    if args.million:
        signatures, has = signature_matrix(table["signature"], stage.settings.num_perm)
        hashes = table["text_hash"].to_pylist()
        copies = -(-1_000_000 // len(signatures))
        big = np.concatenate([signatures + np.uint32(i * 7919) for i in range(copies)])[:1_000_000]
        big_hashes = [f"{h}-{i}" if h else None for i in range(copies) for h in hashes][:1_000_000]
        tracemalloc.start()
        started = time.perf_counter()
        found = cluster(big, np.concatenate([has] * copies)[:1_000_000], big_hashes, stage.settings)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"\none million signatures ({big.nbytes / 1e6:.0f} MB): clustered in {seconds:.1f} s, peak "
              f"{peak / 1e6:.0f} MB traced; {found.summary()}")
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
