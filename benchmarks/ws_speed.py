"""Word segmentation speed: sentences per second on one core, vnpipe vs underthesea vs pyvi.

Run from the repository root: `python benchmarks/ws_speed.py [GOLD] [--limit N]`. Every backend
segments the same sentences (VLSP 2013 test by default, gold syllables joined by spaces), once
to warm up on a few sentences, then timed: all in one call (as the segment stage passes a part's
sentences; the vnpipe segmenter works in batches), then one sentence a call. Speed is per core: the process is pinned to core 0, and
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


def sentences_per_second(name: str, sentences: list[str], together: bool) -> float:
    """With `together`, all sentences in one `segment_many` call, as the segment stage passes a part's
    sentences; else one `segment` call each."""
    segmenter = get_segmenter(name)
    segmenter.segment_many(sentences[:20])
    started = time.process_time()
    if together:
        segmenter.segment_many(sentences)
    else:
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
    print(f"{len(sentences)} sentences from {args.gold}, one core; sentences/s all at once, one at a time")
    for name in BACKENDS:
        print(f"{name:12s} {sentences_per_second(name, sentences, True):8.1f} "
              f"{sentences_per_second(name, sentences, False):8.1f}")


if __name__ == "__main__":
    main()
