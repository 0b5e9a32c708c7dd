"""Fits the shipped keyword background model (`models/keywords/document_frequencies.tsv`): the
document frequency of every candidate term over a topic-stratified sample of VNTC news.

The sample is drawn from VNTC's background pool (see evaluate/topics.py), so the topic evaluation,
drawn from the other pool, never scores an article the model was fitted on. The sample goes
through the pipeline up to `ner`, so the terms are exactly those the keywords stage sees.
"""
from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from ..runtime import parts
from ..evaluate.topics import BACKGROUND_POOL, VNTC, sample_vntc
from ..stages.keywords import BACKGROUND, TERMS, DocumentFrequencies, document_terms
from ..text.vietnamese import MODERN, apply_tone_style

PER_TOPIC = 600  # 10 topics: 6,000 articles, about 13 minutes of segmentation and NER on one core
MIN_DOCUMENTS = 3  # rarer terms are left out and count as unseen (the highest idf)


def train(out: Path = BACKGROUND.parent, run: Path | None = None, per_topic: int = PER_TOPIC,
          min_documents: int = MIN_DOCUMENTS, vntc: Path = VNTC, section_field: str = "topic") -> dict:
    """Fit the background model on `run` (a vnpipe run through `ner`), or first sample VNTC and
    run the pipeline on the sample (in `out/work`, deleted afterwards is up to you). When every
    document has the metadata field `section_field` (VNTC's topic), each term's spread over its
    values is kept too (see `DocumentFrequencies`)."""
    started = time.perf_counter()
    if run is None:
        from ..runtime.runner import run_stages as run_pipeline

        work = Path(out) / "work"
        work.mkdir(parents=True, exist_ok=True)
        sample = work / "vntc-background.jsonl"
        sample_vntc(sample, per_topic, BACKGROUND_POOL, vntc)
        run = work / "run"
        run_pipeline(sample, run, until="ner", progress=False)
    term_lists, sections = zip(*_terms_of_run(Path(run), section_field))
    frequencies = DocumentFrequencies.fit(term_lists, list(sections) if all(sections) else None)
    path = Path(out) / BACKGROUND.name
    frequencies.write(path, min_documents)
    summary = {
        "documents": frequencies.documents,
        "terms_seen": len(frequencies.counts),
        "terms_kept": sum(1 for n in frequencies.counts.values() if n >= min_documents),
        "min_documents": min_documents,
        "sections": len(set(sections)) if frequencies.sections else 0,
        "corpus": f"VNTC Train_Full, {per_topic} articles per topic from the background pool",
        "run": str(run),
        "seconds": round(time.perf_counter() - started, 1),
        "trained": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (Path(out) / "training.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    return summary


def _terms_of_run(run: Path, section_field: str):
    """(terms, section or None) of each document of the run."""
    for part in parts.list_parts(parts.stage_dir(run, "ner")):
        entities = {row["doc_id"]: row["entities"] for row in parts.read_part(run, "ner", part, ["doc_id", "entities"])}
        metadata = {row["doc_id"]: json.loads(row["metadata"] or "{}")
                    for row in parts.read_part(run, "ingest", part, ["doc_id", "metadata"])}
        for row in parts.read_part(run, "segment", part, ["doc_id", "tokens"]):
            yield document_terms(row["tokens"], entities[row["doc_id"]]), metadata[row["doc_id"]].get(section_field)


# -- learned terms ----------------------------------------------------------------------------------

TERM_CORPORA = (VNTC, VNTC.parent / "viwiki")  # 2006-2007 news; 2017 Wikipedia (today's technology, companies)
MAX_TERM_SYLLABLES = 4
MIN_TERM_COUNT = 15  # a multi-syllable term must occur this often in the corpora
MIN_TERM_NPMI = 0.3  # ... and its weakest split must be this strong a collocation (3 or 4 syllables) ...
MIN_PAIR_NPMI = 0.2  # ... or this (2 syllables, often of two frequent ones: `khởi nghiệp` 0.21)
FRAGMENT_SHARE = 0.9  # a run this often inside one longer run is a fragment of it
MIN_WORD_OCCURRENCES = 20  # single syllables: kept (for their document frequencies) when this frequent
# Grammatical words (of models/keywords/stopwords_vi.txt, which also lists pronouns and vague nouns):
# no term starts or ends with one.
FUNCTION_WORDS = frozenset("""có của trong các được đến và nhiều này một chỉ đó sẽ để đã ở những vào qua đi không là ra
    mà khi rằng từ rất cho với theo về như cũng lại thì nên nhưng hay hoặc nếu vì do bị bởi tại trên dưới sau trước
    giữa ngoài cùng đang vẫn còn đều chưa mới luôn rồi nữa thế vậy nào gì đâu sao kia ấy nay đây đấy hơn quá lắm khá
    cả mọi mỗi từng vài nhất chiếc cái việc sự""".split())
_PRUNE_AT = 12_000_000  # n-grams held while counting; beyond, the rarest are dropped (gensim's Phrases does the same)
_RUN_BREAK = re.compile(r"[^\w\s]|\d|_")  # punctuation and digits end a run of syllables


def learn_terms(out: Path = BACKGROUND.parent, corpora: tuple[Path, ...] = TERM_CORPORA,
                limit: int | None = None) -> dict:
    """Learn the multi-word terms of Vietnamese from unlabeled text (`models/keywords/terms.tsv`):
    every run of 2 to 4 syllables frequent in the corpora and a strong collocation (normalized PMI
    of its weakest split into two parts), with how often it occurs and in how many documents of
    each corpus; the same counts for single syllables. One streaming pass over the JSONL files
    (`text` of each line; the first `limit` lines of each file), syllables lower-cased in the
    modern tone style."""
    started = time.perf_counter()
    counts = count_ngrams(corpora, limit)
    summary = write_terms(Path(out) / TERMS.name, counts)
    return {**summary, "seconds": round(time.perf_counter() - started, 1)}


class NgramCounts(NamedTuple):
    corpora: list[str]  # their names
    documents: list[int]  # per corpus
    syllables: int
    occurrences: Counter  # n-gram (syllables joined by spaces) -> occurrences
    document_counts: list[Counter]  # per corpus: n-gram -> documents
    pruned_below: int  # n-grams rarer than this were dropped while counting


def count_ngrams(corpora: tuple[Path, ...] = TERM_CORPORA, limit: int | None = None) -> NgramCounts:
    occurrences: Counter = Counter()
    documents: list[Counter] = [Counter() for _ in corpora]
    totals = [0] * len(corpora)
    syllables_seen = 0
    minimum = 1
    for index, corpus in enumerate(corpora):
        for text in _corpus_texts(Path(corpus), limit):
            totals[index] += 1
            grams = []
            for run in _RUN_BREAK.split(apply_tone_style(unicodedata.normalize("NFC", text), MODERN).lower()):
                words = run.split()
                syllables_seen += len(words)
                for n in range(1, MAX_TERM_SYLLABLES + 1):
                    grams.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
            occurrences.update(grams)
            documents[index].update(set(grams))
            if len(occurrences) > _PRUNE_AT:
                minimum += 1
                occurrences = Counter({gram: n for gram, n in occurrences.items() if n >= minimum})
                documents = [Counter({g: n for g, n in d.items() if g in occurrences}) for d in documents]
    return NgramCounts([Path(c).name for c in corpora], totals, syllables_seen, occurrences, documents, minimum)


def write_terms(path: Path, counts: NgramCounts) -> dict:
    """The TSV `term<TAB>occurrences<TAB>npmi<TAB>documents in each corpus`, most frequent first."""
    terms = _collocations(counts.occurrences, counts.syllables)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as lines:
        lines.write("#documents\t" + "\t".join(f"{n}={t}" for n, t in zip(counts.corpora, counts.documents)) + "\n")
        lines.write("#term\toccurrences\tnpmi\t" + "\t".join(f"documents_{n}" for n in counts.corpora) + "\n")
        for gram, npmi in terms:
            lines.write(f"{gram}\t{counts.occurrences[gram]}\t{npmi:.3f}\t"
                        + "\t".join(str(d[gram]) for d in counts.document_counts) + "\n")
    return {"documents": dict(zip(counts.corpora, counts.documents)), "syllables": counts.syllables,
            "terms": sum(" " in g for g, _ in terms), "single_syllables": sum(" " not in g for g, _ in terms),
            "pruned_below": counts.pruned_below}


def _collocations(occurrences: Counter, syllables: int) -> list[tuple[str, float]]:
    """(n-gram, npmi) of the multi-syllable terms worth keeping, and of the single syllables in
    enough documents (npmi 0), most frequent first. A term neither starts nor ends with a
    function word (`của`, `và`, `các`; pronouns and classifiers may: `cô gái`, `người bán`)."""
    kept = []
    for gram, count in occurrences.items():
        words = gram.split(" ")
        if len(words) == 1:
            if count >= MIN_WORD_OCCURRENCES and len(gram) > 1:
                kept.append((gram, 0.0))
            continue
        if count < MIN_TERM_COUNT or words[0] in FUNCTION_WORDS or words[-1] in FUNCTION_WORDS:
            continue
        p = count / syllables
        weakest = min(math.log(p / (occurrences.get(" ".join(words[:i]), count) / syllables
                                    * occurrences.get(" ".join(words[i:]), count) / syllables))
                      for i in range(1, len(words)))
        npmi = weakest / -math.log(p)
        if npmi >= (MIN_PAIR_NPMI if len(words) == 2 else MIN_TERM_NPMI):
            kept.append((gram, npmi))
    # A run nearly always inside one longer run (`thủ bóng` of `cầu thủ bóng`) is a fragment, not a term.
    widest: Counter = Counter()
    for gram, _ in kept:
        if gram.count(" ") >= 2:
            left, right = gram.split(" ", 1)[1], gram.rsplit(" ", 1)[0]
            for part in (left, right):
                widest[part] = max(widest[part], occurrences[gram])
    kept = [(gram, npmi) for gram, npmi in kept if " " not in gram or widest[gram] < FRAGMENT_SHARE * occurrences[gram]]
    return sorted(kept, key=lambda item: (-occurrences[item[0]], item[0]))


def _corpus_texts(corpus: Path, limit: int | None):
    """The `text` of every line of the corpus's JSONL files (a folder or one file), streamed."""
    files = sorted(corpus.glob("*.jsonl")) if corpus.is_dir() else [corpus]
    for file in files:
        with file.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if limit is not None and number >= limit:
                    break
                yield json.loads(line).get("text") or ""
