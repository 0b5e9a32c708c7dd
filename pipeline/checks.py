"""The checks every setting goes through, in one place: the settings dataclasses call them when they
are built (from the CLI or from Python), and the CLI's other options call them before any work starts.

A bad value raises `InvalidSetting` naming the option as the CLI spells it and as Python spells it,
the value given, and what it may be, so `--top-k -3` and `Settings(top_k=-3)` read alike.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import InvalidSetting


def one_of(option: str, value: Any, choices: Iterable[str]) -> None:
    choices = tuple(choices)
    if value not in choices:
        raise InvalidSetting(option, value, f"choose one of {', '.join(choices)}")


def each_one_of(option: str, names: Iterable[str], choices: Iterable[str]) -> None:
    """Every name of a comma-separated option (`--segmenter vnpipe,pyvi`) is one of `choices`."""
    for name in names:
        one_of(option, name, choices)


def numbers(option: str, value: str | None, kind: type) -> list:
    """The comma-separated numbers of an option such as `--thresholds 0.4,0.5` ([] when not given)."""
    try:
        return [kind(item.strip()) for item in (value or "").split(",") if item.strip()]
    except ValueError:
        raise InvalidSetting(option, value, f"give {'whole ' if kind is int else ''}numbers separated by commas") from None


def at_least(option: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidSetting(option, value, f"give a whole number of at least {minimum}")


def within(option: str, value: Any, low: float, high: float, *, low_open: bool = False,
           high_open: bool = False) -> None:
    """`value` is a number in the interval from `low` to `high`, open at either end when said."""
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if math.isnan(number) or too_low or too_high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise InvalidSetting(option, value, f"give a number in {interval}")


def existing_file(option: str, value: str | Path | None) -> None:
    if value is not None and not Path(value).is_file():
        what = "a folder" if Path(value).is_dir() else "not found"
        raise InvalidSetting(option, str(value), f"{what}; give an existing file")


def existing_folder(option: str, value: str | Path | None) -> None:
    if value is not None and not Path(value).is_dir():
        what = "a file" if Path(value).exists() else "not found"
        raise InvalidSetting(option, str(value), f"{what}; give an existing folder")


def writable_folder(option: str, value: str | Path) -> None:
    """`value` is, or can become, a folder: neither it nor a folder above it is a file."""
    for path in (Path(value), *Path(value).parents):
        if path.exists() and not path.is_dir():
            where = "it" if path == Path(value) else f"{path}, above it,"
            raise InvalidSetting(option, str(value), f"{where} is a file, not a folder; give a folder path")


def writable_file(option: str, value: str | Path) -> None:
    """`value` is, or can become, a file: not a folder, and no file stands where a folder above it should."""
    if Path(value).is_dir():
        raise InvalidSetting(option, str(value), "it is a folder; give a file path")
    for path in Path(value).parents:
        if path.exists() and not path.is_dir():
            raise InvalidSetting(option, str(value), f"{path}, above it, is a file, not a folder")
