"""A hash of the ner stage's entities over VNTC articles: the check that a speed-up changed no output.

    python benchmarks/ner_hashes.py                  # 400 articles (40 of each topic), vnpipe-neural
    python benchmarks/ner_hashes.py --articles 100 --ner vnpipe

The articles go through the normalize and segment stages, then the ner stage's `process_batch` in
parts (as the runner calls it, document pass included). Printed: the number of sentences and
entities, and a SHA-256 of every entity's offsets, label, canonical name and confidence (rounded to
4 places), in document order. Run it before and after a change; the hashes must be the same.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
from pathlib import Path

VNTC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "vntc"


def vntc_articles(per_topic: int) -> list[str]:
    """The first `per_topic` articles of each VNTC topic, topics in name order."""
    texts = []
    for path in sorted(VNTC.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in itertools.islice(handle, per_topic)]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400, help="articles, the same number from each topic")
    parser.add_argument("--ner", default="vnpipe-neural", help="the ner backend")
    parser.add_argument("--part", type=int, default=64, help="documents per process_batch call")
    args = parser.parse_args()

    from pipeline.stages.ner import Ner, Settings
    from pipeline.stages.normalize import Normalize
    from pipeline.stages.segment import Segment

    normalize, segment, ner = Normalize(), Segment(), Ner(Settings(backend=args.ner))
    topics = len(list(VNTC.glob("*.jsonl")))
    documents = []
    for number, text in enumerate(vntc_articles(args.articles // topics)):
        document = {"doc_id": str(number), "text": text}
        document.update(normalize.process(document))
        document.update(segment.process(document))
        documents.append(document)
    digest, entities = hashlib.sha256(), 0
    for first in range(0, len(documents), args.part):
        for document, row in zip(documents[first:first + args.part],
                                 ner.process_batch(documents[first:first + args.part])):
            for e in row["entities"]:
                digest.update(json.dumps([document["doc_id"], e["start"], e["end"], e["orig_start"], e["orig_end"],
                                          e["label"], e["canonical"], round(e["confidence"], 4)],
                                         ensure_ascii=False).encode("utf-8"))
                entities += 1
    sentences = sum(len(document["sentences"]) for document in documents)
    print(f"{args.ner}: {len(documents)} articles, {sentences} sentences, {entities} entities, "
          f"sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
