"""The notebooks run from top to bottom on the sample corpus, each in a fresh kernel of this Python,
and are committed with their outputs (`python notebooks/execute.py` re-executes them in place)."""
import importlib.util
import re

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01-explore-a-run.ipynb", "02-rerun-one-stage.ipynb"]


def execute(name: str):
    spec = importlib.util.spec_from_file_location("execute_notebooks", NOTEBOOKS / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.execute(NOTEBOOKS / name)


def outputs(notebook) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def text_of(notebook) -> str:
    return "\n".join(output.get("text", "") + output.get("data", {}).get("text/plain", "") +
                     output.get("data", {}).get("text/html", "") for output in outputs(notebook))


def shown_text(notebook) -> list[str]:
    """What a reader sees of each code cell's output, less the temporary folder's name."""
    return [re.sub(r"/\S*vnpipe-notebook-\w+", "TMP", text_of(nbformat.from_dict({"cells": [cell]})))
            for cell in notebook.cells if cell.cell_type == "code"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Each notebook executed once; the notebooks write their run under tempfile's folder, and the
    kernel inherits TMPDIR."""
    cache = {}

    def run(name: str):
        if name not in cache:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("kernel")))
                cache[name] = execute(name)
        return cache[name]
    return run


@pytest.mark.parametrize("name", NAMES)
def test_committed_outputs_are_what_the_notebook_prints_now(name, executed):
    committed = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert shown_text(executed(name)) == shown_text(committed), f"re-execute it: python notebooks/execute.py {name}"


def test_explore_notebook(executed):
    notebook = executed("01-explore-a-run.ipynb")
    charts = [o for o in outputs(notebook) if "image/png" in o.get("data", {})]
    assert len(charts) == 4
    text = text_of(notebook)
    assert '<mark style="background: #f8c99b" title="Nvidia">Nvidia <small>ORG</small></mark>' in text
    assert "0 errors in 11 documents" in text


def test_rerun_notebook_recomputes_only_keywords(executed):
    notebook = executed("02-rerun-one-stage.ipynb")
    [digests] = [o for o in outputs(notebook) if "files unchanged" in o.get("data", {}).get("text/plain", "")]
    rows = [line.split()[1:] for line in digests["data"]["text/plain"].splitlines()[1:]]
    assert rows == [["ingest", "True"], ["normalize", "True"], ["dedup", "True"], ["segment", "True"], ["ner", "True"], ["aliases", "True"],
                    ["keywords", "False"]]
    assert "'top_k': 5" in text_of(notebook)


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_executed(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not [o for o in outputs(notebook) if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs(notebook))
