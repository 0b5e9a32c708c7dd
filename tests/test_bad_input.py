"""Bad input and misuse: the run finishes, every good document comes through, every bad one has
exactly one error row saying why, and existing outputs are never damaged."""
import errno
import json
import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.runtime import parts
from pipeline.stages.registry import STAGES
from pipeline.cli import app
from pipeline.text.legacy import encode_legacy
from pipeline.errors import (CorpusNotFound, IncompatibleStageOutput, NotARunDirectory, RunFailed, RunLocked,
                             UnknownStage)
from pipeline.runtime.settings import RunSettings

from conftest import SAMPLE

ARTICLE = ("Hà Nội mưa lớn kéo dài.\n\nNhiều tuyến phố ở quận Hoàn Kiếm ngập sâu sau cơn mưa chiều qua, "
           "giao thông ùn tắc nhiều giờ.")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# source -> the reason of its one error row
BAD = {
    "empty.txt": "no text: the file is empty",
    "blank.txt": "no text: the file holds only white space",
    "binary.txt": "not text: contains NUL bytes (binary file, or UTF-16 without a byte-order mark)",
    "huge.txt": ("document too long: 52,428,800 characters, more than the limit of 10,000,000; "
                 "split it, or raise --max-chars"),
    "script-only.html": "no text: the page has no visible text (only markup or scripts?)",
    "no-text-field.json": "record has no 'text' field (fields: id, body); choose the field with --text-field",
    "no-text-column.csv": "no 'text' column (columns: id, body); choose it with --text-field",
    "report.docx": "unsupported file type .docx; vnpipe reads .csv, .htm, .html, .json, .jsonl, .markdown, .md, .parquet, .tsv, .txt",
    "dangling.txt": "cannot read file: No such file or directory",
    "self-loop.txt": "cannot read file: Too many levels of symbolic links",
}
MALFORMED_LINE = ("mixed.jsonl", 1)  # records count from 0: the second line
GOOD = ["mixed.jsonl", "english.txt", "chinese.txt", "tin tức/bài viết số 1.txt", "ids.jsonl",
        "deep/" + "/".join(["d"] * 300) + "/bottom.txt", "invalid-utf8.txt", "utf16-no-bom.txt", "tcvn3.txt"]
