"""End to end: the sample corpus through every stage, a stage rerun alone, partial runs."""
import duckdb
import pandas as pd
import pytest

import pipeline
from pipeline.text.vietnamese import apply_tone_style
from pipeline.backends.diacritics import strip_diacritics
from pipeline.errors import MissingStageOutput, NotARunDirectory, UnknownStage
from pipeline.runtime.runner import select_stages

from conftest import SAMPLE


def test_every_stage_writes_parts_and_a_manifest(sample_run):
    for stage in pipeline.STAGES.names():
        sketches = ["_sketches"] if stage in ("dedup", "aliases") else []  # what the corpus-level stages gather
        assert sorted(p.name for p in (sample_run / stage).iterdir()) == ["_manifest.json", *sketches,
                                                                           "part-00000.parquet"]
    manifest = pd.read_json(sample_run / "ner" / "_manifest.json", typ="series")
    assert manifest["stage"] == "ner" and manifest["documents_in"] == 11 and manifest["documents_out"] == 11
    assert manifest["model_checksum"].startswith("vnpipe-neural-")


def test_sample_documents_come_through_every_stage(sample_run):
    ingest = pipeline.read_stage(sample_run, "ingest")
    assert sorted(ingest["source"].unique()) == [
        "kinh-te/ban-tin.jsonl", "kinh-te/doanh-nghiep.csv", "kinh-te/vinfast.html",
        "tin-cong-nghe/ai-nguon-mo.md", "tin-cong-nghe/binh-luan.jsonl", "tin-cong-nghe/openai-nvidia.txt"]
    for stage in ("normalize", "segment", "ner", "keywords"):
        assert sorted(pipeline.read_stage(sample_run, stage)["doc_id"]) == sorted(ingest["doc_id"])
    assert pipeline.read_errors(sample_run).empty


def test_tokens_and_entities_point_into_the_normalized_text(sample_run):
    texts = pipeline.read_stage(sample_run, "normalize").set_index("doc_id")["text"]
    tokens = pipeline.read_stage(sample_run, "segment", shape="items")
    assert all(texts[row.doc_id][row.start:row.end] == row.text for row in tokens.itertuples())
    words = set(tokens["text"])
    assert {"trung tâm", "dữ liệu", "Sam Altman", "OpenAI", "Nvidia"} <= words
    entities = pipeline.read_stage(sample_run, "ner", shape="items")
    assert all(texts[row.doc_id][row.start:row.end] == row.text for row in entities.itertuples())
    assert {"Jensen Huang", "Microsoft", "Brad Smith", "Hà Nội"} <= set(entities["text"])


def test_entities_map_back_to_the_original_text(sample_run):
    # The sample writes `Thủy` and `Hoà` (both tone placements; the classic one most): normalized text has
    # `Thủy` and `Hòa` at the same offsets.
    # Comments typed without marks have them restored: there the original holds the same letters bare.
    originals = pipeline.read_stage(sample_run, "ingest").set_index("doc_id")["text"]
    restored = pipeline.read_stage(sample_run, "normalize").set_index("doc_id")["restored"].map(len) > 0
    entities = pipeline.read_stage(sample_run, "ner", shape="items")
    for row in entities.itertuples():
        original = originals[row.doc_id][row.orig_start:row.orig_end]
        if restored[row.doc_id]:
            assert strip_diacritics(original) == strip_diacritics(row.text)
        else:
            assert apply_tone_style(original, "classic") == row.text
    assert "Lê Thị Thu Thủy" in {originals[row.doc_id][row.orig_start:row.orig_end] for row in entities.itertuples()}


def test_mentions_of_one_entity_share_a_canonical_name(sample_run):
    entities = pipeline.read_stage(sample_run, "ner", shape="items")
    canonical = dict(zip(entities["text"], entities["canonical"]))
    assert canonical["Altman"] == "Sam Altman"
    assert entities["confidence"].between(0, 1).all()


