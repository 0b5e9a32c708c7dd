"""Misuse never ends in a traceback: every bad option of every command is a one-line usage error
(exit code 2) naming the option and the values it may take, found before any stage runs, so no run
folder is left behind; and the Python API raises the same `InvalidSetting`."""
import signal
import typing
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.errors import InvalidSetting
from pipeline.stages.keywords import Keywords
from pipeline.stages.ner import Ner

from conftest import SAMPLE

runner = CliRunner()


def usage_error(result) -> str:
    """The one line a usage error prints, after checking it is one (exit 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("option, message", [
    (["--ner", "spacy"], "error: invalid --ner (ner.backend): 'spacy'; choose one of vnpipe-neural, vnpipe, vnpipe-unseen, underthesea"),
    (["--segmenter", "foo"], "error: invalid --segmenter (segment.backend): 'foo'; choose one of vnpipe, underthesea, pyvi"),
    (["--tone-style", "foo"], "error: invalid --tone-style (normalize.tone_style): 'foo'; choose one of auto, classic, modern"),
    (["--top-k", "-3"], "error: invalid --top-k (keywords.top_k): -3; give a whole number of at least 1"),
    (["--workers", "0"], "error: invalid --workers (workers): 0; give a whole number of at least 1"),
    (["--dedup-threshold", "1.5"], "error: invalid --dedup-threshold (dedup.threshold): 1.5; give a number in (0, 1]"),
])
def test_a_bad_run_option_is_a_usage_error_before_any_stage_runs(tmp_path, option, message):
    result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(tmp_path / "run"), "--no-progress", *option])
    assert usage_error(result) == message
    assert not (tmp_path / "run").exists()


def test_the_python_api_raises_the_same_error():
    with pytest.raises(InvalidSetting) as error:
        Ner.Settings(backend="spacy")
    assert str(error.value) == "invalid --ner (ner.backend): 'spacy'; choose one of vnpipe-neural, vnpipe, vnpipe-unseen, underthesea"
    with pytest.raises(InvalidSetting, match=r"invalid --top-k \(keywords.top_k\): -3"):
        Keywords.Settings(top_k=-3)
    with pytest.raises(InvalidSetting, match=r"invalid --workers \(workers\): 0"):
        pipeline.RunSettings(workers=0)


def test_out_that_is_a_file_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(tmp_path / "notes.txt")])
    assert usage_error(result) == f"error: invalid --out: '{tmp_path / 'notes.txt'}'; it is a file, not a folder; " \
                                  "give a folder path"
    with pytest.raises(InvalidSetting, match="is a file, not a folder"):
        pipeline.run(SAMPLE, tmp_path / "notes.txt" / "run", progress=False)


def test_export_to_an_existing_folder_is_a_usage_error(sample_run, tmp_path):
    result = runner.invoke(app, ["export", str(sample_run), "--format", "jsonl", "--out", str(tmp_path)])
    assert usage_error(result) == f"error: invalid --out: '{tmp_path}'; it is a folder; give a file path"


@pytest.mark.parametrize("files", [{}, {"a.txt": "", "b.md": "  \n"}], ids=["no files", "only empty files"])
def test_empty_corpus_finishes_with_exit_1_and_says_there_is_nothing_to_analyse(tmp_path, files):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["run", str(corpus), "--out", str(tmp_path / "run"), "--no-progress"])
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit))
    assert "Traceback" not in result.output
    expected = ("nothing to analyse: no file of the corpus holds a document" if not files else
                f"nothing to analyse: every document failed (2 error row(s) in {tmp_path / 'run'}/errors)")
    assert result.stderr.strip() == expected
    assert len(pipeline.read_errors(tmp_path / "run")) == len(files)
    assert (tmp_path / "run" / "summary" / "by-source-folder.parquet").exists()


# -- every option of every command ----------------------------------------------------------------

# Options that take any text (a field or group name): no value of theirs is wrong.
FREE_TEXT = {"text_field", "by", "show", "field"}
BAD_NUMBER = "-3"          # every count, size, limit and share of vnpipe is positive (or at least 0)
BAD_TEXT = "no-such-value"  # not a backend, style, format, stage, address or list of numbers
BAD_PATH = "a-file/below"  # a path under a file: neither an input that exists nor a folder that can be made


def commands(group=typer.main.get_command(app), path=()):
    """(command path, click command) of every command, sub-commands included (`eval ner`)."""
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "commands", None):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


def kind(parameter) -> type:
    annotation = parameter.type_descriptor.annotation
    return next((a for a in typing.get_args(annotation) if a is not type(None)), annotation)


def bad_value(parameter) -> str | None:
    if getattr(parameter, "is_flag", False) or parameter.name in FREE_TEXT:
        return None
    return {int: BAD_NUMBER, float: BAD_NUMBER, Path: BAD_PATH}.get(kind(parameter), BAD_TEXT)


def cases():
    for path, command in commands():
        for parameter in command.params:
            if parameter.param_type_name == "option" and bad_value(parameter) is not None:
                yield pytest.param(path, command, parameter, id=f"{' '.join(path)} {parameter.opts[0]}")


def good_value(parameter, folder: Path, run: Path) -> str:
    """A value a required parameter can take, so that only the option under test is wrong."""
    if parameter.name == "corpus":
        return str(SAMPLE)
    if parameter.name in ("run_dir", "run"):
        return str(run)
    if parameter.name == "format":
        return "jsonl"
    if parameter.name == "out":
        return str(folder / "out")
    (folder / "input.txt").write_text("Hà Nội\n", encoding="utf-8")
    return str(folder / "input.txt")  # a gold file, a text file


class TookTooLong(Exception):
    pass


@contextmanager
def at_most(seconds: int):
    """A bad option must be refused before any work starts: an invocation that runs on (a training,
    a run) fails the test in seconds instead of holding the suite for an hour."""
    def stop(signum, frame):
        raise TookTooLong(f"still running after {seconds} s: the option was not checked before work started")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("path, command, parameter", list(cases()))
def test_every_option_of_every_command_rejects_a_bad_value(path, command, parameter, sample_run, tmp_path,
                                                           monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "a-file").write_text("x", encoding="utf-8")
    monkeypatch.chdir(folder)  # relative defaults (train --out models/ws) land here, if anywhere
    arguments = list(path)
    for other in command.params:
        if other.required and other is not parameter:
            value = good_value(other, folder, sample_run)
            arguments += [value] if other.param_type_name == "argument" else [other.opts[0], value]
    before = sorted(folder.rglob("*"))
    value = bad_value(parameter)
    with at_most(30):
        result = runner.invoke(app, [*arguments, parameter.opts[0], value], input="")
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    if message.startswith("error:"):  # vnpipe's own checks: one line (typer's own, e.g. `min=1`, print a box)
        assert len(message.splitlines()) == 1, message
    assert parameter.opts[0] in message or value in message, message  # names the option, or the value given
    assert sorted(folder.rglob("*")) == before  # no run folder, no output file


def test_a_stage_name_with_spaces_around_it_is_the_stage(tmp_path):
    run = tmp_path / "run"
    result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(run), "--no-progress", "--only", " ingest, normalize"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["run", str(SAMPLE), "--out", str(run), "--no-progress", "--from", " ner"])
    assert usage_error(result) == (f"error: stage 'ner' reads the output of 'segment', which is not in {run}. "
                                   f"Run it first: vnpipe run CORPUS --out {run} --until segment")
