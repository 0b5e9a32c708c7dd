"""What the stages call, behind protocols: segmenters (a sentence in, words with POS tags out) and
entity taggers (segmented sentences in, entity spans out), each kind in one registry.

A backend declares its name, how it is loaded, the files its checksum covers (or a package version)
and the options it takes. The registry gives the CLI its choices and error message, a stage the
checksum of its fingerprint without loading any model, and each model once per process.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..digests import files_digest
from ..errors import InvalidSetting

Word = tuple[int, int, str]  # start, end (offsets into the sentence), POS tag (postags.TAGSET)
Entity = tuple[int, int, str, float]  # start, end (offsets into the sentence), label, confidence
Sentence = tuple[str, list[Word]]  # a sentence and its words


class Segmenter(Protocol):
    def checksum(self) -> str:
        """Identifies the model and the rules, so outputs made with others are recomputed."""

    def segment_many(self, sentences: list[str]) -> list[list[Word]]:
        """Word spans of each sentence, in order, with a POS tag each."""


class EntityTagger(Protocol):
    sees_documents: bool  # whether `tag_documents` uses the other sentences of a document
    model_dir: Path | None  # our model's folder (its training.json names its training files); None for others

    def checksum(self) -> str:
        """Identifies the model and its name lists."""

    def tag_sentences(self, sentences: list[Sentence]) -> list[list[Entity]]:
        """Entity spans of each sentence tagged alone (the protocol of published VLSP scores)."""

    def tag_documents(self, documents: list[list[Sentence]], window: int | None = None) -> list[list[list[Entity]]]:
        """Entity spans of the sentences of each document, which a tagger may use as context (all
        of them, or the `window` sentences on either side)."""


@dataclass(frozen=True)
class Backend:
    """One backend: `load(**options)` builds it; `files(**options)` are the files its checksum
    covers; `version()` identifies a backend whose model ships in another package."""

    name: str
    load: Callable[..., Any]
    files: Callable[..., list[Path]] = lambda **options: []
    version: Callable[[], str] = lambda: ""
    options: frozenset[str] = field(default_factory=frozenset)  # the options load and files take
    description: str = ""
    label: str = ""  # what its checksums start with (default: the name)

    def checksum(self, **options: Any) -> str:
        """What the loaded backend's `checksum()` says, from its files alone (loads no model)."""
        files = self.files(**options)
        return f"{self.label or self.name}-{files_digest(files) if files else self.version()}"


class BackendRegistry:
    """The backends of one kind, by name."""

    def __init__(self, kind: str, option: str) -> None:
        self.kind, self.option = kind, option  # `segmenter`, `--segmenter (segment.backend)`
        self._backends: dict[str, Backend] = {}
        self.loaded: dict[tuple, Any] = {}  # (name, options) -> the backend built in this process

    def register(self, backend: Backend) -> Backend:
        self._backends[backend.name] = backend
        return backend

    def names(self) -> tuple[str, ...]:
        return tuple(self._backends)

    def __contains__(self, name: object) -> bool:
        return name in self._backends

    def __getitem__(self, name: str) -> Backend:
        try:
            return self._backends[name]
        except KeyError:
            raise InvalidSetting(self.option, name, f"choose one of {', '.join(self._backends)}") from None

    def check(self, name: str, options: Iterable[str] = ()) -> Backend:
        """The backend `name`, after checking that it takes `options`."""
        backend = self[name]
        for option in options:
            if option not in backend.options:
                raise InvalidSetting(self.option, name, f"the {self.kind} {name!r} takes no {option.replace('_', ' ')} "
                                     f"option (those that do: {', '.join(self._taking(option)) or 'none'})")
        return backend

    def _taking(self, option: str) -> list[str]:
        return [name for name, backend in self._backends.items() if option in backend.options]

    def checksum(self, name: str, **options: Any) -> str:
        return self.check(name, _given(options)).checksum(**_given(options))

    def load(self, name: str, **options: Any) -> Any:
        """The backend `name` built with `options` (hashable values), once per process."""
        given = _given(options)
        self.check(name, given)
        key = (name, tuple(sorted(given.items())))
        if key not in self.loaded:
            self.loaded[key] = self._backends[name].load(**given)
        return self.loaded[key]


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The options that are set: None means the backend's default."""
    return {key: value for key, value in options.items() if value is not None}
