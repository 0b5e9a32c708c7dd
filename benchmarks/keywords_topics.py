"""The keyword figures on VNTC: topic macro-F1 from top-10 keywords (background and corpus document
frequencies) against the syllable TF-IDF baseline, and the keywords stage's speed in documents/s.

    python benchmarks/keywords_topics.py /tmp/vntc-topics   # ~10 min on 2 cores (segment + NER of 3,000 articles)

Tune keyword selection on the development sample, never on this one:
`sample_vntc(out, 150, BACKGROUND_POOL, skip=600)` (background pool, after the 600 articles the
background model is fitted on), `vnpipe run out --out RUN --workers 1`, `vnpipe eval topics RUN`.
"""
import argparse
import json
import shutil
import time
from pathlib import Path

import pipeline
from pipeline.runtime import parts
from pipeline.evaluate.topics import EVAL_POOL, evaluate, sample_vntc
from pipeline.stages.keywords import Keywords, Settings
from pipeline.runtime.plans import load_inputs



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", nargs="?", type=Path, default=Path("/tmp/vntc-topics"),
                        help="folder for the sample and its runs (default: /tmp/vntc-topics)")
    work = parser.parse_args().work
    work.mkdir(parents=True, exist_ok=True)
    sample = work / "vntc-eval.jsonl"
    print(sample_vntc(sample, 300, EVAL_POOL))
    pipeline.run(sample, work / "run", progress=False)
    figures = {"background": evaluate(work / "run")}
    shutil.copytree(work / "run", work / "run-corpus", dirs_exist_ok=True)
    corpus = pipeline.RunSettings(keywords=Settings(document_frequencies="corpus"))
    pipeline.run(None, work / "run-corpus", corpus, only="keywords", progress=False)
    figures["corpus"] = evaluate(work / "run-corpus")
    for mode, stage in (("background", Keywords()), ("corpus", Keywords(Settings(document_frequencies="corpus")))):
        documents = [d for part in parts.list_parts(work / "run" / "ner") for d in load_inputs(stage, work / "run", part)]
        started = time.perf_counter()
        if stage.corpus_level:
            stage.fit(documents)
        for document in documents:
            stage.process(document)
        figures[mode]["documents_per_second"] = round(len(documents) / (time.perf_counter() - started))
    print(json.dumps({mode: {"keywords_macro_f1": f["keywords"]["macro_f1"],
                             "baseline_macro_f1": f["baseline_syllable_tfidf"]["macro_f1"],
                             "documents_per_second": f["documents_per_second"]} for mode, f in figures.items()}, indent=2))


if __name__ == "__main__":  # the pipeline's worker processes import this file
    main()
