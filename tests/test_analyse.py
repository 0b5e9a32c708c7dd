"""One path from text to analysis: `pipeline.analyse`, `vnpipe ner -`, `vnpipe segment -` and a run give
the same words and entities for the same text and settings, user words included."""
import json

from typer.testing import CliRunner

import pipeline
from pipeline.cli import app



def test_analyse_gives_what_a_run_gives(sample_run):
    documents = pipeline.read_run(sample_run)
    plain = documents[documents["format"].isin(["text", "jsonl", "csv"])]  # no page structure to read
    analysed = pipeline.analyse(plain["original_text"].tolist())
    for (_, document), analysis in zip(plain.iterrows(), analysed):
        assert analysis["text"] == document["text"]
        assert [t["text"] for t in analysis["tokens"]] == [t["text"] for t in document["tokens"]]
        assert [(e["text"], e["label"], e["canonical"]) for e in analysis["entities"]] == \
            [(e["text"], e["label"], e["canonical"]) for e in document["entities"]]
        assert [k["term"] for k in analysis["keywords"]] == [k["term"] for k in document["keywords"]]


def test_user_words_reach_the_line_commands_as_they_reach_a_run(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("ví điện tử\n", encoding="utf-8")
    line = "Người dùng ví điện tử tăng nhanh."
    without = CliRunner().invoke(app, ["segment", "-"], input=line + "\n")
    with_words = CliRunner().invoke(app, ["segment", "-", "--user-words", str(words)], input=line + "\n")
    assert "ví_điện_tử" not in without.stdout.split()
    assert "ví_điện_tử" in with_words.stdout.split()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(line, encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", pipeline.RunSettings(
        workers=1, segment=pipeline.STAGES["segment"].Settings(user_words=str(words))), until="segment", progress=False)
    tokens = pipeline.read_run(tmp_path / "run")["tokens"][0]
    assert " ".join("_".join(t["text"].split()) for t in tokens) == with_words.stdout.strip()


def test_ner_of_a_line_points_into_the_line_as_given():
    line = "  CEO của OpenAI, Sam Altman,   gặp Jensen Huang."
    result = CliRunner().invoke(app, ["ner", "-"], input=line + "\n")
    entities = json.loads(result.stdout)["entities"]
    assert [(e["text"], e["label"]) for e in entities] == [("OpenAI", "ORG"), ("Sam Altman", "PER"),
                                                         ("Jensen Huang", "PER")]
    assert all(line[e["start"]:e["end"]] == e["text"] for e in entities)