# Read, with the encoding they were read in.
DECODED = {"invalid-utf8.txt": "utf-8 (1 invalid byte replaced)", "utf16-no-bom.txt": "utf-16-le",
           "tcvn3.txt": "tcvn3"}


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bad") / "corpus"
    root.mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text("   \n\n \t \n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (root / "huge.txt").write_bytes(b"a" * (50 * 1024 * 1024))  # one 50 MB line
    (root / "script-only.html").write_text(
        "<html><head><script>var a = 1;</script><style>p {color: red}</style></head>"
        "<body><script>document.write('x')</script></body></html>", encoding="utf-8")
    (root / "no-text-field.json").write_text(json.dumps({"id": 1, "body": ARTICLE}, ensure_ascii=False),
                                             encoding="utf-8")
    (root / "no-text-column.csv").write_text("id,body\n1,Hà Nội\n", encoding="utf-8")
    (root / "report.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (root / "invalid-utf8.txt").write_bytes(ARTICLE.encode("utf-8").replace(b"Ho", b"Ho\xff", 1))
    (root / "utf16-no-bom.txt").write_bytes(ARTICLE.encode("utf-16-le"))
    (root / "tcvn3.txt").write_bytes(encode_legacy(ARTICLE, "tcvn3"))
    (root / "dangling.txt").symlink_to(root / "does-not-exist.txt")
    (root / "self-loop.txt").symlink_to(root / "self-loop.txt")
    (root / "loop").symlink_to(root, target_is_directory=True)  # a folder loop: followed once, no error
    good_lines = [json.dumps({"id": f"a{n}", "text": f"{ARTICLE} Bài số {n}."}, ensure_ascii=False) for n in (1, 2, 3)]
    (root / "mixed.jsonl").write_text("\n".join([good_lines[0], '{"id": "a2", "text": "Hà Nội', *good_lines[1:]]) + "\n",
                                      encoding="utf-8")
    (root / "english.txt").write_text("The central bank said on Monday that it would keep interest rates "
                                      "unchanged for the rest of the year.", encoding="utf-8")
    (root / "chinese.txt").write_text("越南央行周一表示，今年余下时间将维持利率不变。", encoding="utf-8")
    (root / "tin tức").mkdir()
    (root / "tin tức" / "bài viết số 1.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "ids.jsonl").write_text(json.dumps({"id": "../../../../tmp/evil", "text": ARTICLE}, ensure_ascii=False)
                                    + "\n", encoding="utf-8")
    deep = root / "deep" / Path(*["d"] * 300)
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text(ARTICLE, encoding="utf-8")
    if not IS_ROOT:  # root reads any file, so a permission error cannot be made
        unreadable = root / "unreadable.txt"
        unreadable.write_text(ARTICLE, encoding="utf-8")
        unreadable.chmod(0)
    return root


@pytest.fixture(scope="module")
def bad_run(bad_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("bad-run") / "run"
    report = pipeline.run(bad_corpus, out, RunSettings(workers=1), progress=False)
    return out, report


def test_every_bad_file_has_exactly_one_error_row_saying_why(bad_run):
    run, report = bad_run
    errors = pipeline.read_errors(run)
    expected = {**BAD, **({} if IS_ROOT else {"unreadable.txt": "cannot read file: Permission denied"})}
    by_source = errors[errors["source"] != MALFORMED_LINE[0]]
    assert dict(zip(by_source["source"], by_source["reason"])) == expected
    assert by_source["source"].is_unique and set(by_source["stage"]) == {"ingest"}
    malformed = errors[errors["source"] == MALFORMED_LINE[0]]
    assert [(int(r.record), r.stage) for r in malformed.itertuples()] == [(MALFORMED_LINE[1], "ingest")]
    assert malformed["reason"].iloc[0] == "line 2 is not valid JSON: Unterminated string starting at column 22"
    assert report.errors == len(expected) + 1


def test_every_good_document_comes_through_every_stage(bad_run):
    run, report = bad_run
    ingest = pipeline.read_stage(run, "ingest")
    assert sorted(set(ingest["source"])) == sorted(GOOD)
    assert len(ingest) == 11  # three good lines in mixed.jsonl, one document in each other good file
    encodings = dict(zip(ingest["source"], ingest["encoding"]))
    assert {source: encodings[source] for source in DECODED} == DECODED
    texts = dict(zip(ingest["source"], ingest["text"]))
    assert texts["utf16-no-bom.txt"] == texts["tcvn3.txt"] == ARTICLE
    assert texts["invalid-utf8.txt"] == ARTICLE.replace("Ho", "Ho\ufffd", 1)
    for stage in ("normalize", "segment", "ner", "keywords"):
        assert sorted(pipeline.read_stage(run, stage)["doc_id"]) == sorted(ingest["doc_id"])
    ingest_report = report.stages[0]
    assert ingest_report.documents_in == ingest_report.documents_out + ingest_report.errors


def test_other_languages_are_flagged_and_not_analysed_as_vietnamese(bad_run):
    run, _ = bad_run
    ingest = pipeline.read_stage(run, "ingest").set_index("doc_id")["source"]
    normalized = pipeline.read_stage(run, "normalize").set_index("doc_id")
    tokens = pipeline.read_stage(run, "segment").set_index("doc_id")["tokens"]
    language = {ingest[doc_id]: normalized.loc[doc_id, "language"] for doc_id in ingest.index}
    assert language["english.txt"] == "en" and language["chinese.txt"] == "zh"
    assert language["tin tức/bài viết số 1.txt"] == "vi"
    for doc_id, source in ingest.items():
        assert (len(tokens[doc_id]) == 0) == (source in ("english.txt", "chinese.txt"))


def test_ids_from_the_data_never_choose_where_files_go(bad_run, bad_corpus):
    run, _ = bad_run
    ingest = pipeline.read_stage(run, "ingest")
    assert "../../../../tmp/evil" in set(ingest["source_id"])
    assert not Path("/tmp/evil").exists()
    written = {p.relative_to(run).parts[0] for p in run.rglob("*")}
    assert written == {"_run.json", *STAGES.names(), "errors", "summary"}


def test_the_cli_exit_code_and_summary_count_the_failures(bad_corpus, tmp_path):
    result = CliRunner().invoke(app, ["run", str(bad_corpus), "--out", str(tmp_path / "run"), "--no-progress",
                                      "--workers", "1", "--until", "normalize"])
    failed = len(BAD) + 1 + (0 if IS_ROOT else 1)
    assert result.exit_code == 1
    assert f"{failed} document(s) failed; see {tmp_path / 'run'}/errors" in " ".join(result.output.split())


# -- misuse ---------------------------------------------------------------------------------------

def run_sample(out: Path, **options):
    return pipeline.run(SAMPLE, out, RunSettings(workers=1), progress=False, **options)


def snapshot(run: Path, pattern: str = "*") -> dict[str, bytes]:
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob(pattern)) if p.is_file()}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "run"
    run_sample(out)
    return out


def test_unknown_stage(finished_run):
    before = snapshot(finished_run)
    with pytest.raises(UnknownStage) as error:
        run_sample(finished_run, only="ner,tagging")
    assert str(error.value) == ("unknown stage 'tagging'; the stages are: ingest, normalize, dedup, segment, ner, aliases, keywords")
    assert snapshot(finished_run) == before


def test_a_corpus_that_does_not_exist(tmp_path):
    with pytest.raises(CorpusNotFound) as error:
        pipeline.run(tmp_path / "nowhere", tmp_path / "run", progress=False)
    assert str(error.value).startswith(f"corpus not found: {tmp_path / 'nowhere'}.")


def test_a_folder_that_is_not_a_run_is_refused_and_force_keeps_its_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "ner").mkdir()
    (out / "ner" / "my-table.parquet").write_bytes(b"mine too")
    with pytest.raises(NotARunDirectory):
        run_sample(out)
    assert sorted(p.name for p in out.rglob("*")) == ["my-table.parquet", "ner", "notes.txt"]
    run_sample(out, force=True)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "ner" / "my-table.parquet").read_bytes() == b"mine too"


