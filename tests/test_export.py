"""Exports of a run read back to what the run holds (jsonl, conll, conllu, spacy, csv), the joined reader,
and the DuckDB queries the README shows."""
import json
import re
import shutil

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.outputs.export import export, read_conll

from conftest import ROOT


def run_entities(run):
    return pipeline.read_stage(run, "ner", shape="items")


def test_read_run_joins_every_stage_by_doc_id(sample_run):
    documents = pipeline.read_run(sample_run)
    assert list(documents.columns[:10]) == ["doc_id", "source", "record", "format", "original_text", "title",
                                            "date", "language", "text", "sentences"]
    assert {"tokens", "entities", "keywords"} <= set(documents.columns)
    assert len(documents) == 11 and documents["doc_id"].is_unique
    vinfast = documents[documents["source"] == "kinh-te/vinfast.html"].iloc[0]
    assert vinfast["title"] == "VinFast mở rộng thị trường Ấn Độ"
    assert "VinFast" in {entity["text"] for entity in vinfast["entities"]}


def test_read_run_of_a_partial_run_has_the_stages_that_ran(tmp_path):
    from conftest import SAMPLE
    pipeline.run(SAMPLE, tmp_path / "run", until="normalize", progress=False)
    columns = set(pipeline.read_run(tmp_path / "run").columns)
    assert "text" in columns and not {"tokens", "entities", "keywords"} & columns


def test_jsonl_round_trip(sample_run, tmp_path):
    report = export(sample_run, "jsonl", tmp_path / "run.jsonl")
    lines = (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()
    assert report.documents == len(lines) == 11
    records = [json.loads(line) for line in lines]
    assert list(records[0])[:10] == ["doc_id", "source", "record", "title", "date", "language", "text",
                                     "tokens", "entities", "keywords"]
    assert list(records[0])[10:] in ([], ["tags"])  # tags when the keywords stage wrote them
    documents = pipeline.read_run(sample_run).set_index("doc_id")
    for record in records:
        document = documents.loc[record["doc_id"]]
        assert record["text"] == document["text"]
        assert record["tokens"] == list(document["tokens"])
        assert [{**e, "confidence": pytest.approx(e["confidence"], abs=1e-4)} for e in document["entities"]] \
            == record["entities"]
        assert [k["term"] for k in record["keywords"]] == [k["term"] for k in document["keywords"]]
        for entity in record["entities"]:
            assert record["text"][entity["start"]:entity["end"]] == entity["text"]


def test_conll_round_trip_recovers_the_entities(sample_run, tmp_path):
    export(sample_run, "conll", tmp_path / "run.conll")
    lines = (tmp_path / "run.conll").read_text(encoding="utf-8").splitlines()
    first = pipeline.read_run(sample_run)["doc_id"][0]
    assert lines[:6] == [f"# doc_id = {first}",
                         "# text = Ngân hàng Nhà nước Việt Nam quyết định giữ nguyên các mức lãi suất điều hành "
                         "trong quý III.",
                         "Ngân_hàng\tB-ORG", "Nhà_nước\tI-ORG", "Việt_Nam\tI-ORG", "quyết_định\tO"]
    documents = read_conll(tmp_path / "run.conll")
    entities = run_entities(sample_run)
    assert [(d["doc_id"], e["label"], e["text"]) for d in documents for e in d["entities"]] \
        == list(zip(entities["doc_id"], entities["label"], entities["text"]))
    tokens = pipeline.read_stage(sample_run, "segment", shape="items")
    assert sum(len(s["words"]) for d in documents for s in d["sentences"]) == len(tokens)


def test_conll_without_text_lines_joins_words_with_spaces(tmp_path):
    path = tmp_path / "annotated.conll"
    path.write_text("# doc_id = a\nCEO\tO\ncủa\tO\nOpenAI\tB-ORG\n,\tO\nSam_Altman\tB-PER\n\n"
                    "Hà_Nội\tI-LOC\nvà\tO\nTP.\tB-LOC\nHCM\tI-LOC\n", encoding="utf-8")
    [document] = read_conll(path)
    assert [(e["text"], e["label"], e["sentence"], e["start"], e["end"]) for e in document["entities"]] == [
        ("OpenAI", "ORG", 0, 2, 3), ("Sam Altman", "PER", 0, 4, 5), ("Hà Nội", "LOC", 1, 0, 1),
        ("TP. HCM", "LOC", 1, 2, 4)]


def test_conllu_has_universal_pos_and_our_tag(sample_run, tmp_path):
    export(sample_run, "conllu", tmp_path / "run.conllu")
    lines = (tmp_path / "run.conllu").read_text(encoding="utf-8").splitlines()
    first = pipeline.read_run(sample_run)["doc_id"][0]
    assert lines[:9] == [f"# newdoc id = {first}", f"# sent_id = {first}-1",
                         "# text = Ngân hàng Nhà nước Việt Nam quyết định giữ nguyên các mức lãi suất điều hành "
                         "trong quý III.",
                         "1\tNgân hàng\t_\tNOUN\tN\t_\t_\t_\t_\tTokenRange=0:9",
                         "2\tNhà nước\t_\tNOUN\tN\t_\t_\t_\t_\tTokenRange=10:18",
                         "3\tViệt Nam\t_\tPROPN\tNNP\t_\t_\t_\t_\tTokenRange=19:27",
                         "4\tquyết định\t_\tVERB\tV\t_\t_\t_\t_\tTokenRange=28:38",
                         "5\tgiữ\t_\tVERB\tV\t_\t_\t_\t_\tTokenRange=39:42",
                         "6\tnguyên\t_\tADJ\tA\t_\t_\t_\t_\tTokenRange=43:49"]
    words = [line.split("\t") for line in lines if line and not line.startswith("#")]
    assert all(len(word) == 10 for word in words)
    tokens = pipeline.read_stage(sample_run, "segment", shape="items")
    assert [(w[3], w[4]) for w in words] == list(zip(tokens["upos"], tokens["pos"]))
    assert lines[15:18] == ["13\tIII\t_\tNUM\tM\t_\t_\t_\t_\tTokenRange=87:90|SpaceAfter=No",
                            "14\t.\t_\tPUNCT\tCH\t_\t_\t_\t_\tTokenRange=90:91", ""]


def test_spacy_docbin_round_trip(sample_run, tmp_path):
    export(sample_run, "spacy", tmp_path / "run.spacy")
    docs = list(DocBin().from_disk(tmp_path / "run.spacy").get_docs(spacy.blank("xx").vocab))
    documents = pipeline.read_run(sample_run)
    assert [doc.user_data["doc_id"] for doc in docs] == list(documents["doc_id"])
    for doc, document in zip(docs, documents.itertuples()):
        assert doc.text == document.text
        assert [(t.text, t.idx, t.tag_, t.pos_) for t in doc if not t.is_space] == \
            [(t["text"], t["start"], t["pos"], t["upos"]) for t in document.tokens]
        assert [t.text for t in doc if t.is_space] == ["\n"] * document.text.count("\n")
        assert [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in doc.ents] == \
            [(e["start"], e["end"], e["label"], e["canonical"]) for e in document.entities]
        assert len(list(doc.sents)) == len(document.sentences)


def test_csv_round_trip(sample_run, tmp_path):
    report = export(sample_run, "csv", tmp_path / "csv")
    assert [path.name for path in report.paths][:2] == ["entities.csv", "keywords.csv"]
    assert [path.name for path in report.paths][2:] in ([], ["tags.csv"])  # when the run has tags
    entities = pd.read_csv(tmp_path / "csv" / "entities.csv", keep_default_na=False)
    expected = run_entities(sample_run)
    assert list(entities.columns) == ["doc_id", "source", "text", "label", "start", "end", "orig_start",
                                      "orig_end", "canonical", "confidence"]
    pd.testing.assert_frame_equal(entities.drop(columns="source"), expected, check_dtype=False, atol=1e-6)
    keywords = pd.read_csv(tmp_path / "csv" / "keywords.csv", keep_default_na=False)
    expected = pipeline.read_stage(sample_run, "keywords", shape="items")
    assert list(keywords.columns) == ["doc_id", "source", "rank", "term", "score"]
    pd.testing.assert_frame_equal(keywords[["doc_id", "term", "score"]], expected, check_dtype=False, atol=1e-6)
    assert keywords.groupby("doc_id")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1))).all()


