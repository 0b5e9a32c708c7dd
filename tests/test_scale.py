"""Scale: documents are recomputed only when they change, a killed run resumes, and every engine
and worker count gives the same rows."""
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from pipeline.runtime import parts
from pipeline.stages.registry import STAGES as REGISTRY
from pipeline.stages import ingest
from pipeline.runtime.settings import RunSettings

from conftest import SAMPLE, shared_file

STAGES = ("normalize", "dedup", "segment", "ner", "aliases", "keywords")


def settings(shard_size: int = 2, **engine) -> RunSettings:
    return RunSettings(ingest=ingest.Settings(shard_size=shard_size), **{"workers": 1, **engine})


def rows_of(run: Path) -> dict[str, list[dict]]:
    """Every stage's rows, by doc_id, as plain values (for exact comparison)."""
    return {stage: pipeline.read_stage(run, stage).sort_values("doc_id").to_json(orient="records")
            for stage in ("ingest", *STAGES)}


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_a_rerun_recomputes_only_changed_and_new_documents(corpus, tmp_path):
    run = tmp_path / "run"
    first = pipeline.run(corpus, run, settings(), progress=False)
    assert [s.documents_computed for s in first.stages] == [11] * 7

    # Edit one document and add one whose name sorts first, which shifts every shard boundary.
    edited = corpus / "tin-cong-nghe" / "openai-nvidia.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nNvidia cho biết sẽ công bố kết quả vào tuần sau.\n",
                      encoding="utf-8")
    (corpus / "0-moi.txt").write_text("Hà Nội mưa lớn.\n\nNhiều tuyến phố ở Hà Nội ngập sâu sau cơn mưa chiều qua.",
                                      encoding="utf-8")
    second = pipeline.run(corpus, run, settings(), progress=False)
    computed = {s.stage: (s.documents_computed, s.documents_reused) for s in second.stages}
    assert computed["dedup"] == (2, 10) and computed["segment"] == (2, 10) and computed["ner"] == (2, 10)

    fresh = tmp_path / "fresh"
    pipeline.run(corpus, fresh, settings(), progress=False)
    assert rows_of(run) == rows_of(fresh)


def test_a_settings_change_recomputes_that_stage_and_those_after_it(corpus, tmp_path):
    run = tmp_path / "run"
    pipeline.run(corpus, run, settings(), progress=False)
    changed = RunSettings(ingest=ingest.Settings(shard_size=2), workers=1,
                          segment=pipeline.STAGES["segment"].Settings(backend="pyvi"))
    report = pipeline.run(corpus, run, changed, progress=False)
    assert {s.stage: s.documents_computed for s in report.stages} == {
        "ingest": 0, "normalize": 0, "dedup": 0, "segment": 11, "ner": 11, "aliases": 11, "keywords": 11}


def test_parts_record_their_fingerprints_in_the_footer(corpus, tmp_path):
    run = tmp_path / "run"
    pipeline.run(corpus, run, settings(shard_size=3), progress=False)
    manifest = parts.read_manifest(run, "ner")
    for name, summary in manifest["parts"].items():
        info = parts.read_part_info(run / "ner" / name)
        assert info["fingerprint"] == summary["fingerprint"]
        assert sorted(info["documents"]) == sorted(pipeline.read_stage(run, "ner").query(
            "doc_id in @info['documents']")["doc_id"])
    assert sum(p["rows"] for p in manifest["parts"].values()) == 11


def test_workers_and_engines_give_identical_rows(corpus, tmp_path):
    one = tmp_path / "one"
    pipeline.run(corpus, one, settings(), progress=False)
    two = tmp_path / "two"
    pipeline.run(corpus, two, settings(workers=2), progress=False)
    assert rows_of(one) == rows_of(two)
    dask_run = tmp_path / "dask"
    report = pipeline.run(corpus, dask_run, settings(engine="dask", workers=2), progress=False)
    assert [s.documents_out for s in report.stages] == [11] * len(REGISTRY.names())
    assert rows_of(one) == rows_of(dask_run)


def _part_count(run: Path, stage: str) -> int:
    return len(list((run / stage).glob("part-*.parquet"))) if (run / stage).is_dir() else 0


# Where the run is killed: once this many parts of the stage exist (the kill lands a little later).
KILL_POINTS = [("ingest", 1), ("normalize", 2), ("dedup", 1), ("segment", 1), ("segment", 6), ("ner", 3),
               ("keywords", 1)]


@pytest.fixture(scope="module")
def news_corpus(tmp_path_factory) -> Path:
    """24 real news articles, written as one JSONL file."""
    folder = tmp_path_factory.mktemp("news")
    with open(shared_file("corpora/vntc/khoa-hoc.jsonl"), encoding="utf-8") as lines:
        articles = [next(lines) for _ in range(24)]
    (folder / "khoa-hoc.jsonl").write_text("".join(articles), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def clean_news_run(news_corpus, tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("clean") / "run"
    pipeline.run(news_corpus, run, settings(), progress=False)
    return run


@pytest.mark.parametrize("stage,part_count", KILL_POINTS)
def test_a_killed_run_resumes_with_nothing_lost_or_duplicated(stage, part_count, news_corpus, clean_news_run, tmp_path):
    run = tmp_path / "run"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(news_corpus), "--out", str(run),
               "--shard-size", "2", "--workers", "1", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _part_count(run, stage) < part_count and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()

    # What the kill left is complete parts only, each readable.
    for part in run.glob("*/part-*.parquet"):
        assert parts.read_part_info(part) is not None, part

    report = pipeline.run(news_corpus, run, settings(), progress=False)
    assert [s.documents_out for s in report.stages] == [24] * 7
    assert rows_of(run) == rows_of(clean_news_run)
    assert not list(run.glob("**/.*.tmp")) and not list(run.glob("*/_previous"))
    assert not (run / "_lock").exists()


def test_a_lock_left_by_a_killed_run_is_taken_over(corpus, tmp_path):
    run = tmp_path / "run"
    pipeline.run(corpus, run, settings(), progress=False, until="ingest")
    (run / "_lock").write_text("pid 999999999 on " + __import__("socket").gethostname(), encoding="utf-8")
    report = pipeline.run(corpus, run, settings(), progress=False)
    assert report.stages[-1].documents_out == 11
    assert json.loads((run / "ner" / "_manifest.json").read_text())["documents_out"] == 11


def test_a_smaller_corpus_leaves_no_stale_parts_or_error_rows(corpus, tmp_path):
    run = tmp_path / "run"
    (corpus / "zz-empty.txt").write_text("", encoding="utf-8")  # one error row, in the last shard
    pipeline.run(corpus, run, settings(), progress=False)
    assert len(pipeline.read_errors(run)) == 1 and len(list((run / "ner").glob("part-*"))) == 6
    (corpus / "zz-empty.txt").unlink()
    shutil.rmtree(corpus / "tin-cong-nghe")
    pipeline.run(corpus, run, settings(), progress=False)
    assert pipeline.read_errors(run).empty
    parts = sorted(p.name for p in run.glob("*/part-*.parquet") if p.parent.name == "ner")
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert sorted(p.name for p in (run / "errors").iterdir()) == sorted(
        f"{stage}-part-0000{n}.parquet" for stage in ("ingest", *STAGES) for n in range(3))
