"""Word segmentation speed: sentences per second on one core, vnpipe vs underthesea vs pyvi.

Run from the repository root: `python benchmarks/ws_speed.py [GOLD] [--limit N]`. Every backend
segments the same sentences (VLSP 2013 test by default, gold syllables joined by spaces), once
to warm up on a few sentences, then timed. Speed is per core: the process is pinned to core 0, and
the time is the process's CPU time (other jobs on the machine slow the clock, not the work).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.evaluate.ws import gold_sentence, read_gold  # noqa: E402
from pipeline.backends.wordseg import BACKENDS, get_segmenter  # noqa: E402

DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "ws" / "vlsp2013" / "test.txt"


def sentences_per_second(name: str, sentences: list[str]) -> float:
    segmenter = get_segmenter(name)
    for sentence in sentences[:20]:
        segmenter.segment(sentence)
    started = time.process_time()
    for sentence in sentences:
        segmenter.segment(sentence)
    return len(sentences) / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD))
    parser.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    args = parser.parse_args()
    os.sched_setaffinity(0, {0})
    sentences = [gold_sentence(words)[0] for words in read_gold(args.gold)]
    if args.limit:
        sentences = sentences[:args.limit]
    print(f"{len(sentences)} sentences from {args.gold}, one core")
    for name in BACKENDS:
        print(f"{name:12s} {sentences_per_second(name, sentences):8.1f} sentences/s")


if __name__ == "__main__":
    main()
