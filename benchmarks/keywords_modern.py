"""Modern terms whole in the top 10, and what must never be in a top 10.

Modern terms: the compounds of today's technology and economy listed in MODERN_TERMS (written
before measuring; the segmenter splits many of them: `tiền ảo`, `xe tự lái`, `mạng nơ-ron`). For
every article that uses one three times or more, is the whole term one of its top-10 keywords?
Articles: the viwiki pages of the evaluation pool (`pool_of`: one page in five, never trained on;
the keyword ranker is trained on the other pool) and the keyword check set (data/keywords_check).

Hygiene, over every top 10 of these runs (and of any run given with --audit): two case variants
of one term (`bitcoin`, `Bitcoin`), a filler (`sự_việc`, `vụ_việc`, `đối_tượng`), a measure word
or a common term with a stray letter (`lần_so`, `độ_c`), a name that begins with the word it ends
with (`Conte_Antonio_Conte`), two words for one girl, boy or child (`cô_gái`, `con_gái`, `đứa_trẻ`),
and three entries nested in one another (`gỗ`, `xưởng_gỗ`, `mở_xưởng_gỗ`).

    python benchmarks/keywords_modern.py [WORK] [--audit RUN ...]   # ~3 min on one core

WORK (default /tmp/vnpipe-keywords-modern) holds the sample and its run, reused on a rerun.
"""
import argparse
import json
import re
from collections import Counter
from pathlib import Path

import pipeline
from pipeline.evaluate.topics import EVAL_POOL, VNTC, pool_of
from pipeline.text.vietnamese import MODERN, apply_tone_style

CHECK = Path(__file__).resolve().parents[1] / "data" / "keywords_check" / "articles"
VIWIKI = VNTC.parent / "viwiki" / "viwiki.jsonl"
MODERN_TERMS = """tiền ảo; tiền điện tử; tiền mã hóa; tiền số; xe tự lái; xe điện; ô tô điện; xe máy điện;
mạng xã hội; mạng nơ-ron; trí tuệ nhân tạo; học máy; học sâu; dữ liệu lớn; điện toán đám mây; thương mại điện tử;
ví điện tử; điện thoại thông minh; máy tính bảng; trình duyệt; hệ điều hành; công cụ tìm kiếm; mã nguồn mở;
phần mềm độc hại; mã độc; tin tặc; an ninh mạng; thư điện tử; trò chơi điện tử; trò chơi trực tuyến; thực tế ảo;
năng lượng tái tạo; điện mặt trời; pin mặt trời; biến đổi khí hậu; khởi nghiệp; chuỗi khối; người máy;
máy bay không người lái; băng thông rộng; mạng không dây; truyền hình cáp; trang web; bộ vi xử lý; chất bán dẫn;
thiết bị di động; điện thoại di động; trung tâm dữ liệu; thanh toán trực tuyến; mã QR"""
MIN_USES = 3
# What a reader never wants in a top 10 (issue 32), defined here, not taken from the stage's own rules.
FILLERS = frozenset({"sự_việc", "vụ_việc", "đối_tượng"})
MEASURE_WORDS = frozenset({"lần", "lượt", "độ", "đợt", "lượng"})
LONE_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")  # `độ_c`; not `ô_tô`, `y_tế`
GIRL_OR_CHILD = frozenset("cô_gái con_gái cô_bé bé_gái đứa_trẻ đứa_bé đứa_con em_bé trẻ_em".split())
BOY_OR_CHILD = frozenset("chàng_trai con_trai cậu_bé bé_trai đứa_trẻ đứa_bé đứa_con em_bé trẻ_em".split())
_NON_WORD = re.compile(r"[^\w-]+")


def term_key(term: str) -> str:
    """`Tiền_ảo`, `tiền ảo` -> `tiền ảo` (case, `_` and tone-mark style ignored)."""
    return apply_tone_style(" ".join(term.replace("_", " ").split()).casefold(), MODERN)


def modern_terms() -> list[str]:
    return [term.strip() for term in MODERN_TERMS.replace("\n", " ").split(";") if term.strip()]


def uses(text: str, term: str) -> int:
    """How often the text writes the term as whole words."""
    return f" {term_key(_NON_WORD.sub(' ', text))} ".count(f" {term_key(term)} ")


