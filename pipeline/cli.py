"""The `vnpipe` command: a thin layer that turns arguments into settings and calls the library."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import readers
from .errors import VnpipeError
from .keywords import Keywords
from .ner import Ner
from .normalize import Normalize
from .runner import ORDER, RunReport, RunSettings, run
from .segment import Segment

app = typer.Typer(help="Batch NLP for Vietnamese text: normalize, segment, NER and keywords, in Parquet.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console(stderr=True)


@app.command("run")
def run_command(
    corpus: Path = typer.Argument(..., help="Folder or file of documents (.txt .md .html .jsonl .json .csv .tsv .parquet)."),
    out: Path = typer.Option(..., "--out", "-o", help="Run directory to write (created if missing)."),
    only: Optional[str] = typer.Option(None, help=f"Run only these stages, comma-separated: {','.join(ORDER)}."),
    start: Optional[str] = typer.Option(None, "--from", help="Run from this stage on."),
    until: Optional[str] = typer.Option(None, help="Run up to and including this stage."),
    text_field: str = typer.Option("text", help="Field or column holding the text in JSON, CSV and Parquet."),
    shard_size: int = typer.Option(500, help="Documents per part file."),
    tone_style: str = typer.Option("modern", help="Tone-mark placement: modern (hoà, thuỷ) or classic (hòa, thủy)."),
    keep_boilerplate: bool = typer.Option(False, help="Keep page furniture in the text (nothing is removed or audited)."),
    segmenter: str = typer.Option("underthesea", help="Word segmentation backend."),
    ner_backend: str = typer.Option("underthesea", "--ner", help="NER backend."),
    top_k: int = typer.Option(10, help="Keywords per document."),
    min_score: float = typer.Option(0.05, help="Lowest TF-IDF score a keyword may have."),
    workers: int = typer.Option(1, help="Worker processes."),
    force: bool = typer.Option(False, help="Write into a non-empty folder that is not a vnpipe run."),
    progress: bool = typer.Option(True, help="Show progress bars."),
) -> None:
    """Run the pipeline (ingest, normalize, segment, ner, keywords) over CORPUS into OUT."""
    settings = RunSettings(
        ingest=readers.Settings(text_field=text_field, shard_size=shard_size),
        normalize=Normalize.Settings(tone_style=tone_style, remove_boilerplate=not keep_boilerplate),
        segment=Segment.Settings(backend=segmenter),
        ner=Ner.Settings(backend=ner_backend),
        keywords=Keywords.Settings(top_k=top_k, min_score=min_score),
        workers=workers,
    )
    report = _guarded(lambda: run(corpus, out, settings, only=only, start=start, until=until,
                                  force=force, progress=progress))
    print_summary(report)
    if report.errors:
        raise typer.Exit(code=1)


def print_summary(report: RunReport) -> None:
    table = Table(title=f"vnpipe run {report.run}", title_justify="left")
    for column in ("stage", "in", "out", "errors", "parts run", "parts reused", "seconds"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in report.stages:
        table.add_row(stage.stage, str(stage.documents_in), str(stage.documents_out), str(stage.errors),
                      str(stage.parts_run), str(stage.parts_reused), f"{stage.seconds:.1f}")
    Console().print(table)
    if report.errors:
        console.print(f"[yellow]{report.errors} document(s) failed; see {report.run}/errors[/yellow]")


@app.command("segment")
def segment_command(
    file: str = typer.Argument(..., help="A text file, one text per line, or - for standard input."),
    segmenter: str = typer.Option("underthesea", help="Word segmentation backend."),
    tone_style: str = typer.Option("modern", help="Tone-mark placement: modern or classic."),
) -> None:
    """Segment each line: words separated by spaces, syllables of a word joined by `_`."""
    from .textio import segment_line

    for line in _lines(file):
        print(segment_line(line, segmenter, tone_style))


@app.command("ner")
def ner_command(
    file: str = typer.Argument(..., help="A text file, one text per line, or - for standard input."),
    format: str = typer.Option("jsonl", help="Output format (jsonl)."),
    segmenter: str = typer.Option("underthesea", help="Word segmentation backend."),
    ner_backend: str = typer.Option("underthesea", "--ner", help="NER backend."),
    tone_style: str = typer.Option("modern", help="Tone-mark placement: modern or classic."),
) -> None:
    """Named entities of each line, as one JSON object per line with offsets into that line."""
    from .textio import entities_of_line

    if format != "jsonl":
        raise typer.BadParameter("only jsonl is supported", param_hint="--format")
    for line in _lines(file):
        entities = entities_of_line(line, segmenter, ner_backend, tone_style)
        print(json.dumps({"entities": entities}, ensure_ascii=False))


def _lines(file: str):
    if file == "-":
        yield from (line.rstrip("\n") for line in sys.stdin)
        return
    path = Path(file)
    if not path.is_file():
        console.print(f"[red]error:[/red] no such file: {file}")
        raise typer.Exit(code=2)
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from (line.rstrip("\n") for line in handle)


def _guarded(action):
    try:
        return action()
    except VnpipeError as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(code=error.exit_code) from None


if __name__ == "__main__":
    app()
