"""Whole-pipeline throughput on VNTC news against a naive baseline, in one run on one machine.

    python benchmarks/pipeline_speed.py                    # 2,000 articles, 2 workers, baseline on 150
    python benchmarks/pipeline_speed.py --docs all         # all 33,759 articles
    python benchmarks/pipeline_speed.py --docs 500 --workers 1 --baseline-docs 30
    python benchmarks/pipeline_speed.py --docs 300 --baseline-docs 0 --shard-size 500   # one part, as before

The pipeline runs every stage into a fresh run directory. The baseline is the loop people write
without vnpipe: one process; for each article underthesea's `sent_tokenize`, then `word_tokenize`
and `ner` on each sentence (passing a whole article to `ner` is three times slower, and would flatter
vnpipe), with the models loaded before the clock starts. Both run in the same invocation, so other
load on the machine weighs on both. Printed: articles/s, characters/s, per-stage wall and CPU seconds
(CPU of the driver and of the workers for the parts they ran, in all and per article), peak memory
of the driver and of the largest worker, and the speed-up over the naive loop (in all and per core).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNTC = ROOT.parent / "shared" / "corpora" / "vntc"


def sample_articles(docs: int | None) -> list[str]:
    """JSONL lines of `docs` articles taken in turn from each topic file (all when None)."""
    files = sorted(VNTC.glob("*.jsonl"))
    handles = [open(path, encoding="utf-8") for path in files]
    lines: list[str] = []
    try:
        while handles and (docs is None or len(lines) < docs):
            for handle in list(handles):
                line = handle.readline()
                if not line:
                    handles.remove(handle)
                    handle.close()
                elif line.strip():
                    lines.append(line if line.endswith("\n") else line + "\n")
    finally:
        for handle in handles:
            handle.close()
    return lines[:docs] if docs else lines


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_pipeline(corpus: Path, out: Path, workers: int, engine: str, shard_size: int | None = None) -> dict:
    import pipeline
    from pipeline.stages import ingest

    started = time.perf_counter()
    cpu_before = _cpu_seconds()
    settings = pipeline.RunSettings(ingest=ingest.Settings(shard_size=shard_size), workers=workers, engine=engine)
    report = pipeline.run(corpus, out, settings, progress=False)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    return {
        "seconds": round(seconds, 1),
        # CPU seconds of the driver and its workers: a machine shared with other jobs slows the
        # clock, not the work, so CPU per article compares fairly with the naive loop's.
        "cpu_seconds": round(cpu, 1),
        "stages": {s.stage: {"seconds": round(s.seconds, 1), "cpu_seconds": round(s.cpu_seconds, 1),
                             "parts": s.parts_run + s.parts_reused, "out": s.documents_out, "errors": s.errors}
                   for s in report.stages},
        "driver_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # Worker processes have exited by now; this is the largest of them (or of the baseline
        # child, which is measured after this line is read).
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


BASELINE = """
import json, sys, time
from underthesea import ner, sent_tokenize, word_tokenize
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
# Load the models before the clock starts, as the pipeline's workers do.
for sentence in sent_tokenize("Hà Nội mưa. Ông An về quê."):
    word_tokenize(sentence)
    ner(sentence)
started, cpu = time.perf_counter(), time.process_time()
for text in texts:
    for sentence in sent_tokenize(text):
        word_tokenize(sentence)
        ner(sentence)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu, "docs": len(texts),
                  "chars": sum(len(t) for t in texts)}))
