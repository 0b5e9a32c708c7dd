"""vnpipe's CRF taggers over syllables (models/ner, and models/ner-unseen for names never seen in
training), with the segmenter's word boundaries as features."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ...digests import files_digest
from ..model_files import model_dir, require
from ..names import load_gazetteer, spans_from_bio
from ..registry import Entity, Sentence, Word
from .context import DocumentNames, _mentions, document_names, names_context
from .features import load_clusters, sentence_features

MODEL_DIR = model_dir("ner")
MODEL_FILE = "model.crfsuite"
GAZETTEER_FILE = "gazetteer.tsv"
LEXICON_FILE = "lexicon.tsv"  # entity names seen in the training data, written by `train`
CLUSTERS_FILE = "clusters.tsv"
LEARNED_NAMES_FILE = "learned_names.tsv"  # typed names learned from unlabeled text (Wikipedia, news)


@dataclass(frozen=True)
class ModelFiles:
    """The files a CRF tagger reads, found once: what it loads and what its checksum covers."""

    model: Path
    names: list[Path]  # the training data's names, then the hand-written list, then the user's; later win
    clusters: Path | None
    learned: Path | None  # typed names learned from unlabeled text: only for a model trained with them
    features: int  # which `sentence_features` the model was trained with

    @classmethod
    def of(cls, model_dir: Path, gazetteer_paths: Iterable[Path] = (), gazetteer: bool = True) -> "ModelFiles":
        summary_path = model_dir / "training.json"
        summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
        features = summary.get("features", 1)
        lexicon = [model_dir / LEXICON_FILE] if (model_dir / LEXICON_FILE).exists() else []
        hand_written = [model_dir / GAZETTEER_FILE] if gazetteer else []
        clusters = model_dir / CLUSTERS_FILE
        learned = model_dir / LEARNED_NAMES_FILE
        return cls(model_dir / MODEL_FILE, [*lexicon, *hand_written, *map(Path, gazetteer_paths)],
                   clusters if clusters.exists() and clusters.read_text(encoding="utf-8").strip() else None,
                   learned if features >= 2 and learned.exists() else None, features)

    def all(self) -> list[Path]:
        return [self.model, *self.names, *(path for path in (self.clusters, self.learned) if path)]

    def checksum(self) -> str:
        return f"vnpipe-ner-{files_digest(self.all())}"


class VnpipeTagger:
    """Our CRF (VLSP 2016 + 2018 train), tagging syllables with word-boundary and gazetteer features.

    The names it looks up are those of the training data (`lexicon.tsv`), then the hand-written
    `gazetteer.tsv`, then `gazetteer_paths` (user lists, name<TAB>label); later lists win. A match is
    evidence the model weighs, not an overwrite. `tag_document` tags a whole document in two passes,
    so a name is tagged alike in all its sentences (see models/ner/MODEL_CARD.md).
    """

    name = "vnpipe"

    sees_documents = True

    def __init__(self, model_dir: Path = MODEL_DIR, gazetteer_paths: Iterable[Path] = (),
                 gazetteer: bool = True) -> None:
        """`gazetteer=False` leaves out the hand-written `gazetteer.tsv`, so scores show what the model
        does with the names of its training data (`lexicon.tsv`) and its own features alone."""
        import pycrfsuite

        self.model_dir = Path(model_dir)
        files = ModelFiles.of(self.model_dir, gazetteer_paths, gazetteer)
        self.features = files.features
        self.gazetteer = load_gazetteer(files.names)
        self.clusters = load_clusters(files.clusters) if files.clusters else {}
        self.learned = load_gazetteer([files.learned]) if files.learned else None
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(require(files.model)))
        self._checksum = files.checksum()

    @staticmethod
    def model_files(model_dir: Path = MODEL_DIR, gazetteer_paths: Iterable[Path] = (),
                    gazetteer: bool = True) -> list[Path]:
        """The model and every name list and cluster file the tagger reads (what its checksum covers)."""
        return ModelFiles.of(Path(model_dir), gazetteer_paths, gazetteer).all()

    def checksum(self) -> str:
        return self._checksum

    def tag_sentences(self, sentences: list[Sentence]) -> list[list[Entity]]:
        return [self.tag(sentence, words) for sentence, words in sentences]

    def tag_documents(self, documents: list[list[Sentence]], window: int | None = None) -> list[list[list[Entity]]]:
        return [self.tag_document(document, window) for document in documents]

    def tag(self, sentence: str, words: list[Word],
            context: dict[tuple[str, ...], str] | None = None) -> list[Entity]:
        """Entities of one sentence; `context` maps names found elsewhere in its document to labels."""
        spans, features = sentence_features(sentence, words, self.gazetteer, self.clusters, context, self.learned,
                                            self.features)
        if not spans:
            return []
        self._tagger.set(features)
        tags = self._tagger.tag()
        entities = []
        index = 0
        for start, end, label in spans_from_bio(spans, tags):
            while spans[index][0] != start:
                index += 1
            first = index
            while spans[index][1] != end:
                index += 1
            # Probability that each syllable carries this entity's tag, averaged over its syllables.
            probability = sum(self._tagger.marginal(tags[k], k) for k in range(first, index + 1))
            entities.append((start, end, label, round(probability / (index + 1 - first), 4)))
        return entities

    def tag_document(self, sentences: list[tuple[str, list[Word]]], window: int | None = None
                     ) -> list[list[Entity]]:
        """Entities of the sentences of one document, in two passes.

        The first pass tags each sentence alone; the second tags it again knowing the names the
        first pass found in the other sentences (all of them, or the `window` sentences on either
        side), so a name is tagged alike across the document: `Được` after `anh Trần Văn Được`.
        """
        first = [self.tag(sentence, words) for sentence, words in sentences]
        found = [document_names(sentence, entities) for (sentence, _), entities in zip(sentences, first)]
        # The whole document: counted once, each sentence's own names left out when it is tagged, so
        # the cost is linear in the number of sentences (a window costs `window` sentences each).
        everywhere = DocumentNames(found) if window is None else None
        results = []
        for index, ((sentence, words), entities) in enumerate(zip(sentences, first)):
            if everywhere is not None:
                context = everywhere.without(index)
            else:
                context = names_context(found[max(0, index - window):index] + found[index + 1:index + window + 1])
            results.append(self.tag(sentence, words, context) if _mentions(sentence, words, context) else entities)
        return results

UNSEEN_MODEL_DIR = model_dir("ner-unseen")


class VnpipeUnseenTagger(VnpipeTagger):
    """Our CRF with names learned from unlabeled text, clusters from Wikipedia and news, and mention
    replacement in training: more recall on names it never saw, a little less F1 overall, slower."""

    name = "vnpipe-unseen"

    def __init__(self, model_dir: Path = UNSEEN_MODEL_DIR, gazetteer_paths: Iterable[Path] = (),
                 gazetteer: bool = True) -> None:
        super().__init__(model_dir, gazetteer_paths, gazetteer)


