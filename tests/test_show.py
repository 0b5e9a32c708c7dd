"""`vnpipe show`: a run at a glance in the terminal, and the numbers behind it."""
import json

from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.outputs.show import summarize

from conftest import SAMPLE


def test_summary_counts_the_run(sample_run):
    summary = summarize(sample_run, top=3)
    entities = pipeline.read_stage(sample_run, "ner", shape="items")
    assert (summary.documents, summary.sources, summary.errors) == (11, 6, 0)
    restored = {"normalize": {"restored": 3}}  # the three comments typed without diacritics
    assert summary.stages == [{"stage": stage, "documents": 11, "errors": 0, "skipped": 0, **restored.get(stage, {})}
                              for stage in pipeline.STAGES.names()]
    assert summary.duplicates == {"duplicates": 0, "exact_duplicates": 0, "clusters": 0, "largest_cluster": 1,
                                  "unique": 11}
    assert {row["label"]: row["mentions"] for row in summary.entities_by_label} == \
        entities["label"].value_counts().to_dict()
    # The same "top" as `vnpipe summary` and the report: the most documents first, then mentions.
    documents = entities.groupby("canonical")["doc_id"].nunique()
    assert summary.top_entities[0] == {"entity": "Việt Nam", "label": "LOC", "mentions": 3, "documents": 3}
    assert summary.top_entities[0]["documents"] == documents.max()
    assert [row["entity"] for row in summary.top_entities] == ["Việt Nam", "VinFast", "OpenAI"]  # 2 documents each: then mentions
    assert len(summary.top_entities) == len(summary.top_keywords) == 3


def test_vnpipe_show_prints_a_short_summary(sample_run):
    result = CliRunner().invoke(app, ["show", str(sample_run), "--top", "5"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    labels = pipeline.read_stage(sample_run, "ner", shape="items")["label"].value_counts()
    assert " ".join(lines[0].split()) == f"{sample_run}: 11 documents from 6 files of {SAMPLE}, 0 errors"
    assert " ".join(lines[1:3]).split() == ("stages ingest 11 · normalize 11 (diacritics restored in 3) · dedup 11 · "
                                             "segment 11 · ner 11 · aliases 11 · keywords 11").split()
    assert lines[3] == "duplicates none"
    assert lines[4] == "entities  " + " · ".join(f"{label} {n}" for label, n in labels.items())
    assert lines[5].split() == ["top", "entities", "top", "keywords"]
    assert lines[6].split() == ["entity", "label", "n", "docs", "term", "docs", "score"]
    assert len(lines) == 8 + 5


def test_vnpipe_show_json(sample_run):
    result = CliRunner().invoke(app, ["show", str(sample_run), "--json"])
    summary = json.loads(result.stdout)
    assert summary["documents"] == 11 and summary["top_entities"][0]["entity"]


def test_show_counts_errors_by_stage_and_reason(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Sam Altman gặp Jensen Huang tại Hà Nội.", encoding="utf-8")
    (corpus / "bad.jsonl").write_text('{"text": "FPT"}\n{oops\n', encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", progress=False)
    summary = summarize(tmp_path / "run")
    assert summary.errors == 1
    assert summary.stages[0] == {"stage": "ingest", "documents": 2, "errors": 1, "skipped": 0}
    [error] = summary.errors_by_reason
    assert error["stage"] == "ingest" and error["reason"].startswith("line 2 is not valid JSON")
    result = CliRunner().invoke(app, ["show", str(tmp_path / "run")])
    assert "stages    ingest 2 (1 failed) · normalize 2" in result.stdout
    assert "line 2 is not valid JSON" in result.stdout


def test_show_refuses_a_folder_that_is_not_a_run(tmp_path):
    result = CliRunner().invoke(app, ["show", str(tmp_path)])
    assert result.exit_code == 2
    assert " ".join(result.stderr.split()) == (f"error: {tmp_path} is not a vnpipe run (it has no _run.json). "
                                               "Give the --out folder of `vnpipe run`.")
