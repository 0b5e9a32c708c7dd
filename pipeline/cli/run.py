"""`vnpipe run`: its options are the run's own (Execution) and every registered stage's settings."""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..api import run
from ..outputs.results import read_warnings, restored_line, warning_line
from ..runtime.runner import RunReport
from ..runtime.settings import Execution, RunSettings
from ..stages.registry import STAGES
from .app import app, console, guarded
from .options import DynamicCommand, SettingOption, build_settings, setting_options


def _fixed() -> list[inspect.Parameter]:
    def option(name: str, annotation: Any, info: Any) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=info, annotation=annotation)

    return [
        option("corpus", Path, typer.Argument(..., help="Folder or file of documents (.txt .md .html .jsonl .json "
                                               ".csv .tsv .parquet).")),
        option("out", Path, typer.Option(..., "--out", "-o", help="Run directory to write (created if missing).")),
        option("only", Optional[str], typer.Option(None, help=f"Run only these stages, comma-separated: "
                                                  f"{','.join(STAGES.names())}.")),
        option("start", Optional[str], typer.Option(None, "--from", help="Run from this stage on.")),
        option("until", Optional[str], typer.Option(None, help="Run up to and including this stage.")),
        option("force", bool, typer.Option(False, help="Write into a non-empty folder that is not a vnpipe run.")),
        option("progress", bool, typer.Option(True, help="Show progress bars.")),
    ]


def run_options() -> list[SettingOption]:
    """The run's own options, then each registered stage's, in run order."""
    options = setting_options(Execution, None)
    for stage in STAGES:
        options += setting_options(stage.Settings, stage.name)
    return options


def _run(options: list[SettingOption], values: dict[str, Any]) -> None:
    # Built first: every setting is checked here (the Settings check themselves), so a bad value is
    # a usage error before any stage runs or any folder is made.
    def settings() -> RunSettings:
        built = build_settings(options, values)
        execution = built.pop(None)
        return RunSettings(**{**{f: getattr(execution, f) for f in execution.__dataclass_fields__}, **built})

    run_settings = guarded(settings)
    out = values["out"]
    try:
        report = guarded(lambda: run(values["corpus"], out, run_settings, only=values["only"], start=values["start"],
                                     until=values["until"], force=values["force"], progress=values["progress"]))
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted.[/yellow] The parts already finished in {out} are kept; "
                      "run the same command again to resume where it stopped.")
        raise typer.Exit(code=130) from None
    print_summary(report)
    if report.errors or report.nothing_to_analyse:
        raise typer.Exit(code=1)


app.command("run")(DynamicCommand(
    "run", "Run the pipeline's stages (ingest, normalize, dedup, segment, ner, keywords and any you registered) "
    "over CORPUS into OUT.", _fixed, run_options, _run))


def print_summary(report: RunReport) -> None:
    table = Table(title=f"vnpipe run {report.run}", title_justify="left")
    for column in ("stage", "in", "out", "errors", "computed", "reused", "seconds"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in report.stages:
        table.add_row(stage.stage, str(stage.documents_in), str(stage.documents_out), str(stage.errors),
                      str(stage.documents_computed), str(stage.documents_reused), f"{stage.seconds:.1f}")
    Console().print(table)
    duplicates = STAGES.duplicates()
    dedup = report.stage(duplicates[0]) if duplicates else None
    if dedup is not None and not report.nothing_to_analyse:
        skipping = [stage.name for stage in STAGES if stage.skips_duplicates]
        Console().print(dedup_line(dedup.totals, dedup.documents_out, sum(stage.skipped for stage in report.stages),
                                   skipping), soft_wrap=True, markup=False)
    normalize = report.stage("normalize")
    warned = read_warnings(report.run) if normalize is not None and normalize.totals.get("warnings") else None
    if warned is not None and len(warned):
        console.print(f"[yellow]{warning_line(len(warned))}[/yellow]", soft_wrap=True)
        for row in warned.head(5).itertuples():
            console.print(f"  {escape(row.source)}: {row.rule} would have removed {row.characters:,} of "
                          f"{row.document_characters:,} characters", soft_wrap=True)
        if len(warned) > 5:
            console.print(f"  ... and {len(warned) - 5} more: pipeline.read_warnings({str(report.run)!r})", soft_wrap=True)
    if normalize is not None and normalize.totals.get("restored"):
        console.print(f"{restored_line(normalize.totals['restored'])} (the `restored` column of normalize)",
                      soft_wrap=True, markup=False)
    if report.nothing_to_analyse:
        read = "no file of the corpus holds a document" if not report.errors else \
            f"every document failed ({report.errors} error row(s) in {report.run}/errors)"
        console.print(f"[yellow]nothing to analyse: {escape(read)}[/yellow]", soft_wrap=True)
    elif report.errors:
        console.print(f"[yellow]{report.errors} document(s) failed; see {report.run}/errors[/yellow]")


def dedup_line(totals: dict, documents: int, skipped: int, skipping: list[str]) -> str:
    """What the dedup stage found, and what the later stages did with the duplicates."""
    duplicates = totals.get("duplicates", 0)
    if not duplicates:
        return f"dedup: no duplicates among {documents} documents"
    line = (f"dedup: {duplicates} of {documents} documents duplicate another ({totals.get('exact_duplicates', 0)} "
            f"exact) in {totals.get('clusters', 0)} cluster{'s' if totals.get('clusters') != 1 else ''}, "
            f"largest {totals.get('largest_cluster', 0)}; ")
    stages = ", ".join(skipping[:-1]) + f" and {skipping[-1]}" if len(skipping) > 1 else "".join(skipping)
    return line + (f"{stages} skipped them (--skip-duplicates)" if skipped else
                   "all were analysed (--skip-duplicates analyses one per cluster)")
