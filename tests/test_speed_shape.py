"""The shape of the cost, not its size: every stage is linear in the length of a document, and
`import pipeline` leaves the heavy libraries (and the models) for when they are needed."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.backends.nertag import DocumentNames, names_context
from pipeline.stages.keywords import Keywords
from pipeline.stages.ner import Ner
from pipeline.stages.normalize import Normalize
from pipeline.stages.segment import Segment

from conftest import SHARED

VNTC = SHARED / "corpora" / "vntc" / "the-gioi.jsonl"


def long_document(articles: int) -> str:
    """`articles` VNTC news articles as one document, paragraphs kept."""
    with open(VNTC, encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for _, line in zip(range(articles), lines)]
    assert len(texts) == articles
    return "\n\n".join(texts)


def stage_seconds(text: str) -> dict[str, float]:
    """CPU seconds each stage takes over `text` as one document (CPU time, not wall time: other
    processes on the machine slow the clock, not the work)."""
    document = {"doc_id": "long", "text": text}
    seconds = {}
    for stage in (Normalize(), Segment(), Ner(), Keywords()):
        started = time.process_time()
        row = stage.process(document)
        seconds[stage.name] = time.process_time() - started
        document.update(row)
    return seconds | {"sentences": len(document["sentences"]), "entities": len(document["entities"])}


@pytest.mark.skipif(not VNTC.exists(), reason="needs the VNTC corpus in ../shared")
def test_every_stage_costs_the_same_per_sentence_in_a_long_document():
    stage_seconds(long_document(2))  # models loaded before the clock starts
    short = stage_seconds(long_document(8))
    long = stage_seconds(long_document(32))
    assert long["sentences"] > 3.5 * short["sentences"] and long["sentences"] > 900
    for stage in ("normalize", "segment", "ner", "keywords"):
        # Linear: about 4x the time for 4x the sentences; a step quadratic in the number of
        # sentences (as ner's document context was) takes 16x, or runs out of this budget.
        budget = 6 * (short[stage] * long["sentences"] / short["sentences"]) + 0.05
        assert long[stage] < budget, (stage, short, long)


def test_document_names_leave_out_each_sentence_like_names_context_does():
    found = [[(("Được",), "PER"), (("Hà", "Nội"), "LOC")], [(("Được",), "LOC"), (("Hà", "Nội"), "LOC")],
             [(("Được",), "PER")], [(("Được",), "LOC")], []]
    document = DocumentNames(found)
    for index in range(len(found)):
        expected = names_context(found[:index] + found[index + 1:])
        assert document.without(index).as_dict() == expected
    # Ties go to the label seen first among the other sentences.
    assert document.without(0).get(("Được",)) == "LOC"
    assert document.without(1).get(("Được",)) == "PER"
    assert document.without(2).get(("Hà", "Nội")) == "LOC" and document.without(4).get(("Sài", "Gòn")) is None


def test_document_context_of_a_60000_sentence_document_is_linear():
    # The names of a 60,000-sentence document (a book, a dump of comments): counted once, each
    # sentence's view costs its own names. Rebuilt per sentence, this took minutes.
    found = [[((f"Tên{k % 500}",), "PER"), (("Hà", "Nội"), "LOC")] for k in range(60_000)]
    started = time.perf_counter()
    document = DocumentNames(found)
    labels = [document.without(k).get((f"Tên{k % 500}",)) for k in range(len(found))]
    assert labels == ["PER"] * 60_000
    assert time.perf_counter() - started < 3


def gold_sentences(limit: int) -> list[str]:
    from pipeline.evaluate.ws import gold_sentence, read_gold

    sentences = []
    for name in ("vlsp2013", "ud-vtb"):
        sentences += [gold_sentence(words)[0] for words in read_gold(SHARED / "eval" / "ws" / name / "test.txt")][:limit]
    return sentences


@pytest.mark.skipif(not (SHARED / "eval" / "ws").exists(), reason="needs the gold sets in ../shared")
def test_the_segmenter_decodes_as_crfsuite_does_on_its_own_features():
    # The segmenter weighs features once per syllable n-gram and decodes in numpy; on real sentences
    # it must label as underthesea_core's featurizer + crfsuite, and crfsuite on segment_features, do.
    import joblib
    import pycrfsuite
    import underthesea
    from underthesea_core import CRFFeaturizer

    from pipeline.backends.crf import Batch
    from pipeline.backends.wordseg import (UndertheseaOpinion, get_segmenter, segment_features, syllable_forms,
                                           tokenize)
    from pipeline.text.vietnamese import apply_tone_style

    segmenter = get_segmenter("vnpipe")
    model_dir = Path(underthesea.__file__).parent.joinpath(*UndertheseaOpinion.MODEL_DIR)
    featurizer = CRFFeaturizer(joblib.load(model_dir / "features.bin"), joblib.load(model_dir / "dictionary.bin"))
    underthesea_crf, our_crf = pycrfsuite.Tagger(), pycrfsuite.Tagger()
    underthesea_crf.open(str(model_dir / "models.bin"))
    our_crf.open(str(segmenter.model_dir / "segment.crfsuite"))
    checked = 0
    for sentence in gold_sentences(150) + ["Ông Nguyễn Văn A gọi 0912345678 và 84900000018 lúc 2147483648 giờ."]:
        tokens = tokenize(sentence)
        texts = [sentence[start:end] for start, end, _ in tokens]
        styled = apply_tone_style(" ".join(texts), "modern").split(" ")
        labels = underthesea_crf.tag(featurizer.process([[[text] for text in styled]])[0])
        expected = [f"ut={label[0]}{round(underthesea_crf.marginal('I-W', i) * 5)}" for i, label in enumerate(labels)]
        opinions = segmenter.opinion.features(texts)
        assert opinions == expected, sentence
        forms, shapes = syllable_forms(sentence, tokens)
        batch = Batch([len(tokens)])
        labels, fifths = segmenter.opinion.decode([texts], batch)
        decoded = segmenter.segment_crf.viterbi(segmenter.segment_scores([forms], [shapes], labels * 6 + fifths, batch),
                                                batch)
        assert [segmenter.segment_crf.labels[k] for k in decoded] == \
            our_crf.tag(segment_features(forms, shapes, segmenter.dictionary, opinions)), sentence
        checked += 1
    assert checked > 250


def test_a_few_sentences_decode_in_python_exactly_as_a_batch_does_in_numpy():
    # A batch of few sentences is decoded one sentence at a time in plain Python, a larger one in numpy
    # over all sentences at once; the labels and probabilities must be the same bit for bit.
    import numpy as np

    from pipeline.backends.crf import Batch
    from pipeline.backends.wordseg import get_segmenter

    segmenter = get_segmenter("vnpipe")
    lengths = [1, 7, 2, 30, 1, 12, 5]
    scores = np.random.default_rng(7).normal(scale=3, size=(sum(lengths), 2))
    for crf in (segmenter.segment_crf, segmenter.opinion.crf):
        decoded = {}
        for few in (True, False):
            batch = Batch(lengths)
            batch.few = few
            decoded[few] = crf.viterbi(scores, batch), crf.marginals(scores, batch)
        assert decoded[True][0].tolist() == decoded[False][0].tolist()
        assert decoded[True][1].tolist() == decoded[False][1].tolist()
    assert Batch(lengths).few and not Batch([3] * (Batch.FEW + 1)).few


def test_import_pipeline_leaves_heavy_libraries_and_models_unloaded():
    # `import pipeline` and `vnpipe --help` stay fast: scikit-learn, pandas, spaCy, underthesea and the
    # CRF models are imported when a stage or reader first needs them.
    heavy = ("sklearn", "pandas", "spacy", "underthesea", "underthesea_core", "torch", "pycrfsuite", "joblib")
    code = f"import pipeline, sys; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_a_rerun_with_nothing_to_do_loads_no_model_and_reads_no_results(tmp_path):
    # Fingerprints only: no worker pool, no CRF, no pandas (the summary is rewritten only when an
    # output it reads changed).
    code = f"""
