"""Normalize stage throughput in MB/s (of UTF-8 input text) on one core, over VNTC.

Run from the repository root: `python benchmarks/normalize_speed.py [--limit N]`. Takes the first
N/10 articles of each VNTC topic file (N = 3,000 by default), normalizes each once to warm up a few,
then times `Normalize.run` over all of them (what the runner calls, errors table included).
The process is pinned to one core and the figure is CPU time, so it is per core even on a busy
machine (wall-clock time is printed too).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.stages.normalize import Normalize, Settings  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "vntc"


def load(corpus: Path, limit: int) -> list[dict]:
    files = sorted(corpus.glob("*.jsonl"))
    per_file = max(1, limit // len(files))
    documents = []
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(islice(handle, per_file)):
                record = json.loads(line)
                documents.append({"doc_id": f"{path.stem}:{number}", "text": record["text"],
                                  "title": None, "metadata": json.dumps({"topic": record["topic"]})})
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS), type=Path)
    parser.add_argument("--limit", type=int, default=3000, help="documents in all (default 3000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    parser.add_argument("--diacritics", default="auto", choices=("auto", "off"),
                        help="off: without looking for text typed without marks (normalize --diacritics off)")
    args = parser.parse_args()
    os.sched_setaffinity(0, {0})
    documents = load(args.corpus, args.limit)
    megabytes = sum(len(doc["text"].encode("utf-8")) for doc in documents) / 1e6
    stage = Normalize(Settings(diacritics=args.diacritics))
    stage.run(documents[:20])
    best = best_cpu = float("inf")
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = stage.run(documents)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    # CPU time is the per-core figure when other processes share the core; wall time is also given.
    print(json.dumps({"documents": len(documents), "megabytes": round(megabytes, 2),
                      "cpu_seconds": round(best_cpu, 2), "wall_seconds": round(best, 2),
                      "mb_per_second_per_core": round(megabytes / best_cpu, 2),
                      "mb_per_second_wall": round(megabytes / best, 2), "errors": len(result.errors),
                      "diacritics": args.diacritics}))


if __name__ == "__main__":
    main()
