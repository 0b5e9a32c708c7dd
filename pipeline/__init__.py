"""vnpipe: a batch NLP pipeline for Vietnamese text.

    import pipeline
    report = pipeline.run("data/sample", "runs/sample")
    documents = pipeline.read_run("runs/sample")                          # one row per document
    entities = pipeline.read_stage("runs/sample", "ner", shape="items")  # one row per entity
    nlp = pipeline.spacy_nlp()                                            # our tokens and NER in spaCy
"""
from importlib.metadata import PackageNotFoundError, version as _version

from .outputs.results import read_errors, read_run, read_stage
from .runtime.runner import ORDER, STAGES, RunReport, RunSettings, run

try:
    __version__ = _version("vnpipe")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["ORDER", "STAGES", "RunReport", "RunSettings", "__version__", "read_errors", "read_run", "read_stage",
           "run", "spacy_nlp"]


def __getattr__(name: str):
    # spaCy takes a second or two to import: only users of the spaCy entry point pay for it.
    if name == "spacy_nlp":
        from .outputs.spacy_language import spacy_nlp
        return spacy_nlp
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
