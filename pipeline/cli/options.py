"""Command-line options made from the settings' own definitions: every Settings field declared with
`setting(flag=...)` (stages/base.py) is an option, with its default and help, so a stage's settings
reach `vnpipe run` without the CLI naming them. A command whose options depend on the registry
computes its signature when typer reads it (`DynamicCommand`), so a stage registered later has
its options too."""
from __future__ import annotations

import dataclasses
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Callable, Optional

import typer


@dataclass(frozen=True)
class SettingOption:
    """One option: a field of the Settings of `owner` (a stage's name, or None for the run's own)."""

    owner: str | None
    settings: type
    field: str
    flag: str
    default: Any
    kind: type
    help: str
    path: bool
    negate: bool

    @property
    def parameter(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    def as_parameter(self) -> inspect.Parameter:
        if self.kind is bool:
            info = typer.Option(bool(self.default) != self.negate, help=self.help)  # --flag/--no-flag
        else:
            info = typer.Option(str(self.default) if self.path and self.default else self.default, self.flag,
                                help=self.help, show_default=self.default is not None)
        annotation = bool if self.kind is bool else Optional[Path if self.path else self.kind]
        return inspect.Parameter(self.parameter, inspect.Parameter.KEYWORD_ONLY, default=info, annotation=annotation)

    def value(self, given: Any) -> Any:
        """The field's value for what the command line gave."""
        if self.negate:
            return not given
        if self.path and given is not None:
            return str(Path(given).resolve())  # absolute: a manifest means the same file wherever it is read
        return given


def setting_options(settings: type, owner: str | None, fields: tuple[str, ...] | None = None) -> list[SettingOption]:
    """The options of a Settings dataclass: its fields with a flag (only `fields`, when given)."""
    hints = typing.get_type_hints(settings)
    options = []
    for field in dataclasses.fields(settings):
        flag = field.metadata.get("flag")
        if not flag or (fields is not None and field.name not in fields):
            continue
        default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
        options.append(SettingOption(owner, settings, field.name, flag, default, _plain(hints[field.name]),
                                     field.metadata.get("help", ""), field.metadata.get("path", False),
                                     bool(field.metadata.get("negate"))))
    return options


def build_settings(options: list[SettingOption], values: dict[str, Any]) -> dict[str | None, Any]:
    """Each owner's Settings, from the command line's values (the fields without an option keep
    their defaults); raises InvalidSetting as the Settings check themselves."""
    by_owner: dict[str | None, dict[str, Any]] = {}
    classes: dict[str | None, type] = {}
    for option in options:
        by_owner.setdefault(option.owner, {})[option.field] = option.value(values[option.parameter])
        classes[option.owner] = option.settings
    return {owner: classes[owner](**fields) for owner, fields in by_owner.items()}


class DynamicCommand:
    """A typer command whose parameters are `fixed()` and those `options()` gives, both made when typer
    builds the command (it reads `__signature__` and `__annotations__`)."""

    def __init__(self, name: str, doc: str, fixed: Callable[[], list[inspect.Parameter]],
                 options: Callable[[], list[SettingOption]], action: Callable[..., None]) -> None:
        self.__name__, self.__doc__ = name, doc
        self._fixed, self._options, self._action = fixed, options, action

    @property
    def __signature__(self) -> inspect.Signature:  # type: ignore[override]
        return inspect.Signature([*self._fixed(), *(option.as_parameter() for option in self._options())])

    @property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        return {parameter.name: parameter.annotation for parameter in self.__signature__.parameters.values()}

    def __call__(self, **values: Any) -> None:
        self._action(self._options(), values)


def _plain(kind: Any) -> type:
    """`int | None` -> int: the type an option parses its value as."""
    if isinstance(kind, UnionType) or typing.get_origin(kind) is typing.Union:
        kinds = [k for k in typing.get_args(kind) if k is not NoneType]
        return kinds[0]
    return kind
