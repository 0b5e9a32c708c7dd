"""vnpipe: a batch NLP pipeline for Vietnamese text.

    import pipeline
    report = pipeline.run("data/sample", "runs/sample")
    documents = pipeline.read_run("runs/sample")                          # one row per document
    entities = pipeline.read_stage("runs/sample", "ner", shape="items")  # one row per entity
    nlp = pipeline.spacy_nlp()                                            # our tokens and NER in spaCy
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("vnpipe")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["ORDER", "STAGES", "RunReport", "RunSettings", "__version__", "read_errors", "read_run", "read_stage",
           "run", "spacy_nlp"]


# Imported on first use, so `import pipeline` (and `vnpipe --help`) stays fast: the runner brings
# pyarrow, the readers pandas, the spaCy entry point spaCy (a second or two each).
_LAZY = {"ORDER": "runtime.runner", "STAGES": "runtime.runner", "RunReport": "runtime.runner",
         "RunSettings": "runtime.runner", "run": "runtime.runner", "read_errors": "outputs.results",
         "read_run": "outputs.results", "read_stage": "outputs.results", "spacy_nlp": "outputs.spacy_language"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
