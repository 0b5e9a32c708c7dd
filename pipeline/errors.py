"""Every error a user can meet, in one place, each saying what went wrong and what to do."""
from __future__ import annotations


class VnpipeError(Exception):
    """An error the user can act on; the CLI prints its message without a traceback."""

    exit_code = 2


class CorpusNotFound(VnpipeError):
    def __init__(self, path: str) -> None:
        super().__init__(f"corpus not found: {path}. Give a folder or file of documents "
                         "(.txt, .md, .html, .jsonl, .json, .csv, .tsv, .parquet).")


class NotARunDirectory(VnpipeError):
    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is not empty and is not a vnpipe run. Choose a new --out "
                         "folder, or pass --force to write into it (vnpipe only replaces its own files).")


class NotARun(VnpipeError):
    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is not a vnpipe run (it has no {'_run.json'}). Give the --out folder of `vnpipe run`.")


class StageNotRun(VnpipeError):
    def __init__(self, run: str, stage: str) -> None:
        super().__init__(f"{run} has no finished {stage!r} output. Run it: vnpipe run CORPUS --out {run} --until {stage}")


class UnknownStage(VnpipeError):
    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown stage {name!r}; the stages are: {', '.join(known)}")


class MissingStageOutput(VnpipeError):
    def __init__(self, stage: str, needed: str, run: str) -> None:
        super().__init__(f"stage {stage!r} reads the output of {needed!r}, which is not in {run}. "
                         f"Run it first: vnpipe run CORPUS --out {run} --until {needed}")


class IncompatibleStageOutput(VnpipeError):
    def __init__(self, stage: str, run: str, found: str, expected: str) -> None:
        super().__init__(f"the {stage!r} output in {run} was written by version {found} of the stage, "
                         f"this vnpipe reads version {expected}. Rerun it: vnpipe run CORPUS --out {run} "
                         f"--from {stage}")


class RunLocked(VnpipeError):
    def __init__(self, run: str, holder: str) -> None:
        super().__init__(f"another vnpipe process ({holder}) is writing {run}. Wait for it to finish, "
                         f"or if it died on another machine, delete the file {run}/_lock and try again.")


class RunFailed(VnpipeError):
    def __init__(self, run: str, reason: str) -> None:
        super().__init__(f"could not write to {run}: {reason}. The parts already finished are kept; "
                         "free space or fix permissions, then run the same command again to resume.")


class ModelFileMissing(VnpipeError):
    def __init__(self, path: str) -> None:
        super().__init__(f"model file {path} is missing from this vnpipe install. Reinstall the package "
                         "(pip install --force-reinstall vnpipe, or pip install -e . in a checkout); "
                         "the models ship inside it.")


class TrainingExtraMissing(VnpipeError):
    def __init__(self, package: str) -> None:
        super().__init__(f"training the neural NER tagger needs {package}, which vnpipe does not need to run: "
                         "pip install -e '.[train]' (a CPU build of torch 2.13.0, onnx, gensim)")


class InvalidSetting(VnpipeError):
    """A setting with a value it cannot have (see checks.py); raised before anything is read or written."""

    def __init__(self, option: str, value: object, expected: str) -> None:
        super().__init__(f"invalid {option}: {value!r}; {expected}")
        self.option = option


class DocumentError(Exception):
    """One document could not be processed; it becomes a row of the errors table."""