import sys, pipeline
from conftest import SAMPLE
pipeline.run(SAMPLE, {str(tmp_path / 'run')!r}, pipeline.RunSettings(workers=1), progress=False)
"""
    rerun = f"""
import sys, pipeline
from conftest import SAMPLE
report = pipeline.run(SAMPLE, {str(tmp_path / 'run')!r}, pipeline.RunSettings(workers=2), progress=False)
assert all(stage.documents_computed == 0 for stage in report.stages), report
print([m for m in ("pycrfsuite", "underthesea", "pandas", "sklearn") if m in sys.modules])
"""
    tests = Path(__file__).parent
    subprocess.run([sys.executable, "-c", code], cwd=tests, check=True, capture_output=True)
    loaded = subprocess.run([sys.executable, "-c", rerun], cwd=tests, check=True, capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]"


def test_checksums_read_from_the_files_are_those_of_the_loaded_models():
    # A rerun decides what is stale without loading a model; it must decide as if it had.
    from pipeline.backends.nertag import TAGGERS, get_tagger, tagger_checksum
    from pipeline.backends.wordseg import SEGMENTERS, get_segmenter, segmenter_checksum

    for name in SEGMENTERS.names():
        assert segmenter_checksum(name) == get_segmenter(name).checksum(), name
    for name in TAGGERS.names():
        assert tagger_checksum(name) == get_tagger(name).checksum(), name

