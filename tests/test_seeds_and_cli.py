"""The real crawled seeds through the whole pipeline, and the CLI as a user types it."""
import json

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app

from conftest import SAMPLE, shared_file

runner = CliRunner()


def test_seeds_run_and_the_first_names_its_companies_and_people(tmp_path):
    report = pipeline.run(shared_file("corpora/seeds"), tmp_path / "seeds", progress=False)
    assert [(s.stage, s.documents_out, s.errors) for s in report.stages] == [
        (stage, 2, 0) for stage in pipeline.STAGES.names()]
    ingest = pipeline.read_stage(tmp_path / "seeds", "ingest").set_index("source")
    first = ingest.loc["000_1fc83d6af2e2c079.txt", "doc_id"]
    entities = pipeline.read_stage(tmp_path / "seeds", "ner", shape="items")
    names = set(entities[entities["doc_id"] == first]["text"])
    assert {"OpenAI", "Nvidia", "Sam Altman"} <= names


def test_cli_run_prints_a_summary(tmp_path):
    result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(tmp_path / "run"), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "keywords" in result.output and "reused" in result.output


def test_cli_reports_a_missing_corpus(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "corpus not found" in result.output


def test_cli_exits_1_when_documents_fail(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "good.txt").write_text("Hà Nội là thủ đô của Việt Nam.", encoding="utf-8")
    (tmp_path / "corpus" / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(tmp_path / "corpus"), "--out", str(tmp_path / "run"), "--no-progress"])
    assert result.exit_code == 1
    errors = pipeline.read_errors(tmp_path / "run")
    assert errors[["source", "record", "stage"]].values.tolist() == [["bad.jsonl", 0, "ingest"]]


def test_cli_segment_and_ner_read_lines():
    text = "CEO của OpenAI, Sam Altman, gặp Ben Horowitz tại Hà Nội.\n"
    segmented = runner.invoke(app, ["segment", "-"], input=text)
    assert segmented.output.splitlines() == ["CEO của OpenAI , Sam_Altman , gặp Ben_Horowitz tại Hà_Nội ."]
    tagged = runner.invoke(app, ["ner", "-", "--format", "jsonl"], input=text)
    entities = json.loads(tagged.output)["entities"]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in entities)
    assert {"Ben Horowitz", "Hà Nội"} <= {e["text"] for e in entities}


@pytest.mark.slow
def test_one_vntc_file_runs_through_every_stage(tmp_path):
    report = pipeline.run(shared_file("corpora/vntc/khoa-hoc.jsonl"), tmp_path / "vntc",
                          pipeline.RunSettings(workers=2), progress=False)
    assert [(s.stage, s.documents_out) for s in report.stages] == [(stage, 1820) for stage in pipeline.STAGES.names()]
