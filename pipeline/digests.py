"""Content fingerprints, in one place: of JSON-able values (a stage's settings, a document's row)
and of files (a model, a word list, a rules file). A leaf module: it imports nothing of vnpipe."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def fingerprint(*parts: Any) -> str:
    """A short, stable hash of JSON-able values."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest()


def file_digest(path: str | Path) -> str:
    """A short hash of one file's content."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def files_digest(paths: Iterable[str | Path], length: int = 16) -> str:
    """A short hash of the content of several files, in order: what a model's checksum covers."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:length]


def text_digest(text: str, size: int = 16) -> str:
    """A hash of a text (a document's content, its normalized text)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()