def sample_viwiki(out: Path) -> int:
    """The viwiki pages of the evaluation pool that use a modern term three times or more."""
    terms = modern_terms()
    kept = 0
    with VIWIKI.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as sink:
        for page in map(json.loads, lines):
            if pool_of(page["id"]) == EVAL_POOL and any(uses(page["text"], t) >= MIN_USES for t in terms):
                sink.write(json.dumps(page, ensure_ascii=False) + "\n")
                kept += 1
    return kept


def whole_in_top(run: Path, k: int = 10) -> dict:
    """Per (article, modern term used 3+ times): whether the term is one of the article's top k."""
    texts = pipeline.read_stage(run, "normalize").set_index("doc_id")["text"]
    keywords = pipeline.read_stage(run, "keywords").set_index("doc_id")["keywords"]
    found, missed = Counter(), Counter()
    for doc_id, terms in keywords.items():
        top = {term_key(item["term"]) for item in terms[:k]}
        for term in modern_terms():
            if uses(texts[doc_id], term) >= MIN_USES:
                (found if term_key(term) in top else missed)[term] += 1
    total = sum(found.values()) + sum(missed.values())
    return {"pairs": total, "whole": sum(found.values()), "share": round(sum(found.values()) / max(total, 1), 4),
            "articles": len(keywords), "found": dict(found.most_common()), "missed": dict(missed.most_common())}


def audit(run: Path, k: int = 10) -> dict:
    """The top-k lists of a run with something that must never be there, and examples."""
    keywords = pipeline.read_stage(run, "keywords")["keywords"]
    problems: dict[str, list] = {name: [] for name in
                                 ("case_duplicates", "fillers", "measure_or_stray_letter", "self_repeating_names",
                                  "person_synonyms", "three_nested")}
    for terms in keywords:
        top = [item["term"] for item in terms[:k]]
        lowered = Counter(t.lower() for t in top)
        _note(problems["case_duplicates"], [t for t in top if lowered[t.lower()] > 1])
        _note(problems["fillers"], [t for t in top if t.lower() in FILLERS])
        common = [t for t in top if t == t.lower()]
        _note(problems["measure_or_stray_letter"], [t for t in common if t in MEASURE_WORDS or any(
            s in LONE_CONSONANTS for s in t.split("_")) or (t.count("_") == 1 and t.split("_")[0] in {"lần", "đợt"})])
        _note(problems["self_repeating_names"], [t for t in top if t != t.lower() and t.count("_") >= 2
                                                 and t.split("_")[0].lower() == t.split("_")[-1].lower()])
        people = [t for t in common if any(t == p or t.startswith(f"{p}_") for p in GIRL_OR_CHILD | BOY_OR_CHILD)]
        _note(problems["person_synonyms"], people if any(
            sum(any(t == p or t.startswith(f"{p}_") for p in group) for t in people) > 1
            for group in (GIRL_OR_CHILD, BOY_OR_CHILD)) else [])
        _note(problems["three_nested"], _nested_chains(top))
    return {"lists": len(keywords), **{name: {"lists": len(found), "examples": found[:5]}
                                       for name, found in problems.items()}}


def _note(found: list, terms: list) -> None:
    if terms:
        found.append(terms)


def _nested_chains(top: list[str]) -> list[str]:
    """Three terms each inside the next (`gỗ`, `xưởng_gỗ`, `mở_xưởng_gỗ`)."""
    keys = {t: f"_{t.lower()}_" for t in top}
    for a in top:
        for b in top:
            if a != b and keys[a] in keys[b]:
                for c in top:
                    if c not in (a, b) and keys[b] in keys[c]:
                        return [a, b, c]
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", nargs="?", type=Path, default=Path("/tmp/vnpipe-keywords-modern"))
    parser.add_argument("--audit", nargs="*", type=Path, default=[], help="more runs whose top 10s to audit")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    pages = args.work / "viwiki-modern.jsonl"
    print(f"viwiki pages of the evaluation pool using a modern term {MIN_USES}+ times: {sample_viwiki(pages)}")
    runs = {"viwiki": args.work / "run-viwiki", "check set": args.work / "run-check"}
    pipeline.run(pages, runs["viwiki"], progress=False)
    pipeline.run(CHECK, runs["check set"], progress=False)
    figures = {name: whole_in_top(run) for name, run in runs.items()}
    figures["audit"] = {str(run): audit(run) for run in [*runs.values(), *args.audit]}
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    for name, result in figures.items():
        if name != "audit":
            print(f"{name}: modern terms used {MIN_USES}+ times whole in the top 10: "
                  f"{result['whole']}/{result['pairs']} = {result['share']}")


if __name__ == "__main__":  # the pipeline's worker processes import this file
    main()
