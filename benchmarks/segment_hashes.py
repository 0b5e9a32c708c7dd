"""Fingerprints of the vnpipe segmenter's output, to show that a change to its code changes no word or tag.

Run from the repository root: `python benchmarks/segment_hashes.py [--dump FILE]`. It segments the
sentences of the four gold test sets (syllables joined by spaces) and of 200 VNTC articles (raw text,
split by `split_sentences`), one sentence at a time and then all at once (`segment_many`), and prints
a hash of the (start, end, POS) words of each source; `--dump` writes every sentence's words, to diff.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.backends.wordseg import get_segmenter  # noqa: E402
from pipeline.evaluate.ws import gold_sentence, read_gold  # noqa: E402
from pipeline.text.sentences import split_sentences  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLD_SETS = ("vlsp2013", "vlsp2016", "ud-vtb", "ud-tuecl")


def vntc_sentences(articles: int = 200) -> list[str]:
    """The sentences of `articles` VNTC articles, taken in turn from each topic file."""
    handles = [open(path, encoding="utf-8") for path in sorted((SHARED / "corpora" / "vntc").glob("*.jsonl"))]
    texts: list[str] = []
    while len(texts) < articles:
        for handle in handles:
            texts.append(json.loads(handle.readline())["text"])
    for handle in handles:
        handle.close()
    return [text[start:end] for text in texts[:articles] for start, end in split_sentences(text)]


def sources() -> dict[str, list[str]]:
    found = {name: [gold_sentence(words)[0] for words in read_gold(SHARED / "eval" / "ws" / name / "test.txt")]
             for name in GOLD_SETS}
    found["vntc"] = vntc_sentences()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", help="write each sentence's words to this file (JSON lines)")
    args = parser.parse_args()
    segmenter = get_segmenter("vnpipe")
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None
    overall = hashlib.sha256()
    for name, sentences in sources().items():
        one_at_a_time = [segmenter.segment(sentence) for sentence in sentences]
        if hasattr(segmenter, "segment_many") and segmenter.segment_many(sentences) != one_at_a_time:
            raise SystemExit(f"{name}: segment_many differs from segment one sentence at a time")
        digest = hashlib.sha256(json.dumps(one_at_a_time, ensure_ascii=False).encode()).hexdigest()
        overall.update(digest.encode())
        print(f"{name:10s} {len(sentences):5d} sentences  {digest[:16]}")
        if dump:
            for sentence, words in zip(sentences, one_at_a_time):
                dump.write(json.dumps([sentence, words], ensure_ascii=False) + "\n")
    print(f"{'all':10s} {overall.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
