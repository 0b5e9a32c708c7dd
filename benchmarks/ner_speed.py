"""NER speed: sentences per second on one core, vnpipe's tagger beside underthesea's `ner`.

    python benchmarks/ner_speed.py                 # 2,000 sentences of VNTC news
    python benchmarks/ner_speed.py --limit 500

Every tagger sees the same sentences (the first articles of each VNTC topic, split by the normalize
stage). Printed, after a warm-up on a few sentences:
* vnpipe ner: our CRF on words the segmenter found beforehand, one sentence at a time, and
  `tag_document` (two passes over each article, as the stage runs it);
* vnpipe-neural ner: the ONNX BiLSTM-CRF on the same words with its document pass, all articles'
  sentences in one batched call (as the ner stage calls it for a part; every sentence is still tagged
  alone), each article in one call, and one sentence per call;
* vnpipe segment + ner: both, so the figure compares with underthesea's `ner`, which segments,
  POS-tags and chunks the sentence itself;
* underthesea ner, one sentence at a time.
Speed is per core: the process is pinned to one core, and the time is its CPU time (other jobs on
the machine slow the clock, not the work).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

VNTC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "vntc"


def articles(limit: int) -> list[list[str]]:
    """Articles in turn from each topic, as lists of sentences, until `limit` sentences."""
    from pipeline.stages.normalize import Normalize

    normalize = Normalize()
    handles = [open(path, encoding="utf-8") for path in sorted(VNTC.glob("*.jsonl"))]
    found: list[list[str]] = []
    total = 0
    try:
        while total < limit and handles:
            for handle in list(handles):
                line = handle.readline()
                if not line:
                    handles.remove(handle)
                    continue
                row = normalize.process({"doc_id": "x", "text": json.loads(line)["text"]})
                sentences = [row["text"][s["start"]:s["end"]] for s in row["sentences"]][:limit - total]
                found.append(sentences)
                total += len(sentences)
                if total >= limit:
                    break
    finally:
        for handle in handles:
            handle.close()
    return found


def per_second(count: int, work) -> float:
    started = time.process_time()
    work()
    return count / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=2000, help="sentences to tag")
    parser.add_argument("--core", type=int, default=0, help="the core to pin the process to")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})

    from underthesea import ner as underthesea_ner

    from pipeline.backends.nertag import get_tagger
    from pipeline.backends.wordseg import get_segmenter

    documents = articles(args.limit)
    sentences = [sentence for document in documents for sentence in document]
    n = len(sentences)
    segmenter, tagger, neural = get_segmenter("vnpipe"), get_tagger("vnpipe"), get_tagger("vnpipe-neural")
    for sentence in sentences[:20]:  # load and warm up every model
        tagger.tag(sentence, segmenter.segment(sentence))
        neural.tag(sentence, segmenter.segment(sentence))
        underthesea_ner(sentence)
    words = [segmenter.segment(sentence) for sentence in sentences]
    inputs = list(zip(sentences, words))
    by_document, k = [], 0
    for document in documents:
        by_document.append(inputs[k:k + len(document)])
        k += len(document)

    print(f"{n} sentences of {len(documents)} VNTC articles, one core")
    rates = {
        "vnpipe ner (segmented), sentence by sentence": per_second(n, lambda: [tagger.tag(s, w) for s, w in inputs]),
        "vnpipe ner (segmented), tag_document": per_second(n, lambda: [tagger.tag_document(d) for d in by_document]),
        "vnpipe-neural ner (segmented), all articles in one call": per_second(
            n, lambda: neural.tag_documents(by_document)),
        "vnpipe-neural ner (segmented), one call per article": per_second(
            n, lambda: [neural.tag_document(d) for d in by_document]),
        "vnpipe-neural ner (segmented), one call per sentence": per_second(
            n, lambda: [neural.tag(s, w) for s, w in inputs]),
        "vnpipe segment + ner, sentence by sentence": per_second(
            n, lambda: [tagger.tag(s, segmenter.segment(s)) for s in sentences]),
        "underthesea ner, sentence by sentence": per_second(n, lambda: [underthesea_ner(s) for s in sentences]),
    }
    for name, rate in rates.items():
        print(f"  {name:<52} {rate:8.1f} sentences/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (all the models above loaded): {peak:.0f} MB")


if __name__ == "__main__":
    main()
