"""How many documents boilerplate removal cuts by more than half, over all of VNTC and viwiki.

    python benchmarks/boilerplate_losses.py                 # every document of both corpora
    python benchmarks/boilerplate_losses.py --limit 2000 --show 10

Each article goes through the normalize stage as a run would read it (one JSONL record, its text);
a document "loses" more than half when the characters its `removed` audit covers exceed half of
its characters. Printed: the documents read, those that lose more than half (by the rule that
removed most of them, with examples to read), and the documents the safety net kept with a
`suspicious_removal` warning (when the stage has one). Works on any version of vnpipe, so the same
command measures before and after a change.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"


def documents(limit: int | None):
    paths = [*sorted((CORPORA / "vntc").glob("*.jsonl")), CORPORA / "viwiki" / "viwiki.jsonl"]
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if limit is not None and number >= limit:
                    break
                record = json.loads(line)
                yield f"{path.parent.name}/{record.get('id', number)}", record["text"]


def judge(item: tuple[str, str]) -> tuple[str, int, int, str, list]:
    from pipeline.stages.normalize import Normalize

    name, text = item
    row = Normalize().process({"doc_id": name, "text": text, "title": None, "metadata": None})
    by_reason: Counter = Counter()
    for removed in row["removed"]:
        by_reason[removed["reason"]] += removed["end"] - removed["start"]
    top = by_reason.most_common(1)[0][0] if by_reason else ""
    return name, len(text), sum(by_reason.values()), top, row.get("warnings") or []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="articles per file (default: all)")
    parser.add_argument("--show", type=int, default=20, help="documents listed of each kind")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write every document that loses more than half here")
    args = parser.parse_args()
    total = 0
    losers, warned = [], []
    with ProcessPoolExecutor(args.workers) as pool:
        for name, characters, removed, rule, warnings in pool.map(judge, documents(args.limit), chunksize=64):
            total += 1
            if characters and removed * 2 > characters:
                losers.append({"document": name, "characters": characters, "removed": removed, "rule": rule})
            if warnings:
                warned.append({"document": name, "characters": characters, **warnings[0]})
    print(f"{total:,} documents; {len(losers):,} lose more than half of their characters "
          f"({100 * len(losers) / max(total, 1):.2f}%); {len(warned):,} kept by the safety net with a warning")
    for rule, n in Counter(loser["rule"] for loser in losers).most_common():
        print(f"  {rule:20} {n:6,}")
    for loser in sorted(losers, key=lambda l: -l["removed"])[:args.show]:
        print(f"  lost {loser['removed']:,} of {loser['characters']:,} ({loser['rule']}): {loser['document']}")
    for warning in warned[:args.show]:
        print(f"  warned ({warning['rule']}, {warning['characters']:,} characters): {warning['document']}")
    if args.json:
        args.json.write_text(json.dumps({"losers": losers, "warned": warned}, ensure_ascii=False, indent=1),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
