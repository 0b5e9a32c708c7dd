"""Named-entity taggers behind one registry: segmented sentences in, entity spans out.

The ner stage picks a backend by name (`get_tagger`); each is loaded once per process. The parts:
crf.py (our CRF taggers), features.py (their features), context.py (the names of a document's other
sentences, the CRFs' second pass), underthesea.py; the neural tagger is `backends/neural_ner.py`.
"""
from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from ..neural_ner import MODEL_DIR as NEURAL_MODEL_DIR, NeuralTagger
from ..registry import Backend, BackendRegistry, EntityTagger
from .context import DocumentNames, document_names, names_context
from .crf import (CLUSTERS_FILE, GAZETTEER_FILE, LEARNED_NAMES_FILE, LEXICON_FILE, MODEL_DIR, MODEL_FILE,
                  UNSEEN_MODEL_DIR, VnpipeTagger, VnpipeUnseenTagger)
from .features import load_clusters, sentence_features
from .underthesea import UndertheseaTagger

TAGGERS = BackendRegistry("NER tagger", "--ner (ner.backend)")
OPTIONS = frozenset({"model_dir", "gazetteer"})  # another model folder; gazetteer=False: without the hand-written list


def _ours(name: str, tagger: type, default_dir: Path, label: str) -> Backend:
    def load(model_dir: Path | None = None, gazetteer: bool = True):
        return tagger(Path(model_dir or default_dir), gazetteer=gazetteer)

    def files(model_dir: Path | None = None, gazetteer: bool = True) -> list[Path]:
        return tagger.model_files(Path(model_dir or default_dir), gazetteer=gazetteer)

    return Backend(name, load, files, options=OPTIONS, description=tagger.__doc__ or "", label=label)


TAGGERS.register(_ours("vnpipe-neural", NeuralTagger, NEURAL_MODEL_DIR, "vnpipe-neural"))
TAGGERS.register(_ours("vnpipe", VnpipeTagger, MODEL_DIR, "vnpipe-ner"))
TAGGERS.register(_ours("vnpipe-unseen", VnpipeUnseenTagger, UNSEEN_MODEL_DIR, "vnpipe-ner"))
TAGGERS.register(Backend("underthesea", lambda: UndertheseaTagger(), version=lambda: version("underthesea"),
                         description=UndertheseaTagger.__doc__ or ""))
# The neural tagger finds more of the names it never saw (models/ner-neural/MODEL_CARD.md); the CRFs stay
# selectable for one release.
DEFAULT_TAGGER = "vnpipe-neural"


def _options(model_dir: Path | None, gazetteer: bool) -> dict:
    return {"model_dir": None if model_dir is None else Path(model_dir), "gazetteer": None if gazetteer else False}


def tagger_checksum(name: str = DEFAULT_TAGGER, model_dir: Path | None = None, gazetteer: bool = True) -> str:
    """What `get_tagger(name).checksum()` says, from the files alone (loads no model)."""
    return TAGGERS.checksum(name, **_options(model_dir, gazetteer))


def get_tagger(name: str = DEFAULT_TAGGER, gazetteer: bool = True, model_dir: Path | None = None) -> EntityTagger:
    """The entity tagger called `name`, loaded once per process; `gazetteer=False` (ours only)
    leaves the hand-written name list out; `model_dir`, another model folder of ours."""
    return TAGGERS.load(name, **_options(model_dir, gazetteer))


__all__ = ["CLUSTERS_FILE", "DEFAULT_TAGGER", "DocumentNames", "EntityTagger", "GAZETTEER_FILE", "LEARNED_NAMES_FILE",
           "LEXICON_FILE", "MODEL_DIR", "MODEL_FILE", "NeuralTagger", "TAGGERS", "UNSEEN_MODEL_DIR",
           "UndertheseaTagger", "VnpipeTagger", "VnpipeUnseenTagger", "document_names", "get_tagger",
           "load_clusters", "names_context", "sentence_features", "tagger_checksum"]
