"""The segment stage: words with character offsets into the normalized text, sentence index, POS
tag (one tag set, postags.TAGSET) and its Universal POS, from the segmenter backend named in the
settings (see wordseg.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..runtime.stage import Stage
from .. import checks
from ..backends.postags import upos
from ..backends.wordseg import BACKENDS, get_segmenter, segmenter_checksum

TOKEN = pa.struct([("text", pa.string()), ("start", pa.int32()), ("end", pa.int32()),
                   ("sentence", pa.int32()), ("pos", pa.string()), ("upos", pa.string())])


@dataclass(frozen=True)
class Settings:
    backend: str = "vnpipe"  # or underthesea, pyvi
    user_words: str | None = None  # a file of extra words to keep whole, one a line
    # Documents that normalize found to be in another language get no tokens (and so no
    # entities or keywords) rather than a Vietnamese analysis that would be noise; "und"
    # (too short or too mixed to tell) is processed.
    skip_languages: tuple[str, ...] = ("en", "zh")

    def __post_init__(self) -> None:
        checks.one_of("--segmenter (segment.backend)", self.backend, BACKENDS)
        checks.existing_file("--user-words (segment.user_words)", self.user_words)


def segment_text(text: str, sentences: list[dict[str, int]], backend: str,
                 user_words: str | None = None) -> list[dict[str, Any]]:
    """Tokens of every sentence of `text`, with offsets into `text`."""
    segmenter = get_segmenter(backend, user_words)
    tokens: list[dict[str, Any]] = []
    for index, sentence in enumerate(sentences):
        start = sentence["start"]
        for word_start, word_end, pos in segmenter.segment(text[start:sentence["end"]]):
            tokens.append({"text": text[start + word_start:start + word_end], "start": start + word_start,
                           "end": start + word_end, "sentence": index, "pos": pos, "upos": upos(pos)})
    return tokens


class Segment(Stage):
    name = "segment"
    version = "4"  # 4: one tag set in `pos` (NNP, not Np, for forced words), and `upos`
    reads = {"normalize": ("text", "sentences", "language")}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("tokens", pa.list_(TOKEN))])

    def model_checksum(self) -> str:
        return segmenter_checksum(self.settings.backend, self.settings.user_words)  # loads no model

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        if document["language"] in self.settings.skip_languages:
            return {"tokens": []}
        return {"tokens": segment_text(document["text"], document["sentences"],
                                         self.settings.backend, self.settings.user_words)}
