"""Dedup: a wire story and its republished copies cluster, two articles on one event do not;
signatures are reused; --skip-duplicates, the readers' filter and `vnpipe eval dedup`."""
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.errors import InvalidSetting
from pipeline.outputs.show import summarize
from pipeline.outputs.summary import corpus_summary
from pipeline.runtime.settings import RunSettings
from pipeline.stages import ingest
from pipeline.stages.dedup import Dedup, shingles

from conftest import shared_file


def vntc_article(topic_file: str, article_id: str) -> str:
    with open(shared_file(f"corpora/vntc/{topic_file}"), encoding="utf-8") as lines:
        return next(json.loads(line)["text"] for line in lines if f'"{article_id}"' in line)


def story() -> str:
    """A VNTC story (Người Lao Động) about where Vietnam's first nuclear plant would be built."""
    return vntc_article("khoa-hoc.jsonl", "Khoa hoc/KH_NLD_ (1652).txt")


def same_event() -> tuple[str, str]:
    """Two VnExpress articles on one event, a day apart: Cambodia's parliament, then its senate, passing
    the law on the council that chooses King Sihanouk's successor. Same names, same words, different articles."""
    return (vntc_article("the-gioi.jsonl", "The gioi/TG_ VNE_ (705).txt"),
            vntc_article("the-gioi.jsonl", "The gioi/TG_ VNE_ (739).txt"))


def republished(text: str, header: str, footer: str) -> str:
    return f"{header}\n{text}\n{footer}"


def write_corpus(folder):
    folder.mkdir()
    documents = {
        "a-story.txt": story(),
        # The same story on two other sites: their own header and footer ...
        "b-copy.txt": republished(story(), "Trang chủ » Khoa học » Công nghệ\nThứ Hai, 04/12/2006, 08:15 GMT+7",
                                  "Theo TTXVN\nBản quyền © 2006 Báo Điện tử Đất Việt. Ghi rõ nguồn khi phát hành "
                                  "lại thông tin từ website này."),
        # ... and one that also reworded a sentence and updated a figure.
        "c-edited.txt": republished(story().replace("có ba địa điểm hiện đang được cân nhắc", "có ba địa điểm đang "
                                                  "được xem xét").replace("2.000 MW - 4.000 MW", "2.000 MW - 5.000 MW"),
                                    "VIETBAO.VN | Khoa học", "(Minh Anh)\nChia sẻ | In bài | Gửi email"),
        "d-event.txt": same_event()[0],
        "e-event.txt": same_event()[1],
        "f-again.txt": story(),  # the first page, crawled twice
    }
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def settings(**extra) -> RunSettings:
    return RunSettings(ingest=ingest.Settings(shard_size=2), workers=1, **extra)


@pytest.fixture(scope="module")
def dedup_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dedup")
    corpus = write_corpus(folder / "corpus")
    pipeline.run(corpus, folder / "run", settings(), until="dedup", progress=False)
    return folder / "run"


def by_source(run) -> dict:
    frame = pipeline.read_run(run)
    return {row.source: row for row in frame.itertuples()}


def test_a_wire_story_and_its_republished_copies_form_one_cluster(dedup_run):
    rows = by_source(dedup_run)
    story_id = rows["a-story.txt"].doc_id
    copies = ("b-copy.txt", "c-edited.txt", "f-again.txt")
    assert [rows[name].cluster for name in ("a-story.txt", *copies)] == [story_id] * 4
    assert pd.isna(rows["a-story.txt"].duplicate_of) and pd.isna(rows["a-story.txt"].similarity)
    assert [rows[name].duplicate_of for name in copies] == [story_id] * 3
    assert [rows[name].exact for name in ("a-story.txt", *copies)] == [False, False, False, True]
    # Normalize removed the other sites' furniture but for a dateline: near, not exact, copies
    # (the dateline's few shingles in 300 leave every one of the 128 MinHash values of b-copy equal).
    assert 0.95 < rows["b-copy.txt"].similarity <= 1 and 0.8 < rows["c-edited.txt"].similarity < 0.95
    assert rows["f-again.txt"].similarity == 1.0


def test_two_different_articles_on_one_event_are_not_duplicates(dedup_run):
    rows = by_source(dedup_run)
    for name in ("d-event.txt", "e-event.txt"):
        assert rows[name].cluster == rows[name].doc_id and pd.isna(rows[name].duplicate_of)
    first, second = (shingles(text, 1) for text in same_event())
    assert len(first & second) / len(first | second) > 0.2  # they do share many words


def test_the_manifest_counts_duplicates_and_show_says_so(dedup_run):
    manifest = json.loads((dedup_run / "dedup" / "_manifest.json").read_text())
    assert (manifest["duplicates"], manifest["exact_duplicates"], manifest["clusters"], manifest["largest_cluster"]) \
        == (3, 1, 1, 4)
    summary = summarize(dedup_run)
    assert summary.duplicates == {"duplicates": 3, "exact_duplicates": 1, "clusters": 1, "largest_cluster": 4,
                                  "unique": 3}
    lines = CliRunner().invoke(app, ["show", str(dedup_run)]).stdout.splitlines()
    assert lines[2] == "duplicates 3 of 6 documents (1 exact) in 1 cluster, largest 4; 3 unique"


