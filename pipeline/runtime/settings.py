"""The settings of a run, built from the stage registry: the Settings of every registered stage
(`settings.normalize`, `settings.keywords`, ...) and how the run executes (`Execution`). The CLI
and the Python API both build one of these; the CLI's options come from the fields' definitions."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..stages.base import setting
from ..stages.registry import STAGES
from .engines import check_engine, default_workers


@dataclass(frozen=True)
class Execution:
    """Where and how the parts run."""

    workers: int | None = setting(None, flag="--workers", help="Worker processes (local) or Dask workers; "
                                  "default: this machine's cores.")
    engine: str = setting("local", flag="--engine", help="local (worker processes on this machine) or dask "
                          "(dask.distributed).")
    scheduler: str | None = setting(None, flag="--scheduler", help="With --engine dask: the address of a "
                                    "running scheduler (default: start a LocalCluster).")
    skip_duplicates: bool = setting(False, flag="--skip-duplicates", help="The stages that allow it analyse "
                                    "only the kept (first) document of each dedup cluster.")

    def __post_init__(self) -> None:
        if self.workers is None:
            object.__setattr__(self, "workers", default_workers())
        check_engine(self.engine, self.workers, self.scheduler)


_EXECUTION_FIELDS = frozenset(field.name for field in dataclasses.fields(Execution))


class RunSettings:
    """Every setting of a run: `RunSettings(keywords=Keywords.Settings(top_k=5), workers=2)`.
    A stage whose settings are not given runs with its defaults; each Settings checked itself
    when it was built, so a bad value fails before anything runs."""

    __slots__ = ("_stages", "execution")

    def __init__(self, **given: Any) -> None:
        execution = Execution(**{key: value for key, value in given.items() if key in _EXECUTION_FIELDS})
        stages = {key: value for key, value in given.items() if key not in _EXECUTION_FIELDS}
        for name, value in stages.items():
            if name not in STAGES:
                raise TypeError(f"RunSettings got {name!r}, which is neither a stage ({', '.join(STAGES.names())}) "
                                f"nor one of {', '.join(sorted(_EXECUTION_FIELDS))}")
            if not isinstance(value, STAGES[name].Settings):
                raise TypeError(f"RunSettings({name}=...) takes a {name} Settings, "
                                f"not {type(value).__name__}")
        object.__setattr__(self, "execution", execution)
        object.__setattr__(self, "_stages", stages)

    def of(self, stage: str) -> Any:
        """The settings of `stage` (its defaults when none were given)."""
        return self._stages.get(stage) or STAGES[stage].Settings()

    def __getattr__(self, name: str) -> Any:
        if name in _EXECUTION_FIELDS:
            return getattr(self.execution, name)
        if not name.startswith("_") and name in STAGES:
            return self.of(name)
        raise AttributeError(f"RunSettings has no {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to {name!r}: RunSettings is frozen; use replace()")

    def replace(self, **changes: Any) -> RunSettings:
        return RunSettings(**{**dataclasses.asdict(self.execution), **self._stages, **changes})

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self.execution),
                **{name: dataclasses.asdict(self.of(name)) for name in STAGES.names()}}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunSettings) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        given = ", ".join(f"{name}={value!r}" for name, value in self._stages.items())
        return f"RunSettings({self.execution!r}{', ' + given if given else ''})"
