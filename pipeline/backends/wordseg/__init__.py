"""Word segmenters behind one registry: a sentence in, word spans with POS tags out.

The segment stage picks a backend by name (`get_segmenter`) and never needs to know which one it
has. Every backend runs behind the same rules (rules.py): URLs, numbers, dates, Latin-script
brands, foreign names and user-dictionary words come out as one word whatever the backend says.
The parts: tokens.py (pre-tokenization, the spelling of a Vietnamese syllable), rules.py, features.py
(the CRF segmenter's and POS tagger's features), models.py (the backends).
"""
from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from ..registry import Backend, BackendRegistry, Segmenter, Word
from .features import UndertheseaOpinion, pos_features, segment_features, syllable_forms
from .models import MODEL_FILES, PyviSegmenter, RuleBackend, UndertheseaSegmenter, VnpipeSegmenter
from .rules import DEFAULT_USER_WORDS, MODEL_DIR, RULES_VERSION, Rules, UserWords, load_rules, rules_files
from .tokens import KINDS, Token, is_vietnamese_syllable, tokenize

SEGMENTERS = BackendRegistry("segmenter", "--segmenter (segment.backend)")


def _backend(name: str, model: type[RuleBackend], files: list[Path], package: str) -> Backend:
    return Backend(name, load=lambda user_words=None: model(load_rules(user_words)),
                   files=lambda user_words=None: [*files, *rules_files(user_words)],
                   version=lambda: f"{package}-{version(package)}+rules-{RULES_VERSION}",
                   options=frozenset({"user_words"}), description=model.__doc__ or "")


SEGMENTERS.register(_backend("vnpipe", VnpipeSegmenter, [MODEL_DIR / name for name in MODEL_FILES], "underthesea"))
SEGMENTERS.register(_backend("underthesea", UndertheseaSegmenter, [], "underthesea"))
SEGMENTERS.register(_backend("pyvi", PyviSegmenter, [], "pyvi"))


def segmenter_checksum(name: str = "vnpipe", user_words: str | None = None) -> str:
    """What `get_segmenter(name, user_words).checksum()` says, from the files alone: deciding that
    a run has nothing to do loads no model."""
    return SEGMENTERS.checksum(name, user_words=user_words)


def get_segmenter(name: str = "vnpipe", user_words: str | None = None) -> Segmenter:
    """The segmenter called `name`, loaded once per process; `user_words` is a file of extra
    words to keep whole (one a line), on top of the shipped models/ws/user_words.txt."""
    return SEGMENTERS.load(name, user_words=None if user_words is None else str(user_words))


__all__ = ["DEFAULT_USER_WORDS", "KINDS", "MODEL_DIR", "SEGMENTERS", "PyviSegmenter", "RuleBackend", "Rules",
           "Segmenter", "Token", "UndertheseaOpinion", "UndertheseaSegmenter", "UserWords", "VnpipeSegmenter", "Word",
           "get_segmenter", "is_vietnamese_syllable", "load_rules", "pos_features", "segment_features",
           "segmenter_checksum", "syllable_forms", "tokenize"]
