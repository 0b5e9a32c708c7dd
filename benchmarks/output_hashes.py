"""Hashes of every stage's rows after a run, to check that a change of code (a refactor, a speed-up)
changes no output.

    python benchmarks/output_hashes.py                   # data/sample and 2,000 VNTC articles
    python benchmarks/output_hashes.py --docs 500 --no-sample
    python benchmarks/output_hashes.py --compare benchmarks/out/hashes-before.json

Each stage's table is read in doc_id order, its floats rounded to 4 decimals (the last digit of a
confidence may differ between CPUs), and hashed as JSON. The run itself is the library's `run`
with its default settings; printed: one line a stage, and with --compare, which stages differ.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_speed import sample_articles  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def stage_hashes(run: Path) -> dict[str, str]:
    """doc_id-ordered hash of each stage's rows (the parts the manifest lists)."""
    from pipeline.outputs.results import output_digest

    return {manifest.parent.name: output_digest(run, manifest.parent.name, decimals=4)
            for manifest in sorted(run.glob("*/_manifest.json"))}


def run_and_hash(corpus: Path, out: Path) -> dict[str, str]:
    import pipeline

    pipeline.run(corpus, out, progress=False)
    return stage_hashes(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000, help="VNTC articles (0: none)")
    parser.add_argument("--no-sample", action="store_true", help="leave out data/sample")
    parser.add_argument("--save", type=Path, help="write the hashes to this JSON file")
    parser.add_argument("--compare", type=Path, help="compare with hashes saved by --save")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.no_sample:
            results["sample"] = run_and_hash(ROOT / "data" / "sample", tmp / "sample-run")
        if args.docs:
            corpus = tmp / "vntc"
            corpus.mkdir()
            (corpus / "articles.jsonl").write_text("".join(sample_articles(args.docs)), encoding="utf-8")
            results[f"vntc-{args.docs}"] = run_and_hash(corpus, tmp / "vntc-run")
    for corpus, hashes in results.items():
        for stage, digest in hashes.items():
            print(f"{corpus:12} {stage:10} {digest}")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        differ = [(corpus, stage) for corpus, hashes in results.items() for stage, digest in hashes.items()
                  if before.get(corpus, {}).get(stage) != digest]
        print("identical" if not differ else "differ: " + ", ".join(f"{c}/{s}" for c, s in differ))
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
