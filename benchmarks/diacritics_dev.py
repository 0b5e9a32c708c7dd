"""Diacritic restoration on the articles held out from its training (one in 50 of ../shared/corpora,
by a hash of the id: `pipeline.train.diacritics.is_dev`), against pyvi, and through the pipeline.

    python benchmarks/diacritics_dev.py                  # 300 VNTC and 300 viwiki held-out articles
    python benchmarks/diacritics_dev.py --articles 100 --ner 50

Printed, for VNTC (news of 2007) and viwiki (Wikipedia of 2017) apart: `vnpipe eval diacritics` on
the held-out articles (syllables right, tone placement aside; right among those that carry a mark;
unchanged when the text already has its marks; speed) beside pyvi's add_accents; then, on `--ner`
of the news articles with every mark stripped, the F1 of the entities vnpipe finds after restoring
them against those it finds on the original text (same offsets: restoring keeps the length).
"""
from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dev_articles(articles: int) -> dict[str, list[str]]:
    """The first `articles` held-out articles of each corpus, in file order."""
    from pipeline.train.diacritics import SHARED_CORPORA, corpus_documents, is_dev

    found: dict[str, list[str]] = {"vntc": [], "viwiki": []}
    for document_id, text in corpus_documents(SHARED_CORPORA):
        corpus = "viwiki" if document_id.startswith("viwiki.jsonl:") else "vntc" if ".jsonl:" in document_id else ""
        if corpus and is_dev(document_id) and len(found[corpus]) < articles:
            found[corpus].append(text)
    return found


def entity_agreement(texts: list[str]) -> dict:
    """F1 of the entities found on the stripped-then-restored texts against those of the originals."""
    import pipeline
    from pipeline.backends.diacritics import strip_diacritics

    originals = [unicodedata.normalize("NFC", text) for text in texts]
    before = pipeline.analyse(originals, until="ner")
    after = pipeline.analyse([strip_diacritics(text) for text in originals], until="ner")
    same = found = expected = 0
    for a, b in zip(before, after):
        gold = {(e["orig_start"], e["orig_end"], e["label"]) for e in a["entities"]}
        got = {(e["orig_start"], e["orig_end"], e["label"]) for e in b["entities"]}
        same, found, expected = same + len(gold & got), found + len(got), expected + len(gold)
    precision, recall = same / max(found, 1), same / max(expected, 1)
    return {"articles": len(texts), "entities_original": expected, "entities_restored": found,
            "precision": round(100 * precision, 2), "recall": round(100 * recall, 2),
            "f1": round(200 * precision * recall / max(precision + recall, 1e-9), 2)}


def main() -> None:
    from pipeline.evaluate.diacritics import evaluate

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300, help="held-out articles of each corpus")
    parser.add_argument("--ner", type=int, default=100, help="news articles for the entity agreement (0: none)")
    parser.add_argument("--save", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    articles = dev_articles(args.articles)
    results = {corpus: evaluate(texts, compare="pyvi") for corpus, texts in articles.items()}
    if args.ner:
        results["entities"] = entity_agreement(articles["vntc"][:args.ner])
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
