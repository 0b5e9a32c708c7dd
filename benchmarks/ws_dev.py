"""Word segmentation dev figures: how training choices move the three dev measures (never a test set).

Run from the repository root: `python benchmarks/ws_dev.py [--variants a,b] [--jobs N]`.
Each variant trains a segmenter on VLSP 2016 train minus its last 1,861 sentences plus UD-VTB train
(into benchmarks/out/ws_dev/NAME, the POS model copied from models/ws) and is scored on:

* `vtb_dev`: UD-VTB dev (Viet Treebank conventions as UD writes them);
* `v16_heldout`: the last 1,861 sentences of VLSP 2016 train, gold as written (names split);
* `silver_dev`: agreement with underthesea's VLSP 2013 CRF (+ our rules) on the sentences of the last
  40 articles of each VNTC topic. VLSP 2013 has no train or dev split here, and underthesea learned its
  conventions from VLSP 2013 train, so this is the only dev-side view of those conventions we have:
  it measures convention, not accuracy (underthesea itself scores 100 on it).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.evaluate.ws import evaluate, read_gold  # noqa: E402
from pipeline.text.sentences import split_sentences  # noqa: E402
from pipeline.train.ws import SHARED, Settings, example_of, read_segment_gold, train_segmenter  # noqa: E402
from pipeline.backends.wordseg import MODEL_DIR, UndertheseaSegmenter, VnpipeSegmenter, load_rules  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "ws_dev"
VNTC = SHARED.parent / "corpora" / "vntc"
HELD_OUT = 1861
SILVER_ARTICLES = 40  # per topic, from the end of each file

VARIANTS = {
    "current": {},
    "pairs5_80": {"harmonize_min_count": 5, "harmonize_min_rate": 0.8},
    "pairs3_70": {"harmonize_min_count": 3, "harmonize_min_rate": 0.7},
    "pairs3_60": {"harmonize_min_count": 3, "harmonize_min_rate": 0.6},
    "pairs2_70": {"harmonize_min_count": 2, "harmonize_min_rate": 0.7},
    "pairs2_60": {"harmonize_min_count": 2, "harmonize_min_rate": 0.6},
    "confident": {"harmonize_confident": True},
    "confident+pairs5_80": {"harmonize_confident": True, "harmonize_min_count": 5, "harmonize_min_rate": 0.8},
    "confident+pairs3_70": {"harmonize_confident": True, "harmonize_min_count": 3, "harmonize_min_rate": 0.7},
}


def prepare_dev_sets() -> None:
    gold = OUT / "gold"
    gold.mkdir(parents=True, exist_ok=True)
    vlsp2016 = read_gold(SHARED / "ws/vlsp2016/train.txt")
    write_gold(gold / "v16_heldout.txt", vlsp2016[-HELD_OUT:])
    shutil.copy(SHARED / "ws/ud-vtb/dev.txt", gold / "vtb_dev.txt")
    underthesea = UndertheseaSegmenter(load_rules())
    silver = []
    for path in sorted(VNTC.glob("*.jsonl")):
        for record in path.read_text(encoding="utf-8").splitlines()[-SILVER_ARTICLES:]:
            for line in json.loads(record)["text"].split("\n"):
                for start, end in split_sentences(line):
                    sentence = " ".join(line[start:end].split())
                    if 5 <= sentence.count(" ") + 1 <= 80:
                        silver.append([sentence[a:b].replace(" ", "_") for a, b, _ in underthesea.segment(sentence)])
    write_gold(gold / "silver_dev.txt", silver)


def write_gold(path: Path, sentences: list[list[str]]) -> None:
    path.write_text("".join(" ".join(words) + "\n" for words in sentences), encoding="utf-8")


def run_variant(name: str) -> dict:
    settings = replace(Settings(), **VARIANTS[name])
    vlsp2016 = read_segment_gold(SHARED / "ws/vlsp2016/train.txt", settings)[:-HELD_OUT]
    examples = [example_of(words) for words in vlsp2016 + read_gold(SHARED / "ws/ud-vtb/train.txt")]
    model_dir = OUT / name
    report = train_segmenter(examples, model_dir, settings)
    shutil.copy(MODEL_DIR / "pos.crfsuite", model_dir / "pos.crfsuite")
    segmenter = VnpipeSegmenter(load_rules(), model_dir)
    row = {"variant": name, "relabelled": report["harmonized_boundaries"]}
    for dev_set in ("vtb_dev", "v16_heldout", "silver_dev"):
        row[dev_set] = evaluate(OUT / "gold" / f"{dev_set}.txt", segmenter)["f1"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, from: " + ", ".join(VARIANTS))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    names = args.variants.split(",")
    prepare_dev_sets()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(run_variant, names))
    print(f"{'variant':24} {'relabelled':>10} {'UD-VTB dev':>10} {'VLSP16 held-out':>15} {'silver dev':>10}")
    for row in rows:
        print(f"{row['variant']:24} {row['relabelled']:>10} {row['vtb_dev']:>10.2f} {row['v16_heldout']:>15.2f}"
              f" {row['silver_dev']:>10.2f}")


if __name__ == "__main__":
    main()
