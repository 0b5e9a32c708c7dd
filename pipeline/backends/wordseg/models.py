"""The segmenters: vnpipe's CRFs (models/ws), underthesea's and pyvi's, each behind the shared rules."""
from __future__ import annotations

from pathlib import Path

from ...text.offsets import align_tokens
from ..crf import Batch
from ..model_files import require
from ..postags import tag_in_tagset
from ..registry import Word
from .features import SegmentScores, UndertheseaOpinion, load_dictionary, pos_features, syllable_forms
from .rules import MODEL_DIR, Rules
from .tokens import Token, tokenize

MODEL_FILES = ("segment.crfsuite", "pos.crfsuite", "dictionary.tsv")


class RuleBackend:
    """Runs the shared rules after the backend's own segmentation."""

    name = ""

    def __init__(self, rules: Rules):
        self.rules = rules

    def segment(self, sentence: str) -> list[Word]:
        return self.segment_many([sentence])[0]

    def segment_many(self, sentences: list[str]) -> list[list[Word]]:
        tokens = [tokenize(sentence) for sentence in sentences]
        return [self.rules.apply(sentence, found, words)
                for sentence, found, words in zip(sentences, tokens, self._segment_many(sentences, tokens))]

    def _segment_many(self, sentences: list[str], tokens: list[list[Token]]) -> list[list[Word]]:
        return [self._segment(sentence, found) for sentence, found in zip(sentences, tokens)]

    def _segment(self, sentence: str, tokens: list[Token]) -> list[Word]:
        raise NotImplementedError

    def checksum(self) -> str:
        from . import SEGMENTERS  # the registry that built it says what its checksum covers

        return SEGMENTERS.checksum(self.name, user_words=self.rules.user_words_path)




class VnpipeSegmenter(RuleBackend):
    """vnpipe's CRF segmenter and CRF POS tagger (models/ws, see its MODEL_CARD.md)."""

    name = "vnpipe"

    def __init__(self, rules: Rules, model_dir: Path = MODEL_DIR):
        import pycrfsuite

        from ..crf import BinaryCrf

        super().__init__(rules)
        self.model_dir = model_dir
        self.dictionary = load_dictionary(require(model_dir / "dictionary.tsv"))
        self.segment_crf = BinaryCrf(require(model_dir / "segment.crfsuite"))
        self.segment_scores = SegmentScores(self.segment_crf, self.dictionary)
        self.pos_tagger = pycrfsuite.Tagger()
        self.pos_tagger.open(str(require(model_dir / "pos.crfsuite")))
        self.opinion = UndertheseaOpinion()

    def _segment_many(self, sentences: list[str], tokens: list[list[Token]]) -> list[list[Word]]:
        # All sentences with tokens go through each step together (see crf.Batch).
        present = [k for k, found in enumerate(tokens) if found]
        batch = Batch([len(tokens[k]) for k in present])
        forms, shapes = zip(*(syllable_forms(sentences[k], tokens[k]) for k in present)) if present else ((), ())
        opinions, fifths = self.opinion.decode([[sentences[k][start:end] for start, end, _ in tokens[k]]
                                                for k in present], batch)
        # The scores of segment_features(forms, shapes, self.dictionary, opinions), decoded as crfsuite does.
        labels = self.segment_crf.viterbi(self.segment_scores(forms, shapes, opinions * 6 + fifths, batch), batch)
        words: list[list[Word]] = [[] for _ in sentences]
        for k, sentence_forms, sentence_shapes, sentence_labels in zip(
                present, forms, shapes, batch.sentences(labels)):
            words[k] = self._tag(tokens[k], sentence_forms, sentence_shapes, sentence_labels.tolist())
        return words

    def _tag(self, tokens: list[Token], forms: list[str], shapes: list[str], labels: list[int]) -> list[Word]:
        """The words the B/I `labels` make of the tokens, POS-tagged."""
        inside = self.segment_crf.labels.index("I")
        starts = [i for i, label in enumerate(labels) if label != inside or not i]  # each word's first token
        ends = starts[1:] + [len(labels)]
        word_forms = ["_".join(forms[start:end]) for start, end in zip(starts, ends)]
        tags = self.pos_tagger.tag(pos_features(word_forms, [shapes[start] for start in starts]))
        return [(tokens[start][0], tokens[end - 1][1], tag_in_tagset(tag))
                for start, end, tag in zip(starts, ends, tags)]



class UndertheseaSegmenter(RuleBackend):
    """underthesea's CRF segmenter and POS tagger (trained on VLSP 2013; its tags mapped to ours)."""

    name = "underthesea"

    def __init__(self, rules: Rules) -> None:
        from underthesea import pos_tag  # imported here: it loads its model on first use

        super().__init__(rules)
        self._pos_tag = pos_tag

    def _segment(self, sentence: str, tokens: list[Token]) -> list[Word]:
        tagged = self._pos_tag(sentence)
        spans = align_tokens(sentence, (word for word, _ in tagged))
        return [(start, end, tag_in_tagset(tag)) for (start, end), (_, tag) in zip(spans, tagged)]


class PyviSegmenter(RuleBackend):
    """pyvi's CRF segmenter (ViTokenizer) and POS tagger (ViPosTagger; its tags mapped to ours)."""

    name = "pyvi"

    def __init__(self, rules: Rules) -> None:
        from pyvi import ViPosTagger, ViTokenizer

        super().__init__(rules)
        self._tokenize = ViTokenizer.tokenize
        self._pos_tag = ViPosTagger.postagging

    def _segment(self, sentence: str, tokens: list[Token]) -> list[Word]:
        words, tags = self._pos_tag(self._tokenize(sentence))
        spans = align_tokens(sentence, words, joiner="_")
        return [(start, end, tag_in_tagset(tag)) for (start, end), tag in zip(spans, tags)]


