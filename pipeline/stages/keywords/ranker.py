"""The keyword ranker: a logistic regression over a candidate's features (features.py) that says how
likely a term is to be one of the document's keywords. Trained without hand-tagging, as KEA is, on
the words and phrases of news titles and Wikipedia page titles that the text below them uses
(`vnpipe train keyword-ranker`); its weights are a small JSON file, models/keywords/ranker.json."""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...backends.model_files import require
from .features import FEATURES
from .words import BACKGROUND_DIR

RANKER = BACKGROUND_DIR / "ranker.json"


@dataclass(frozen=True)
class Ranker:
    features: tuple[str, ...]
    means: tuple[float, ...]  # features are standardized: (x - mean) / scale
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float

    def __post_init__(self) -> None:
        if self.features != FEATURES:
            raise ValueError(f"the keyword ranker's features {list(self.features)} are not those of this vnpipe "
                             f"({list(FEATURES)}): train it again with `vnpipe train keyword-ranker`")

    def score(self, vector: list[float]) -> float:
        """The probability that a candidate with these features is a keyword."""
        z = self.intercept + sum(w * (x - m) / s for w, x, m, s in zip(self.weights, vector, self.means, self.scales))
        return 1 / (1 + math.exp(-z)) if z > -30 else 0.0

    def to_json(self, **about: Any) -> dict[str, Any]:
        return {**about, "features": list(self.features), "means": [round(m, 6) for m in self.means],
                "scales": [round(s, 6) for s in self.scales], "weights": [round(w, 6) for w in self.weights],
                "intercept": round(self.intercept, 6)}

    @classmethod
    def read(cls, path: Path) -> Ranker:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(tuple(data["features"]), tuple(data["means"]), tuple(data["scales"]), tuple(data["weights"]),
                   float(data["intercept"]))


@functools.cache
def shipped_ranker(path: Path = RANKER) -> Ranker:
    """The shipped ranker, read once per process."""
    return Ranker.read(require(path))