def test_tags_are_exported_when_the_run_has_them(sample_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(sample_run, run)
    part = run / "keywords" / "part-00000.parquet"
    table = pq.read_table(part)
    tag = pa.struct([("tag", pa.string()), ("evidence", pa.list_(pa.string()))])
    tags = [[{"tag": "AI", "evidence": ["OpenAI", "mô_hình"]}] if i == 0 else [] for i in range(table.num_rows)]
    tags = pa.array(tags, pa.list_(tag))
    if "tags" in table.column_names:
        table = table.set_column(table.column_names.index("tags"), "tags", tags)
    else:
        table = table.append_column("tags", tags)
    pq.write_table(table, part)
    export(run, "csv", tmp_path / "csv")
    assert (tmp_path / "csv" / "tags.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        f"{table['doc_id'][0]},kinh-te/ban-tin.jsonl,AI,OpenAI; mô_hình"]
    export(run, "jsonl", tmp_path / "run.jsonl")
    first = json.loads((tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["tags"] == [{"tag": "AI", "evidence": ["OpenAI", "mô_hình"]}]
    assert "tags" in pipeline.read_run(run).columns


def test_vnpipe_export_command(sample_run, tmp_path):
    result = CliRunner().invoke(app, ["export", str(sample_run), "--format", "jsonl", "--out", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 0
    assert result.stderr == f"wrote 11 documents to {tmp_path / 'a.jsonl'}\n"
    result = CliRunner().invoke(app, ["export", str(sample_run), "--format", "xml", "--out", str(tmp_path / "a.xml")])
    assert result.exit_code == 2
    assert result.stderr == "error: invalid --format: 'xml'; choose one of jsonl, conll, conllu, spacy, csv\n"


def test_export_of_a_run_without_ner_says_what_to_run(tmp_path):
    from conftest import SAMPLE
    run = tmp_path / "run"
    pipeline.run(SAMPLE, run, until="segment", progress=False)
    result = CliRunner().invoke(app, ["export", str(run), "-f", "conll", "-o", str(tmp_path / "a.conll")])
    assert result.exit_code == 2
    assert "stage 'export' reads the output of 'ner', which is not in" in " ".join(result.stderr.split())
    assert not (tmp_path / "a.conll").exists()


def readme_queries() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    return [query.strip() for block in blocks for query in block.split(";") if query.strip()]


def test_the_readme_duckdb_queries_run(sample_run):
    queries = readme_queries()
    assert len(queries) == 3
    results = [duckdb.sql(query.replace("runs/sample", str(sample_run))).fetchall() for query in queries]
    by_label, microsoft, by_folder = results
    assert by_label[0][0] == "ORG" and {row[0] for row in by_label} == {"ORG", "LOC", "PER", "MISC"}
    assert sorted(source for _, source in microsoft) == ["kinh-te/ban-tin.jsonl", "tin-cong-nghe/openai-nvidia.txt"]
    assert {row[0] for row in by_folder} == {"kinh-te", "tin-cong-nghe"}