"""


def run_baseline(corpus_file: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", BASELINE, str(corpus_file)], capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="2000", help="articles to run through the pipeline, or 'all'")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", default="local", choices=("local", "dask"))
    parser.add_argument("--shard-size", type=int, help="documents per part (default: vnpipe's, sized from the corpus)")
    parser.add_argument("--baseline-docs", type=int, default=150,
                        help="articles for the naive loop (it is slow; 0 skips it)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--out", type=Path, help="keep the run here (default: a temporary folder, deleted)")
    args = parser.parse_args()

    lines = sample_articles(None if args.docs == "all" else int(args.docs))
    texts_bytes = sum(len(json.loads(line)["text"].encode("utf-8")) for line in lines)
    texts_chars = sum(len(json.loads(line)["text"]) for line in lines)
    with tempfile.TemporaryDirectory(prefix="vnpipe-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / "vntc.jsonl").write_text("".join(lines), encoding="utf-8")
        result = run_pipeline(corpus, args.out or Path(tmp) / "run", args.workers, args.engine, args.shard_size)
        baseline = None
        if args.baseline_docs:
            baseline_file = Path(tmp) / "baseline.jsonl"
            baseline_file.write_text("".join(islice(lines, args.baseline_docs)), encoding="utf-8")
            baseline = run_baseline(baseline_file)

    docs = len(lines)
    figures = {
        "documents": docs, "megabytes": round(texts_bytes / 1e6, 1), "characters": texts_chars,
        "workers": args.workers, "engine": args.engine, **result,
        "documents_per_second": round(docs / result["seconds"], 1),
        "megabytes_per_second": round(texts_bytes / 1e6 / result["seconds"], 3),
        "characters_per_second": round(texts_chars / result["seconds"]),
    }
    if baseline:
        baseline_rate = baseline["docs"] / baseline["seconds"]
        figures["baseline"] = {"documents": baseline["docs"], "seconds": round(baseline["seconds"], 1),
                               "documents_per_second": round(baseline_rate, 2),
                               "characters_per_second": round(baseline["chars"] / baseline["seconds"])}
        figures["speedup"] = round(figures["documents_per_second"] / baseline_rate, 2)
        figures["speedup_per_core"] = round(figures["speedup"] / args.workers, 2)
        # Work per article, whatever else the machine was doing: CPU seconds of the loop over ours.
        figures["speedup_cpu"] = round((baseline["cpu_seconds"] / baseline["docs"]) / (result["cpu_seconds"] / docs), 2)

    print(f"vnpipe, {docs} VNTC articles ({figures['megabytes']} MB), {args.workers} workers, {args.engine} engine")
    print(f"  wall {result['seconds']} s: {figures['documents_per_second']} documents/s, "
          f"{figures['megabytes_per_second']} MB/s, {figures['characters_per_second']} characters/s")
    print(f"  {'stage':<10} {'wall s':>8} {'CPU s':>8} {'CPU ms/article':>15}  parts")
    for stage, values in result["stages"].items():
        print(f"  {stage:<10} {values['seconds']:>8} {values['cpu_seconds']:>8} "
              f"{1000 * values['cpu_seconds'] / docs:>15.1f}  {values['parts']}   "
              f"{values['out']} out, {values['errors']} errors")
    staged = sum(values["cpu_seconds"] for values in result["stages"].values())
    # The rest: starting worker processes and importing vnpipe in them, the summary, the engine.
    print(f"  CPU {result['cpu_seconds']} s in all (driver and workers), {1000 * result['cpu_seconds'] / docs:.1f} ms "
          f"per article; {result['cpu_seconds'] - staged:.1f} s outside the stages")
    print(f"  peak memory: driver {result['driver_peak_mb']} MB, largest worker {result['worker_peak_mb']} MB")
    if baseline:
        b = figures["baseline"]
        print(f"naive loop (one process: underthesea sent_tokenize, then word_tokenize and ner per sentence), "
              f"{b['documents']} articles:")
        print(f"  {b['documents_per_second']} documents/s, {b['characters_per_second']} characters/s")
        print(f"speed-up: {figures['speedup']}x ({figures['speedup_per_core']}x per core); CPU seconds per article: "
              f"{figures['speedup_cpu']}x fewer ({result['cpu_seconds'] / docs:.3f} s against "
              f"{baseline['cpu_seconds'] / baseline['docs']:.3f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