def test_signatures_are_computed_once_per_document(dedup_run, tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    run = tmp_path / "run"
    pipeline.run(corpus, run, settings(), until="dedup", progress=False)
    (corpus / "0-new.txt").write_text(story().replace("Ninh Thuận", "Phú Yên"), encoding="utf-8")  # shifts every shard
    report = pipeline.run(corpus, run, settings(), until="dedup", progress=False)
    dedup = report.stages[-1]
    assert (dedup.documents_computed, dedup.documents_reused) == (1, 6)
    # A new threshold re-clusters from the stored signatures: none is computed again.
    looser = settings(dedup=Dedup.Settings(threshold=0.2))
    dedup = pipeline.run(corpus, run, looser, until="dedup", progress=False).stages[-1]
    assert dedup.documents_computed == 0
    # Nothing changed: the stage is not even read.
    assert pipeline.run(corpus, run, looser, until="dedup", progress=False).stages[-1].parts_reused == 4


def test_skip_duplicates_analyses_one_document_per_cluster(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    run = tmp_path / "run"
    report = pipeline.run(corpus, run, settings(skip_duplicates=True), progress=False)
    stages = {s.stage: (s.documents_in, s.documents_out, s.skipped) for s in report.stages}
    assert stages["segment"] == (6, 3, 3) and stages["ner"] == (3, 3, 0) and stages["keywords"] == (3, 3, 0)
    assert len(pipeline.read_stage(run, "ner")) == 3

    everything = pipeline.read_run(run)
    assert len(everything) == 6 and everything["tokens"].isna().sum() == 3
    unique = pipeline.read_run(run, unique_only=True)
    assert sorted(unique["source"]) == ["a-story.txt", "d-event.txt", "e-event.txt"]
    assert unique["duplicate_of"].isna().all() and unique["tokens"].notna().all()

    # Without the flag, the duplicates are analysed too; only their rows are recomputed.
    report = pipeline.run(corpus, run, settings(), progress=False)
    segment = next(s for s in report.stages if s.stage == "segment")
    assert (segment.documents_out, segment.documents_computed, segment.skipped) == (6, 3, 0)
    assert len(pipeline.read_stage(run, "ner", shape="items", unique_only=True)) < \
        len(pipeline.read_stage(run, "ner", shape="items"))
    everyone, unique = corpus_summary(run), corpus_summary(run, unique_only=True)
    assert everyone["group_documents"].iloc[0] == 6 and unique["group_documents"].iloc[0] == 3
    story = everyone[(everyone["kind"] == "entity") & (everyone["term"] == "Ninh Thuận")]["documents"].iloc[0]
    assert story == 4 and unique[unique["term"] == "Ninh Thuận"]["documents"].iloc[0] == 1


def test_the_stage_line_of_show_counts_skipped_duplicates(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    pipeline.run(corpus, tmp_path / "run", settings(skip_duplicates=True), progress=False)
    result = CliRunner().invoke(app, ["show", str(tmp_path / "run"), "--unique-only"])
    assert "segment 3 (3 duplicates skipped)" in " ".join(result.stdout.split())


GOLD = """# a<TAB>b<TAB>label<TAB>kind
a\tb\tlabel\tkind
a-story.txt\tb-copy.txt\tduplicate\theader-footer
a-story.txt\tc-edited.txt\tduplicate\trepublished
f-again.txt\ta-story.txt\tduplicate\tcrawled-twice
d-event.txt\te-event.txt\tdistinct\tsame-event
"""


def test_eval_dedup_scores_pairs_against_a_gold_file(dedup_run, tmp_path):
    gold = tmp_path / "gold.tsv"
    gold.write_text(GOLD, encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "dedup", str(gold), "--run", str(dedup_run), "--json",
                                      "--thresholds", "0.99"])
    scores = json.loads(result.stdout)
    # Gold cluster {a, b, c, f}: six pairs. The run finds all six; the exact hash only a-f.
    assert (scores["dedup"]["precision"], scores["dedup"]["recall"], scores["dedup"]["gold_pairs"]) == (1.0, 1.0, 6)
    assert (scores["exact_hash"]["precision"], scores["exact_hash"]["recall"]) == (1.0, 0.1667)
    assert scores["sweep"][0]["recall"] == 0.5  # at 0.99 the reworded copy is left out: a, b, f remain
    assert {k["kind"]: k["same_cluster"] for k in scores["dedup"]["kinds"]} == \
        {"crawled-twice": 1, "header-footer": 1, "republished": 1, "same-event": 0}

    gold.write_text("a-story.txt\tnowhere.txt\tduplicate\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "dedup", str(gold), "--run", str(dedup_run)])
    assert result.exit_code == 2
    assert "line 1: no document of" in " ".join(result.stderr.split())


def test_settings_are_checked():
    with pytest.raises(InvalidSetting, match="must divide the number of permutations"):
        Dedup(Dedup.Settings(num_perm=128, bands=30))
    with pytest.raises(InvalidSetting, match="threshold"):
        Dedup(Dedup.Settings(threshold=0))