def test_keywords_are_content_words_and_names(sample_run):
    keywords = pipeline.read_stage(sample_run, "keywords", shape="items")
    source = pipeline.read_stage(sample_run, "ingest").set_index("doc_id")["source"]
    openai_doc = source[source == "tin-cong-nghe/openai-nvidia.txt"].index[0]
    terms = list(keywords[keywords["doc_id"] == openai_doc]["term"])
    assert {"Nvidia", "OpenAI", "năng_lực"} <= set(terms)
    assert not {"của", "và", "là", "được"} & set(terms)
    assert len(terms) <= 10 and keywords["score"].between(0, 1).all()


def test_boilerplate_is_dropped_and_audited(sample_run):
    normalized = pipeline.read_stage(sample_run, "normalize")
    audit = pd.DataFrame([r for rows in normalized["removed"] for r in rows])
    assert {"related_header", "related_block", "copyright", "share_prompt", "navigation"} <= set(audit["reason"])
    assert not normalized["text"].str.contains("Bạn cũng có thể thích|Giá Bitcoin|Ghi rõ nguồn").any()


def test_duckdb_reads_the_parquet(sample_run):
    query = f"""SELECT e.label, count(*) AS n
                FROM (SELECT unnest(entities, recursive := true) FROM '{sample_run}/ner/*.parquet') AS e
                GROUP BY e.label ORDER BY e.label"""
    labels = dict(duckdb.sql(query).fetchall())
    assert set(labels) <= {"PER", "ORG", "LOC", "MISC"} and labels["PER"] >= 3


def test_a_stage_reruns_alone_from_the_previous_output(sample_run, tmp_path):
    run_dir = tmp_path / "run"
    pipeline.run(SAMPLE, run_dir, until="segment", progress=False)
    assert not (run_dir / "ner").exists()
    report = pipeline.run(None, run_dir, only="ner", progress=False)
    assert [(s.stage, s.documents_out) for s in report.stages] == [("ner", 11)]
    rerun = pipeline.run(None, run_dir, only="ner", progress=False)
    assert rerun.stages[0].parts_reused == 1 and rerun.stages[0].parts_run == 0


def test_changed_settings_recompute_only_that_stage(sample_run, tmp_path):
    run_dir = tmp_path / "run"
    pipeline.run(SAMPLE, run_dir, progress=False)
    before = (run_dir / "ner" / "part-00000.parquet").read_bytes()
    settings = pipeline.RunSettings(keywords=pipeline.STAGES["keywords"].Settings(top_k=3))
    report = pipeline.run(SAMPLE, run_dir, settings, progress=False)
    runs = {s.stage: s.parts_run for s in report.stages}
    assert runs == {"ingest": 0, "normalize": 0, "dedup": 0, "segment": 0, "ner": 0, "aliases": 0, "keywords": 1}
    assert (run_dir / "ner" / "part-00000.parquet").read_bytes() == before
    assert pipeline.read_stage(run_dir, "keywords")["keywords"].map(len).max() == 3


def test_a_stage_without_its_input_says_what_to_run_first(tmp_path):
    with pytest.raises(MissingStageOutput) as error:
        pipeline.run(None, tmp_path / "run", only="segment", progress=False)
    assert str(error.value) == (f"stage 'segment' reads the output of 'normalize', which is not in "
                                f"{tmp_path / 'run'}. Run it first: vnpipe run CORPUS --out {tmp_path / 'run'} "
                                "--until normalize")


def test_stage_selection():
    assert select_stages(only="ner,segment") == ["segment", "ner"]
    assert select_stages(start="ner") == ["ner", "aliases", "keywords"]
    assert select_stages(until="normalize") == ["ingest", "normalize"]
    with pytest.raises(UnknownStage, match="unknown stage 'tagging'; the stages are: ingest, normalize"):
        select_stages(only="tagging")


def test_refuses_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(NotARunDirectory):
        pipeline.run(SAMPLE, tmp_path, progress=False)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
