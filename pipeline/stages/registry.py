"""The one list of stages, in the order they run. The runner, the CLI, the readers, `show`,
`summary` and `report` iterate it and name no stage; adding a stage is one module and one line
here (or `pipeline.register_stage(MyStage)` from your own code).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import UnknownStage
from .base import KeptOnly, SourceStage, Stage


class StageRegistry:
    """Stage classes by name, in run order; the first is the source stage (it reads the corpus)."""

    def __init__(self) -> None:
        self._stages: dict[str, type[Stage]] = {}

    def register(self, stage: type[Stage], after: str | None = None) -> type[Stage]:
        """Add `stage` at the end, or right after the stage `after`; returns it (a class decorator too).
        Every stage it reads must come before it."""
        if stage.name in self._stages:
            raise ValueError(f"a stage named {stage.name!r} is registered already")
        names = list(self._stages)
        position = len(names) if after is None else names.index(self[after].name) + 1
        missing = [name for name in stage.reads if name not in names[:position]]
        if missing:
            raise ValueError(f"stage {stage.name!r} reads {', '.join(missing)}, which no stage before it writes")
        names.insert(position, stage.name)
        stages = {**self._stages, stage.name: stage}
        self._stages = {name: stages[name] for name in names}
        return stage

    def unregister(self, name: str) -> None:
        if any(name in other.reads for other in self._stages.values() if other.name != name):
            raise ValueError(f"stage {name!r} is read by another stage")
        self._stages.pop(name, None)

    @contextmanager
    def registered(self, stage: type[Stage], after: str | None = None) -> Iterator[type[Stage]]:
        """`stage` registered for the `with` block only (tests, notebooks)."""
        self.register(stage, after)
        try:
            yield stage
        finally:
            self.unregister(stage.name)

    def __getitem__(self, name: str) -> type[Stage]:
        try:
            return self._stages[name.strip()]
        except KeyError:
            raise UnknownStage(name.strip(), self.names()) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip() in self._stages

    def __iter__(self) -> Iterator[type[Stage]]:
        return iter(list(self._stages.values()))

    def names(self) -> tuple[str, ...]:
        return tuple(self._stages)

    @property
    def source(self) -> type[SourceStage]:
        first = next(iter(self._stages.values()))
        assert issubclass(first, SourceStage)
        return first

    def duplicates(self) -> tuple[str, str] | None:
        """(stage, column) of the stage that marks duplicates, if one is registered."""
        return next(((stage.name, stage.marks_duplicates) for stage in self if stage.marks_duplicates), None)

    def build(self, name: str, settings: Any = None, skip_duplicates: bool = False) -> Stage:
        """The stage `name` with its settings; with `skip_duplicates`, one that analyses the kept
        document of each duplicate cluster only, when the stage allows it."""
        stage = self[name](settings)
        duplicates = self.duplicates()
        if skip_duplicates and stage.skips_duplicates and duplicates is not None:
            return KeptOnly(stage, duplicates)
        return stage


def _builtin() -> StageRegistry:
    from .aliases import Aliases
    from .dedup import Dedup
    from .ingest import Ingest
    from .keywords import Keywords
    from .ner import Ner
    from .normalize import Normalize
    from .segment import Segment

    registry = StageRegistry()
    for stage in (Ingest, Normalize, Dedup, Segment, Ner, Aliases, Keywords):
        registry.register(stage)
    return registry


STAGES = _builtin()


def register_stage(stage: type[Stage] | None = None, *, after: str | None = None):
    """Register a stage of your own, to run after the built-in ones (or right after `after`):
    `pipeline.register_stage(MyStage)`, or as a class decorator."""
    if stage is None:
        return lambda cls: STAGES.register(cls, after)
    return STAGES.register(stage, after)
