"""Looking at a run: `vnpipe show`, `report`, `summary` and `export`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .. import checks
from .app import app, console, guarded

@app.command("export")
def export_command(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A run directory (the --out of vnpipe run)."),
    format: str = typer.Option(..., "--format", "-f", help="jsonl, conll, conllu, spacy or csv."),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write (a folder for csv)."),
) -> None:
    """Export RUN for downstream tools: jsonl (one document a line), conll (BIO, for annotation tools),
    conllu (words with Universal POS and our POS tag), spacy (a DocBin) or csv (entities.csv and
    keywords.csv in a folder)."""
    from ..outputs.export import export

    report = guarded(lambda: export(run_dir, format, out))
    console.print(f"wrote {report.documents} documents to {', '.join(str(path) for path in report.paths)}",
                  soft_wrap=True, markup=False)


@app.command("show")
def show_command(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A run directory (the --out of vnpipe run)."),
    top: int = typer.Option(10, help="How many entities and keywords to list."),
    unique_only: bool = typer.Option(False, help="Count entities and keywords over the kept document of each dedup cluster only."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """A run at a glance: documents, duplicates, errors, entities by label, top entities and top keywords."""
    from ..outputs.show import render, summarize

    guarded(lambda: checks.at_least("--top", top, 1))
    summary = guarded(lambda: summarize(run_dir, top, unique_only))
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    Console().print(render(summary), crop=False)


@app.command("report")
def report_command(
    run_dir: Path = typer.Argument(..., metavar="RUN", help="A run directory (the --out of vnpipe run)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The HTML file to write (default: RUN/report.html)."),
    by: str = typer.Option("source_folder", help="Group by the top-level source folder, or by this metadata field (e.g. topic)."),
    top: int = typer.Option(10, help="Names, keywords and clusters listed in each table."),
) -> None:
    """One self-contained HTML page about RUN (counts, errors, duplicates, boilerplate, entities, keywords,
    tags, a few documents with their entities highlighted), to open in any browser, offline."""
    from ..outputs.report import write_report

    guarded(lambda: (checks.existing_folder("RUN", run_dir), out is None or checks.writable_file("--out", out),
                      checks.at_least("--top", top, 1)))
    path = guarded(lambda: write_report(run_dir, out, by, top))
    console.print(f"wrote {path} ({path.stat().st_size / 1000:,.0f} kB)", soft_wrap=True, markup=False)


@app.command("summary")
def summary_command(
    run_dir: Path = typer.Argument(..., help="A run through keywords."),
    by: str = typer.Option("source_folder", help="Group by the top-level source folder, or by this metadata field (e.g. topic)."),
    top: int = typer.Option(10, help="Terms of each kind per group."),
    show: str = typer.Option("(all)", help="Print this group's table ('' prints none)."),
    unique_only: bool = typer.Option(False, help="Count the kept document of each dedup cluster only (writes by-<group>-unique.parquet)."),
) -> None:
    """Top keywords, entities and tags overall and per group, written to RUN/summary/by-<group>.parquet."""
    import pandas as pd

    from ..outputs.summary import write_summary

    guarded(lambda: checks.at_least("--top", top, 1))
    path = guarded(lambda: write_summary(run_dir, by, top, unique_only))
    console.print(f"wrote {path}")
    if show:
        frame = pd.read_parquet(path)
        frame = frame[frame["group"] == show]
        table = Table(title=f"{run_dir}: {show}", title_justify="left")
        for column in ("kind", "rank", "term", "label", "documents"):
            table.add_column(column, justify="right" if column in ("rank", "documents") else "left")
        for row in frame.itertuples():
            table.add_row(row.kind, str(row.rank), row.term, row.label, str(row.documents))
        Console().print(table)

