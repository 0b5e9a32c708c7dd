"""Our NER models side by side in one run (`vnpipe` and `vnpipe-unseen`; benchmarks/ner_speed.py compares
with underthesea): sentences per CPU-second (one core, so other jobs on the machine do not count), on
VLSP 2016 test, each sentence alone, two ways: the tagger on the gold words, and our segmenter + the
tagger on the raw sentence.

    python benchmarks/ner_models_speed.py [--rounds 2] [--taggers vnpipe,vnpipe-unseen]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.backends.nertag import get_tagger
from pipeline.backends.wordseg import get_segmenter
from pipeline.evaluate.ner import SHARED_EVAL_DIR, read_gold


def sentences_per_cpu_second(work, sentences) -> float:
    started = time.process_time()
    for sentence in sentences:
        work(sentence)
    return len(sentences) / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SHARED_EVAL_DIR / "vlsp2016" / "word" / "test.conll")
    parser.add_argument("--taggers", default="vnpipe,vnpipe-unseen")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sentences = read_gold(args.gold)
    segmenter = get_segmenter("vnpipe")
    taggers = {name: get_tagger(name) for name in args.taggers.split(",")}
    for tagger in taggers.values():  # warm the caches once
        tagger.tag(sentences[0].text, sentences[0].words)
    for round_ in range(1, args.rounds + 1):
        for name, tagger in taggers.items():
            alone = sentences_per_cpu_second(lambda s: tagger.tag(s.text, s.words), sentences)
            with_segmenter = sentences_per_cpu_second(lambda s: tagger.tag(s.text, segmenter.segment(s.text)),
                                                      sentences)
            print(f"round {round_} {name:14s} tagger {alone:6.0f} sentences/s   segmenter + tagger "
                  f"{with_segmenter:6.0f} sentences/s   ({len(sentences)} sentences)", flush=True)


if __name__ == "__main__":
    main()