def test_a_stage_rerun_against_an_incompatible_version_says_what_to_do(finished_run, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    for path in finished_run.rglob("*"):
        if path.is_file():
            (run / path.relative_to(finished_run)).parent.mkdir(parents=True, exist_ok=True)
            (run / path.relative_to(finished_run)).write_bytes(path.read_bytes())
    manifest = parts.read_manifest(run, "segment")
    parts.write_manifest(run, "segment", {**manifest, "version": "0"})
    before = snapshot(run)
    with pytest.raises(IncompatibleStageOutput) as error:
        run_sample(run, only="ner")
    assert str(error.value) == (
        f"the 'segment' output in {run} was written by version 0 of the stage, this vnpipe reads version "
        f"{pipeline.STAGES['segment'].version}. Rerun it: vnpipe run CORPUS --out {run} --from segment")
    assert snapshot(run) == before


def test_two_runs_on_one_folder(finished_run):
    before = snapshot(finished_run)
    holder = f"pid {os.getpid()} on {socket.gethostname()}"
    (finished_run / "_lock").write_text(holder, encoding="utf-8")  # a live process holds it
    try:
        with pytest.raises(RunLocked) as error:
            run_sample(finished_run)
    finally:
        (finished_run / "_lock").unlink()
    assert str(error.value).startswith(f"another vnpipe process ({holder}) is writing {finished_run}.")
    assert snapshot(finished_run) == before


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "No space left on device"),
                                        (errno.EROFS, "Read-only file system")])
def test_a_full_or_read_only_disk_stops_with_one_message_and_keeps_finished_parts(
        finished_run, tmp_path, monkeypatch, code, words):
    run = tmp_path / "run"
    run_sample(run, until="segment")
    before = snapshot(run, "*.parquet")

    def failing_write(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(parts, "write_parquet_atomic", failing_write)
    with pytest.raises(RunFailed) as error:
        run_sample(run)
    assert str(error.value) == (f"could not write to {run}: {words}. The parts already finished are kept; "
                                "free space or fix permissions, then run the same command again to resume.")
    assert snapshot(run, "*.parquet") == before
    assert not (run / "_lock").exists()
