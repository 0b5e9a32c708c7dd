"""The house as the README draws it: imports point one way through the layers (lazy imports inside
functions included), a stage never imports another stage, no module is over 500 lines, and a stage
of your own is one class and one registration away from `vnpipe run` and `read_run`."""
import ast
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.stages.registry import STAGES

from conftest import ROOT, SAMPLE

PACKAGE = ROOT / "pipeline"
# text <- backends <- stages <- runtime <- outputs / evaluate / train <- api <- cli; errors, checks and
# digests are leaves everyone may use.
LAYERS = {"errors": 0, "checks": 0, "digests": 0, "text": 1, "backends": 2, "stages": 3, "runtime": 4,
          "outputs": 5, "evaluate": 5, "train": 5, "api": 6, "cli": 7}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_imports(path: Path) -> set[str]:
    """Every pipeline module `path` imports, at module level or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            found.add(".".join([*base, *(node.module.split(".") if node.module else [])]))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module.startswith("pipeline.")}


def layer(module: str) -> int | None:
    return LAYERS.get(module.split(".")[1]) if module.count(".") else None


MODULES = sorted(path for path in PACKAGE.rglob("*.py") if path.name != "__init__.py" or path.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_imports_point_one_way(path):
    importer = module_name(path)
    upward = [imported for imported in all_imports(path) if layer(imported) > layer(importer)]
    assert not upward, f"{importer} imports {upward}, a layer above it"


@pytest.mark.parametrize("path", sorted((PACKAGE / "stages").rglob("*.py")), ids=lambda path: module_name(path))
def test_a_stage_never_imports_another_stage(path):
    importer = module_name(path)
    own = importer.split(".")[2] if importer.count(".") >= 2 else ""
    shared = ("base", "schemas")  # the protocol, and row structures more than one stage writes
    if own in ("registry", "__init__", *shared) or importer == "pipeline.stages":
        return
    others = [m for m in all_imports(path) if m.startswith("pipeline.stages.")
              and m.split(".")[2] not in (own, *shared)]
    assert not others, f"{importer} imports {others}"


def test_no_module_is_over_500_lines():
    long = {module_name(path): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert not long


# -- a stage of your own ------------------------------------------------------------------------------------

class Lengths(pipeline.Stage):
    """Characters and sentences of the normalized text: a stage a user writes in ten lines."""

    name = "lengths"
    version = "1"
    reads = {"normalize": ("text", "sentences")}
    schema = pa.schema([("doc_id", pa.string()), ("characters", pa.int64()), ("sentences_n", pa.int64())])
    exposes = {"characters": "characters", "sentences_n": "sentences_n"}

    @dataclass(frozen=True)
    class Settings:
        minimum: int = pipeline.setting(0, flag="--min-characters", help="Count only texts this long.")

    def process(self, document):
        text = document["text"] or ""
        long_enough = len(text) >= self.settings.minimum
        return {"characters": len(text) if long_enough else 0, "sentences_n": len(document["sentences"])}


def test_a_registered_stage_runs_with_vnpipe_run_and_comes_back_from_read_run(tmp_path):
    with STAGES.registered(Lengths):
        assert STAGES.names()[-1] == "lengths"
        result = CliRunner().invoke(app, ["run", str(SAMPLE), "--out", str(tmp_path / "run"), "--no-progress",
                                          "--workers", "1", "--min-characters", "10"])
        assert result.exit_code == 0, result.output
        assert any(line.startswith("│ lengths ") for line in result.stdout.splitlines())
        documents = pipeline.read_run(tmp_path / "run")
        assert (documents["characters"] == documents["text"].str.len()).all()
        assert (documents["sentences_n"] == documents["sentences"].map(len)).all()
        help_text = CliRunner().invoke(app, ["run", "--help"]).stdout
        assert "--min-characters" in help_text
    assert "lengths" not in STAGES.names()
    assert "--min-characters" not in CliRunner().invoke(app, ["run", "--help"]).stdout
