"""Execute the notebooks in place, so that they are committed with their outputs:

    python notebooks/execute.py                          # every notebook here
    python notebooks/execute.py 01-explore-a-run.ipynb   # one

Each notebook runs the pipeline on data/sample into a temporary folder; tests/test_notebooks.py runs
them the same way (without writing them back).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from ipykernel.kernelspec import get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """The notebook at `path`, executed in a fresh kernel of this Python, started in its folder.
    Raises nbclient's CellExecutionError, with the failing cell, when a cell fails."""
    notebook = nbformat.read(path, as_version=4)
    kernel = KernelManager(kernel_name="python3", kernel_spec_manager=ThisPython())
    client = NotebookClient(notebook, km=kernel, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


class ThisPython(KernelSpecManager):
    """Always the kernel of the running interpreter, where vnpipe is installed: a `python3` kernel
    installed for the user (`ipykernel install --user`) may be another Python."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(resource_dir="", **get_kernel_dict())


def main(names: list[str]) -> None:
    paths = [NOTEBOOKS / name for name in names] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        nbformat.write(execute(path), path)
        print(f"executed {path.name}")


if __name__ == "__main__":
    main(sys.argv[1:])
