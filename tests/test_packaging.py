"""The package as it is installed and laid out: every subpackage ships, models are package data,
dependencies between the folders point one way, and the CLI knows its version."""
import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.backends import model_files
from pipeline.cli import app
from pipeline.errors import ModelFileMissing

from conftest import ROOT

PACKAGE = ROOT / "pipeline"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The pipeline modules `path` imports at module level (imports inside functions are lazy
    on purpose and cannot form an import-time cycle)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module.startswith("pipeline")}


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


GRAPH = {module_name(path): imports_of(path) for path in PACKAGE.rglob("*.py")}


def test_no_import_cycles():
    def visit(module: str, trail: tuple[str, ...]) -> None:
        for imported in GRAPH.get(module, ()):
            # A package's __init__ importing its own submodules is how packages work, not a cycle.
            if imported in trail and not trail[-1].startswith(imported + "."):
                raise AssertionError(" -> ".join([*trail[trail.index(imported):], imported]))
            if imported not in trail:
                visit(imported, (*trail, imported))
    for module in GRAPH:
        visit(module, (module,))


def test_every_subpackage_and_the_models_ship_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {module_name(init) for init in PACKAGE.rglob("__init__.py")}
    assert set(config["packages"]) == on_disk | {"pipeline.models"}
    assert config["package-dir"] == {"pipeline.models": "models"}
    assert config["package-data"]["pipeline.models"] == ["*/*"]


def test_models_are_found_as_package_data():
    assert model_files.model_dir("ws") == ROOT / "models" / "ws"
    assert (model_files.model_dir("ner") / "model.crfsuite").is_file()


def test_a_missing_model_file_says_which_and_how_to_reinstall(tmp_path):
    with pytest.raises(ModelFileMissing) as error:
        model_files.require(tmp_path / "segment.crfsuite")
    assert str(error.value) == (f"model file {tmp_path / 'segment.crfsuite'} is missing from this vnpipe install. "
                                "Reinstall the package (pip install --force-reinstall vnpipe, or pip install -e . "
                                "in a checkout); the models ship inside it.")
    assert not isinstance(error.value, OSError)  # the runner would take it for a full disk


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"vnpipe {pipeline.__version__}\n"
    assert pipeline.__version__[0].isdigit()


def test_spacy_finds_our_components_through_entry_points():
    from importlib.metadata import entry_points
    assert {e.name for e in entry_points(group="spacy_factories")} >= {"vnpipe_ner"}
    assert {e.name for e in entry_points(group="spacy_tokenizers")} >= {"vnpipe.Tokenizer.v1"}


def test_a_missing_corpus_leaves_no_run_folder_behind(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert not (tmp_path / "run").exists()


def test_spacy_load_works_in_a_fresh_interpreter(tmp_path):
    pipeline.spacy_nlp().to_disk(tmp_path / "nlp")
    code = ("import sys, spacy; doc = spacy.load(sys.argv[1])('Ông Sam Altman đến Hà Nội.'); "
            "print([(e.text, e.label_) for e in doc.ents])")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "nlp")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[('Sam Altman', 'PER'), ('Hà Nội', 'LOC')]\n"


def test_a_checkout_that_was_never_installed_runs_and_says_so(tmp_path):
    # importlib.metadata knows no vnpipe in a bare checkout: the version is "0+unknown", not a crash.
    code = ("import importlib.metadata as metadata\n"
            "found = metadata.version\n"
            "def version(name):\n"
            "    if name == 'vnpipe':\n"
            "        raise metadata.PackageNotFoundError(name)\n"
            "    return found(name)\n"
            "metadata.version = version\n"
            "import json, pipeline\n"
            f"pipeline.run({str(ROOT / 'data' / 'sample')!r}, {str(tmp_path / 'run')!r}, only='ingest', progress=False)\n"
            f"print(json.load(open({str(tmp_path / 'run' / 'ingest' / '_manifest.json')!r}))['vnpipe'])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0+unknown"
