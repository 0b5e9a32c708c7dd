"""spaCy entry point: a `spacy.Language` whose tokenizer is our normalize + segment stages and whose
`vnpipe_ner` component sets `doc.ents` from our NER, with offsets into the text the user passed.

    nlp = pipeline.spacy_nlp()
    doc = nlp("CEO của OpenAI, Sam Altman, gặp Ben Horowitz tại Hà Nội.")
    [(ent.text, ent.label_, ent.kb_id_) for ent in doc.ents]   # kb_id_ is the canonical name

Both are registered with spaCy (`vnpipe.Tokenizer.v1`, `vnpipe_ner`) once this module is imported,
so `nlp.to_disk` and `spacy.load` work, and `vnpipe_ner` can be added to any pipeline.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans
from spacy.vocab import Vocab

from ..runtime.analyse import Analysis, analyse_texts, continue_analysis
from ..runtime.settings import RunSettings
from ..stages.ner import Ner
from ..stages.normalize import Normalize
from ..stages.segment import Segment
from ..text.offsets import OffsetMap

ANALYSIS = "vnpipe"  # the key of doc.user_data that holds the rows of our stages for the text
WHITESPACE_TAG, WHITESPACE_POS = "_SP", "SPACE"  # spaCy's own tag and POS for white-space tokens


def spacy_nlp(settings: RunSettings | None = None) -> Language:
    """A Vietnamese `spacy.Language`: `nlp(text)` gives our tokens (a multi-syllable word is one
    token, its POS tag in `token.tag_` and its Universal POS in `token.pos_`), our sentences (`doc.sents`) and our entities
    (`doc.ents`, the canonical name in `ent.kb_id_`). It uses the normalize, segment and ner
    settings of `settings`; by default those of `vnpipe run`, except that boilerplate removal is
    off, as for `vnpipe ner` (a snippet is not a web page)."""
    if settings is None:
        settings = RunSettings(normalize=Normalize.Settings(remove_boilerplate=False))
    tokenizer = {"@tokenizers": "vnpipe.Tokenizer.v1",
                 "normalize": dataclasses.asdict(settings.normalize),
                 "segment": dataclasses.asdict(settings.segment)}
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": tokenizer}})
    nlp.add_pipe("vnpipe_ner", config={"ner": dataclasses.asdict(settings.ner)})
    return nlp


def _settings(normalize: Normalize.Settings | None = None, segment: Segment.Settings | None = None,
              ner: Ner.Settings | None = None) -> RunSettings:
    """A run's settings for these stages (boilerplate removal off by default: a snippet is not a page)."""
    given = {"normalize": normalize or Normalize.Settings(remove_boilerplate=False), "segment": segment, "ner": ner}
    return RunSettings(workers=1, **{name: value for name, value in given.items() if value is not None})


def doc_from_spans(vocab: Vocab, text: str, spans: list[tuple[int, int, str, str, int]]) -> Doc:
    """A Doc whose text is exactly `text`, with one token per (start, end, tag, Universal POS, sentence)
    span: the tag in `token.tag_`, the Universal POS in `token.pos_`, as spaCy's own pipelines do.
    Text between spans becomes a white-space token (a line break, or several spaces) unless it is
    the single space after a word; spaCy needs every character in some token or trailing space."""
    tokens: list[tuple[str, bool, str, str, bool]] = []  # word, space after, tag, UPOS, starts a sentence
    position = 0
    last_sentence = None

    def add_gap(gap: str) -> None:
        if gap == " " and tokens and not tokens[-1][1]:
            tokens[-1] = (tokens[-1][0], True, *tokens[-1][2:])
        elif gap:
            tokens.append((gap, False, WHITESPACE_TAG, WHITESPACE_POS, not tokens))

    for start, end, tag, pos, sentence in spans:
        start = max(start, position)
        if end <= start:
            continue
        add_gap(text[position:start])
        tokens.append((text[start:end], False, tag, pos, sentence != last_sentence))
        last_sentence, position = sentence, end
    add_gap(text[position:])
    if not tokens:
        return Doc(vocab, words=[])
    words, spaces, tags, pos, sent_starts = (list(column) for column in zip(*tokens))
    return Doc(vocab, words=words, spaces=spaces, tags=tags, pos=pos, sent_starts=sent_starts)


def original_span(text: str, offset_map: OffsetMap, start: int, end: int) -> tuple[int, int]:
    """The span of `text` (the original) that the normalized span start:end came from. The offset
    map ends a span at the original of its last character, which drops the combining marks of a
    decomposed letter (`e` + U+0302 + U+0301 composed to `ế`); they belong to the word."""
    start, end = offset_map.span_to_original(start, end)
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return start, end


class VnpipeTokenizer:
    """Normalizes and segments the text as the pipeline does, then makes a Doc of the original
    text: each token is the original span of one of our words."""

    def __init__(self, vocab: Vocab, normalize: Normalize.Settings, segment: Segment.Settings) -> None:
        self.vocab = vocab
        self.normalize = normalize
        self.segment = segment

    def __call__(self, text: str) -> Doc:
        [analysis] = analyse_texts([text], _settings(self.normalize, self.segment), until="segment")
        offset_map = analysis.offset_map()
        spans = [(*original_span(text, offset_map, t["start"], t["end"]), t["pos"], t["upos"], t["sentence"])
                 for t in analysis.rows["segment"]["tokens"]]
        doc = doc_from_spans(self.vocab, text, spans)
        doc.user_data[ANALYSIS] = analysis.rows
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # Everything the tokenizer needs is in the config: nothing to save or load.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "VnpipeTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        pass

    def from_disk(self, path, **kwargs) -> "VnpipeTokenizer":
        return self


@spacy.registry.tokenizers("vnpipe.Tokenizer.v1")
def create_tokenizer(normalize: dict[str, Any], segment: dict[str, Any]):
    def create(nlp: Language) -> VnpipeTokenizer:
        return VnpipeTokenizer(nlp.vocab, Normalize.Settings(**normalize), Segment.Settings(**segment))
    return create


class VnpipeNer:
    """Sets `doc.ents` from our NER. After our tokenizer it reuses its analysis; after any other
    tokenizer it analyses `doc.text` with the default settings and snaps entities to the tokens."""

    def __init__(self, settings: Ner.Settings) -> None:
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        rows = doc.user_data.get(ANALYSIS)
        analysis = Analysis(dict(rows)) if rows else analyse_texts([doc.text], _settings(), until="segment")[0]
        [analysis] = continue_analysis([analysis], _settings(ner=self.settings), until="ner")
        offset_map = analysis.offset_map()
        spans = []
        for entity in analysis.rows["ner"]["entities"]:
            start, end = original_span(doc.text, offset_map, entity["start"], entity["end"])
            span = doc.char_span(start, end, label=entity["label"], kb_id=entity["canonical"],
                                 alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.ents = filter_spans(spans)
        return doc


@Language.factory("vnpipe_ner", default_config={"ner": {}})
def create_ner(nlp: Language, name: str, ner: dict[str, Any]) -> VnpipeNer:
    return VnpipeNer(Ner.Settings(**ner))
