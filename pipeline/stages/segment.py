"""The segment stage: words with character offsets into the normalized text, sentence index, POS
tag (one tag set, postags.TAGSET) and its Universal POS, from the segmenter backend named in the
settings (see wordseg.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from .base import Stage, setting
from .. import checks
from ..backends.postags import upos
from ..backends.wordseg import SEGMENTERS, get_segmenter, segmenter_checksum

TOKEN = pa.struct([("text", pa.string()), ("start", pa.int32()), ("end", pa.int32()),
                   ("sentence", pa.int32()), ("pos", pa.string()), ("upos", pa.string())])


@dataclass(frozen=True)
class Settings:
    backend: str = setting("vnpipe", flag="--segmenter",
                           help="Word segmentation backend: vnpipe, underthesea or pyvi.")
    user_words: str | None = setting(None, flag="--user-words", path=True,
                                     help="A file of extra words to keep whole, one a line.")
    # Documents that normalize found to be in another language get no tokens (and so no
    # entities or keywords) rather than a Vietnamese analysis that would be noise; "und"
    # (too short or too mixed to tell) is processed.
    skip_languages: tuple[str, ...] = ("en", "zh")

    def __post_init__(self) -> None:
        checks.one_of("--segmenter (segment.backend)", self.backend, SEGMENTERS.names())
        checks.existing_file("--user-words (segment.user_words)", self.user_words)


def segment_text(text: str, sentences: list[dict[str, int]], backend: str,
                 user_words: str | None = None) -> list[dict[str, Any]]:
    """Tokens of every sentence of `text`, with offsets into `text`."""
    return segment_texts([(text, sentences)], backend, user_words)[0]


def segment_texts(documents: list[tuple[str, list[dict[str, int]]]], backend: str,
                  user_words: str | None = None) -> list[list[dict[str, Any]]]:
    """`segment_text` of each (text, sentences), with the sentences of all of them segmented in
    one call (the vnpipe segmenter works in batches)."""
    segmenter = get_segmenter(backend, user_words)
    words = iter(segmenter.segment_many([text[sentence["start"]:sentence["end"]]
                                         for text, sentences in documents for sentence in sentences]))
    results = []
    for text, sentences in documents:
        tokens: list[dict[str, Any]] = []
        for index, sentence in enumerate(sentences):
            start = sentence["start"]
            for word_start, word_end, pos in next(words):
                tokens.append({"text": text[start + word_start:start + word_end], "start": start + word_start,
                               "end": start + word_end, "sentence": index, "pos": pos, "upos": upos(pos)})
        results.append(tokens)
    return results


class Segment(Stage):
    name = "segment"
    # 4: one tag set in `pos` (NNP, not Np, for forced words), and `upos`; 5: the model reads one tone
    # style, at the start of a sentence too; user words match either style
    version = "5"
    reads = {"normalize": ("text", "sentences", "language")}
    Settings = Settings
    items = "tokens"
    exposes = {"tokens": "tokens"}
    skips_duplicates = True
    schema = pa.schema([("doc_id", pa.string()), ("tokens", pa.list_(TOKEN))])

    def model_checksum(self) -> str:
        return segmenter_checksum(self.settings.backend, self.settings.user_words)  # loads no model

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        return self.process_batch([document])[0]

    def process_batch(self, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        analysed = [(document["text"], document["sentences"]) for document in documents
                    if document["language"] not in self.settings.skip_languages]
        tokens = iter(segment_texts(analysed, self.settings.backend, self.settings.user_words))
        return [{"tokens": [] if document["language"] in self.settings.skip_languages else next(tokens)}
                for document in documents]
