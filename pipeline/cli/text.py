"""One text a line in, one line out: `vnpipe segment` and `vnpipe ner`. Each line goes through the
same stages as a document of a run (`pipeline.analyse`), with the same settings but boilerplate
removal (a line is not a page); offsets point into the line as given."""
from __future__ import annotations

import dataclasses
import inspect
import json
from itertools import islice
from typing import Any

import typer

from .. import checks
from ..runtime.analyse import analyse
from ..runtime.settings import RunSettings
from ..stages.registry import STAGES
from .app import app, guarded, input_lines
from .options import DynamicCommand, SettingOption, build_settings, setting_options

LINES_AT_ONCE = 64  # lines analysed together (the models work in batches); output keeps their order
FILE = inspect.Parameter("file", inspect.Parameter.KEYWORD_ONLY, annotation=str, default=typer.Argument(
    ..., help="A text file, one text per line, or - for standard input."))


def text_options(until: str) -> list[SettingOption]:
    """The options of the stages a line goes through, boilerplate removal aside."""
    order = STAGES.names()
    options = []
    for name in order[1:order.index(until) + 1]:
        options += [option for option in setting_options(STAGES[name].Settings, name)
                    if not option.negate and not STAGES[name].sketch_schema]
    return options


def line_settings(options: list[SettingOption], values: dict[str, Any]) -> RunSettings:
    built = build_settings(options, values)
    normalize = built.get("normalize") or STAGES["normalize"].Settings()
    built["normalize"] = dataclasses.replace(normalize, remove_boilerplate=False)
    return RunSettings(workers=1, **built)


def analysed_lines(file: str, settings: RunSettings, until: str):
    """(line, its analysis) of each line of `file`, analysed LINES_AT_ONCE at a time."""
    lines = input_lines(file)
    while batch := list(islice(lines, LINES_AT_ONCE)):
        yield from zip(batch, guarded(lambda: analyse(batch, settings, until=until)))


def _segment(options: list[SettingOption], values: dict[str, Any]) -> None:
    settings = guarded(lambda: line_settings(options, values))
    for _, analysis in analysed_lines(values["file"], settings, "segment"):
        print(" ".join("_".join(token["text"].split()) for token in analysis["tokens"]))


def _ner(options: list[SettingOption], values: dict[str, Any]) -> None:
    guarded(lambda: checks.one_of("--format", values["format"], ("jsonl",)))
    settings = guarded(lambda: line_settings(options, values))
    for line, analysis in analysed_lines(values["file"], settings, "ner"):
        entities = [{"start": e["orig_start"], "end": e["orig_end"], "label": e["label"],
                     "text": line[e["orig_start"]:e["orig_end"]], "canonical": e["canonical"]}
                    for e in analysis["entities"]]
        print(json.dumps({"entities": entities}, ensure_ascii=False))


@app.command("restore")
def restore_command(
    file: str = typer.Argument(..., help="A text file, one text per line, or - for standard input."),
    tone_style: str = typer.Option("classic", help="Tone-mark placement of the syllables restored: classic (hòa, "
                                   "thủy, as most of the press writes) or modern (hoà, thuỷ)."),
) -> None:
    """Restore the marks of text typed without them, one text a line: `toi dang o Ha Noi` -> `tôi đang ở Hà
    Nội`. Sentences typed with their marks come out as they went in; offsets hold (same length)."""
    from ..backends.diacritics import restorer
    from ..text.vietnamese import TONE_STYLES

    guarded(lambda: checks.one_of("--tone-style", tone_style, TONE_STYLES))
    model = guarded(restorer)
    lines = input_lines(file)
    while batch := list(islice(lines, LINES_AT_ONCE)):
        for restored in model.restore(batch, tone_style, [model.unmarked_spans(line) for line in batch]):
            print(restored.text)


app.command("segment")(DynamicCommand(
    "segment", "Segment each line: words separated by spaces, syllables of a word joined by `_`.",
    lambda: [FILE], lambda: text_options("segment"), _segment))
app.command("ner")(DynamicCommand(
    "ner", "Named entities of each line, as one JSON object per line with offsets into that line.",
    lambda: [FILE, inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, annotation=str,
                                     default=typer.Option("jsonl", help="Output format (jsonl)."))],
    lambda: text_options("ner"), _ner))
