"""Keywords of today's news: recall@k of the keywords a reader expects on the check set
(data/keywords_check: 34 articles on AI, cloud, chips, banking apps, start-ups, e-commerce, crypto,
electric cars; `--only old` for the first twelve, `--only new` for the 22 added with issue 24),
and the wrong keywords (generic nouns, the byline, a term cut short, the wrong person) that come out.

    python benchmarks/keywords_check.py [RUN_DIR] [--k 10] [--only old|new] [--json]   # ~1 min on one core

The run directory (default /tmp/vnpipe-keywords-check) is reused: rerunning after a change to the
keywords stage recomputes only what changed.
"""
import argparse
import json
import re
from pathlib import Path

import pipeline
from pipeline.text.vietnamese import MODERN, apply_tone_style

CHECK = Path(__file__).resolve().parents[1] / "data" / "keywords_check"


def read_expected(path: Path = CHECK / "expected.tsv") -> dict[str, tuple[list[str], list[str]]]:
    """Article file name -> (expected keywords, wrong keywords), each as written in the file."""
    expected = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{path}:{number}: expected `article<TAB>keywords<TAB>wrong keywords`, got {line!r}")
        article, wanted, wrong = fields
        expected[article] = ([t.strip() for t in wanted.split(";") if t.strip()],
                             [t.strip() for t in wrong.split(";") if t.strip()])
    return expected


def term_key(term: str) -> str:
    """`trí tuệ nhân tạo`, `trí_tuệ_nhân_tạo` and `Trí_tuệ nhân tạo` are one term, and so are
    `mã hóa` and `mã hoá` (the tone-mark styles)."""
    return apply_tone_style(" ".join(term.replace("_", " ").split()).casefold(), MODERN)


_NON_WORD = re.compile(r"[^\w-]+")  # spaces and punctuation, between the words of a text
OLD = 12  # articles 01-12 came first; 13-34 were added with issue 24


def check(run: Path, k: int = 10, only: str = "all") -> dict:
    """Per article: the top-k keywords, the expected ones found and missed, the wrong ones found;
    overall: recall@k (expected found / expected), the same for the expected terms the article uses
    three times or more (as the held-out check of issue 24 counts them), and the number of wrong
    keywords found, over all articles or `only` the old or new ones."""
    expected = {name: terms for name, terms in read_expected().items()
                if only == "all" or (int(name[:2]) <= OLD) == (only == "old")}
    ingest = pipeline.read_stage(run, "ingest").set_index("doc_id")["source"]
    keywords = pipeline.read_stage(run, "keywords").set_index("doc_id")["keywords"]
    texts = pipeline.read_stage(run, "normalize").set_index("doc_id")["text"]
    articles = {}
    for doc_id, terms in keywords.items():
        name = Path(ingest[doc_id]).name
        if name not in read_expected():
            raise ValueError(f"{name} has no line in {CHECK / 'expected.tsv'}")
        if name not in expected:
            continue
        top = [item["term"] for item in terms[:k]]
        keys = {term_key(t) for t in top}
        wanted, wrong = expected[name]
        text = " " + term_key(_NON_WORD.sub(" ", texts[doc_id])) + " "
        articles[name] = {"keywords": top,
                          "repeated": [t for t in wanted if text.count(f" {term_key(t)} ") >= 3],
                          "found": [t for t in wanted if term_key(t) in keys],
                          "missed": [t for t in wanted if term_key(t) not in keys],
                          "wrong": [t for t in wrong if term_key(t) in keys]}
    if set(articles) != set(expected):
        raise ValueError(f"articles without output: {sorted(set(expected) - set(articles))}")
    found = sum(len(a["found"]) for a in articles.values())
    total = sum(len(expected[name][0]) for name in articles)
    repeated = [(t, t in a["found"]) for a in articles.values() for t in a["repeated"]]
    return {"k": k, "articles": len(articles), "expected": total, "found": found,
            "recall_at_k": round(found / total, 4),
            "repeated_expected": len(repeated), "repeated_found": sum(hit for _, hit in repeated),
            "repeated_missed": [t for t, hit in repeated if not hit], "wrong_found": sum(len(a["wrong"]) for a in articles.values()),
            "per_article": dict(sorted(articles.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", nargs="?", default="/tmp/vnpipe-keywords-check")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--only", choices=("all", "old", "new"), default="all",
                        help="score all articles, the first twelve (old) or the 22 added with issue 24 (new)")
    parser.add_argument("--json", action="store_true", help="print every article's keywords as JSON")
    args = parser.parse_args()
    pipeline.run(CHECK / "articles", args.run, progress=False)
    figures = check(Path(args.run), args.k, args.only)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for name, article in figures["per_article"].items():
        print(f"{name}: {len(article['found'])}/{len(article['found']) + len(article['missed'])}"
              f"  missed {article['missed']}  wrong {article['wrong']}\n    {' · '.join(article['keywords'])}")
    print(f"recall@{figures['k']}: {figures['found']}/{figures['expected']} = {figures['recall_at_k']}; "
          f"used 3+ times: {figures['repeated_found']}/{figures['repeated_expected']} "
          f"(missed {figures['repeated_missed']}); wrong keywords found: {figures['wrong_found']}")


if __name__ == "__main__":  # the pipeline's worker processes import this file
    main()
