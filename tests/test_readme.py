"""The README tells the truth: its console sessions print what it shows, its Python runs, and its
Python console (`pycon`) examples give the results written under them.

Every block runs in one temporary folder, in README order, with `data/` linked in, so
`vnpipe run data/sample --out runs/sample` there is what a reader types in a checkout.
"""
import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(console|python|pycon)\n(.*?)```", README, flags=re.S)
BIN = Path(sys.executable).parent


def _seconds_masked(text: str) -> str:
    # The run summary's last column is wall time; everything else must match exactly (rich pads
    # a table's title with spaces: those do not count).
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\d+\.\d(?= │$)", "#", text, flags=re.M)


def console_sessions(block: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of a console block: `$ ` starts a command."""
    sessions: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            sessions.append((line[2:], []))
        elif sessions:
            sessions[-1][1].append(line)
    return [(command, "\n".join(output).rstrip()) for command, output in sessions]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    (folder / "data").symlink_to(ROOT / "data")
    return folder


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "80"}


def test_the_readme_has_examples_of_every_kind():
    kinds = [kind for kind, _ in BLOCKS]
    assert kinds.count("console") >= 3 and kinds.count("python") >= 2 and kinds.count("pycon") >= 1


def test_readme_blocks_run_and_print_what_they_show(folder):
    for kind, block in BLOCKS:
        if kind == "console":
            for command, expected in console_sessions(block):
                result = subprocess.run(["bash", "-c", command], cwd=folder, env=_env(), capture_output=True,
                                        text=True, timeout=300)
                assert result.returncode == 0, (command, result.stderr)
                assert _seconds_masked(result.stdout.rstrip()) == _seconds_masked(expected), command
        elif kind == "python":
            result = subprocess.run([sys.executable, "-c", block], cwd=folder, env=_env(), capture_output=True,
                                    text=True, timeout=300)
            assert result.returncode == 0, (block, result.stderr)
        else:
            test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
            runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
            cwd = os.getcwd()
            os.chdir(folder)
            try:
                runner.run(test)
            finally:
                os.chdir(cwd)
            assert runner.failures == 0, block


def update_readme() -> None:
    """Rewrite the output of every console session in the README with what the code prints now:
    `python tests/test_readme.py --update`, then read the diff before committing it."""
    import tempfile

    text = README
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "data").symlink_to(ROOT / "data")

        def rerun(match: re.Match) -> str:
            lines = []
            for command, _ in console_sessions(match.group(1)):
                result = subprocess.run(["bash", "-c", command], cwd=folder, env=_env(), capture_output=True,
                                        text=True, timeout=600)
                lines += [f"$ {command}", "\n".join(line.rstrip() for line in result.stdout.rstrip().splitlines())]
            return "```console\n" + "\n".join(lines) + "\n```"

        text = re.sub(r"```console\n(.*?)```", rerun, text, flags=re.S)
    (ROOT / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    update_readme()
