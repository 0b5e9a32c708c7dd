"""Shard sizing: without --shard-size a corpus is cut so that every worker gets several parts, and a
rerun never recomputes documents because the layout moved."""
import os
from itertools import islice
from pathlib import Path

import pytest

import pipeline
from pipeline.backends.wordseg import SEGMENTERS, get_segmenter
from pipeline.runtime import parts
from pipeline.runtime.engines import LocalEngine
from pipeline.runtime.settings import RunSettings
from pipeline.runtime.sources import auto_shard_size
from pipeline.stages import ingest

from conftest import SAMPLE, shared_file


@pytest.fixture(scope="module")
def vntc_300(tmp_path_factory) -> Path:
    """The first 300 business articles of VNTC, as one JSONL file."""
    folder = tmp_path_factory.mktemp("vntc-300")
    with open(shared_file("corpora/vntc/kinh-doanh.jsonl"), encoding="utf-8") as lines:
        (folder / "kinh-doanh.jsonl").write_text("".join(islice(lines, 300)), encoding="utf-8")
    return folder


def ingest_parts(run: Path) -> list[int]:
    """The documents in each ingest part, in order."""
    manifest = parts.read_manifest(run, "ingest")
    return [summary["rows"] for summary in manifest["parts"].values()]


def test_four_parts_per_worker_of_50_to_500_documents():
    assert auto_shard_size(11, workers=2) == 50  # data/sample: one part, run in this process
    assert auto_shard_size(300, workers=2) == 50
    assert auto_shard_size(1_000, workers=2) == 125
    assert auto_shard_size(4_000, workers=2) == 500
    assert auto_shard_size(33_759, workers=2) == 500
    assert auto_shard_size(33_759, workers=16) == 157  # sized on the first 10,000 documents


def test_300_articles_on_two_workers_are_six_parts(vntc_300, tmp_path):
    report = pipeline.run(vntc_300, tmp_path / "run", RunSettings(workers=2), only="ingest", progress=False)
    assert ingest_parts(tmp_path / "run") == [50] * 6 and report.stages[0].parts_run == 6
    assert parts.read_manifest(tmp_path / "run", "ingest")["shard_size"] == 50


def test_an_explicit_shard_size_is_kept(vntc_300, tmp_path):
    settings = RunSettings(ingest=ingest.Settings(shard_size=500), workers=2)
    pipeline.run(vntc_300, tmp_path / "run", settings, only="ingest", progress=False)
    assert ingest_parts(tmp_path / "run") == [300]


def test_the_sample_is_one_part(tmp_path):
    pipeline.run(SAMPLE, tmp_path / "run", RunSettings(workers=2), only="ingest", progress=False)
    assert ingest_parts(tmp_path / "run") == [11]


def test_an_unchanged_corpus_keeps_its_parts_whatever_the_worker_count(vntc_300, tmp_path):
    pipeline.run(vntc_300, tmp_path / "run", RunSettings(workers=2), until="normalize", progress=False)
    rerun = pipeline.run(vntc_300, tmp_path / "run", RunSettings(workers=1), until="normalize", progress=False)
    assert ingest_parts(tmp_path / "run") == [50] * 6
    assert [(s.stage, s.parts_run, s.documents_computed) for s in rerun.stages] == [("ingest", 0, 0),
                                                                                    ("normalize", 0, 0)]


def test_a_run_made_with_500_per_part_recomputes_no_document_when_resized(vntc_300, tmp_path):
    old_default = RunSettings(ingest=ingest.Settings(shard_size=500), workers=2)
    pipeline.run(vntc_300, tmp_path / "run", old_default, until="dedup", progress=False)
    rerun = pipeline.run(vntc_300, tmp_path / "run", RunSettings(workers=2), until="dedup", progress=False)
    assert ingest_parts(tmp_path / "run") == [50] * 6
    assert [(s.stage, s.documents_computed, s.documents_reused) for s in rerun.stages] == [
        ("ingest", 300, 0),  # read again into six parts: reading is not analysis
        ("normalize", 0, 300), ("dedup", 0, 300)]


def _segmenter_loads(_: int) -> tuple[int, int]:
    get_segmenter("vnpipe")
    return os.getpid(), len(SEGMENTERS.loaded)


def test_a_worker_loads_each_model_once_for_the_whole_run():
    engine = LocalEngine(2)
    try:
        # Two stages' worth of parts on one engine: the same two processes, one load each.
        loads = list(engine.map(_segmenter_loads, range(6))) + list(engine.map(_segmenter_loads, range(6)))
    finally:
        engine.close()
    assert len({pid for pid, _ in loads}) <= 2 and {misses for _, misses in loads} == {1}
