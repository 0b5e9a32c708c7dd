"""The `vnpipe` typer application and what every command shares: errors printed as one line with the
exit code they carry, input lines read from a file or standard input."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import VnpipeError

app = typer.Typer(help="Batch NLP for Vietnamese text: normalize, dedup, segment, NER and keywords, in Parquet.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
eval_app = typer.Typer(help="Score a model against gold data.", no_args_is_help=True)
train_app = typer.Typer(help="Train the models shipped in models/ from the gold train splits.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
console = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"vnpipe {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """Batch NLP for Vietnamese text: normalize, dedup, segment, NER and keywords, in Parquet."""


def guarded(action):
    """`action()`, with a VnpipeError printed as one line and turned into its exit code."""
    try:
        return action()
    except VnpipeError as error:
        print_error(error)
        raise typer.Exit(code=error.exit_code) from None


def scored(action):
    """An eval command's scoring: a gold file it cannot read (ValueError, with the line) is a usage
    error, like a VnpipeError."""
    try:
        return guarded(action)
    except ValueError as error:
        print_error(error)
        raise typer.Exit(code=2) from None


def print_error(error: Exception) -> None:
    """One line (never wrapped to the terminal's width), the message as written (no markup)."""
    console.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)


def input_lines(file: str):
    """The lines of `file` (`-`: standard input), without their line breaks."""
    if file == "-":
        yield from (line.rstrip("\n") for line in sys.stdin)
        return
    path = Path(file)
    require_file(path)
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from (line.rstrip("\n") for line in handle)


def require_file(path: Path) -> None:
    if not path.is_file():
        console.print(f"[red]error:[/red] no such file: {path}")
        raise typer.Exit(code=2)


def names(option: str) -> list[str]:
    """The names of a comma-separated option (`--ner vnpipe,vnpipe-neural`)."""
    return [name.strip() for name in option.split(",") if name.strip()]
