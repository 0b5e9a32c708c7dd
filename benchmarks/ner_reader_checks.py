"""The entity errors a reader sees, counted over a run: one pattern check per kind of error the reader
of 2017 news reported (issue 31). Not an F1: a count of suspicious mentions, to compare before and
after a change on the same articles.

    python benchmarks/ner_reader_checks.py                  # 2,000 VNTC articles (run here, into /tmp)
    python benchmarks/ner_reader_checks.py --run RUN        # an existing run
    python benchmarks/ner_reader_checks.py --docs 500 --show 5

The checks (each counts mentions; `--show` prints examples):
* common_word: a one-syllable name that the run's own texts write in lower case nine times in ten
  (`Nghị` of `Nghị định`, `Chung` of `Chung kết`, `Văn` the school subject, `Hai`, `Đoàn`, `Ba`);
* country_as_person: a country's name labelled PER or ORG (`Thủ tướng Đức` as PER `Đức`);
* credit: a credit taken for a name (`TTXVN`, `TTXVN/Tin Tức`, `Tin Tức`, an initial such as `H.N`);
* glued: a name that ends where a common word begins that the next syllable completes (`Chelsea Giai`
  of `Giai đoạn`), or that repeats itself (`Lý Nhã Kỳ Lý Nhã Kỳ`, `Conte Antonio Conte`);
* listed_otherwise: a name that the shipped name lists give another label (footballers as LOC,
  clubs as PER);
* platform: a platform (Facebook, Google, Grab ...) left untagged or given another label than ORG.
Works on the outputs of any version of vnpipe (entities from `aliases` when the run has it, else `ner`).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_speed import sample_articles  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
COUNTRIES = {name.replace("_", " ") for name in """Đức Pháp Anh Mỹ Nga Nhật Ý Úc Hàn Lào Thái Bỉ Trung_Quốc Hàn_Quốc
Nhật_Bản Ấn_Độ Triều_Tiên Tây_Ban_Nha Bồ_Đào_Nha Hà_Lan Thụy_Sĩ Thuỵ_Sĩ Thụy_Điển Thuỵ_Điển Ba_Lan Hy_Lạp
Ai_Cập""".split()}
PLATFORMS = {"Facebook", "Google", "YouTube", "Youtube", "Zalo", "TikTok", "Grab", "Twitter", "Instagram", "Shopee",
             "Lazada", "Tiki", "Netflix", "Uber", "Skype", "Yahoo", "Amazon"}
CREDIT = re.compile(r"^(?:TTXVN(?:/.*)?|Tin Tức|TTXVN/Tin Tức|[A-ZĐ]\.[A-ZĐ]\.?|PV|CTV|VNA)$")


def entity_stage(run: Path) -> str:
    return "aliases" if (run / "aliases" / "_manifest.json").exists() else "ner"


def dictionary_words() -> set[str]:
    words = set()
    for line in (MODELS / "ws" / "dictionary.tsv").read_text(encoding="utf-8").splitlines():
        words.add(line.split("\t")[0])
    return words


def listed_labels() -> dict[str, str]:
    labels = {}
    for name in ("ner-neural/learned_names.tsv", "ner-neural/gazetteer.tsv"):
        for line in (MODELS / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "\t" in line:
                text, label = line.split("\t")[:2]
                labels[text] = label
    return labels


def check(run: Path) -> dict:
    import pipeline
    from pipeline.text.vietnamese import apply_tone_style

    def internal_form(text: str) -> str:  # the models' one tone style (any version of vnpipe has this)
        return apply_tone_style(" " + text, "modern")[1:]

    documents = pipeline.read_run(run)
    entities = pipeline.read_stage(run, entity_stage(run), shape="items")
    texts = documents.set_index("doc_id")["text"].to_dict()
    case = defaultdict(Counter)
    for text in texts.values():
        for word in re.findall(r"[^\W\d_]+", text):
            case[word.lower()][word[0].isupper()] += 1
    words, listed = dictionary_words(), listed_labels()
    found: dict[str, list[str]] = defaultdict(list)
    for e in entities.itertuples():
        text, name = texts[e.doc_id], e.text
        after = text[e.end:e.end + 30]
        syllables = name.split()
        key = name.lower()
        if len(syllables) == 1 and case[key][False] >= 9 * max(case[key][True], 1) and case[key][False] >= 5:
            found["common_word"].append(f"{name}/{e.label}: …{text[max(0, e.start - 20):e.end + 20]}…")
        if name in COUNTRIES and e.label in ("PER", "ORG"):
            found["country_as_person"].append(f"{name}/{e.label}: …{text[max(0, e.start - 20):e.end]}…")
        if CREDIT.match(name) or CREDIT.match(e.canonical):
            found["credit"].append(f"{name}/{e.label}")
        next_word = re.match(r" ([^\W\d_]+)", after)
        repeats = any(syllables[:k] == syllables[k:2 * k] or (len(syllables) > k and syllables[-k:] == syllables[:k])
                      for k in range(1, len(syllables) // 2 + 1))
        if (next_word and next_word.group(1)[0].islower()
                and internal_form(f"{syllables[-1]} {next_word.group(1)}".lower()) in words) or repeats:
            found["glued"].append(f"{name}/{e.label} + {after[:12]!r}")
        if listed.get(name) and listed[name] != e.label and e.label != "MISC":
            found["listed_otherwise"].append(f"{name}/{e.label} (listed {listed[name]})")
        if name in PLATFORMS and e.label != "ORG":
            found["platform"].append(f"{name}/{e.label}")
    covered = defaultdict(list)
    for e in entities.itertuples():
        covered[e.doc_id].append((e.start, e.end))
    for doc_id, text in texts.items():
        for match in re.finditer(r"\b(" + "|".join(PLATFORMS) + r")\b", text):
            if not any(s <= match.start() < e for s, e in covered[doc_id]):
                found["platform"].append(f"{match.group()} untagged: …{text[max(0, match.start() - 20):match.end() + 20]}…")
    return {"documents": len(documents), "mentions": len(entities), "entities_from": entity_stage(run),
            "counts": {name: len(found[name]) for name in
                       ("common_word", "country_as_person", "credit", "glued", "listed_otherwise", "platform")},
            "examples": {name: items for name, items in found.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, help="an existing run (default: run the pipeline on VNTC articles)")
    parser.add_argument("--docs", type=int, default=2000, help="VNTC articles to run")
    parser.add_argument("--show", type=int, default=8, help="examples printed per check")
    parser.add_argument("--save", type=Path, help="write the counts and all examples here as JSON")
    args = parser.parse_args()
    if args.run is None:
        import pipeline

        folder = Path(tempfile.mkdtemp())
        (folder / "corpus").mkdir()
        (folder / "corpus" / "articles.jsonl").write_text("".join(sample_articles(args.docs)), encoding="utf-8")
        pipeline.run(folder / "corpus", folder / "run", progress=False)
        args.run = folder / "run"
    result = check(args.run)
    print(f"{result['documents']} documents, {result['mentions']} mentions (entities of {result['entities_from']})")
    for name, count in result["counts"].items():
        print(f"  {name:18} {count:5}")
        for example in result["examples"].get(name, [])[:args.show]:
            print(f"      {example}")
    if args.save:
        args.save.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
