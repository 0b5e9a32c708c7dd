"""Where the shipped model files are. They live in the repository's `models/` folder, which
pyproject.toml installs as the package data `pipeline.models`; they are found through
importlib.resources, so a checkout, an editable install and a wheel read the same files."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from ..errors import ModelFileMissing


def model_dir(kind: str) -> Path:
    """The folder of one kind of model: `ws`, `ner` or `keywords`. Computing it reads nothing."""
    try:
        root = files("pipeline.models")
    except ModuleNotFoundError:  # an install without its package data
        raise ModelFileMissing(f"pipeline/models/{kind}") from None
    if not isinstance(root, Path):  # e.g. a zipped install: crfsuite needs real files
        raise ModelFileMissing(f"pipeline/models/{kind} (vnpipe must be installed as files, not zipped)")
    return root / kind


def require(path: Path) -> Path:
    """`path` if the file is there; otherwise an error that names it and says how to reinstall."""
    if not Path(path).is_file():
        raise ModelFileMissing(str(path))
    return Path(path)
