"""vnpipe: a batch NLP pipeline for Vietnamese text.

    import pipeline
    report = pipeline.run("data/sample", "runs/sample")
    documents = pipeline.read_run("runs/sample")                          # one row per document
    entities = pipeline.read_stage("runs/sample", "ner", shape="items")  # one row per entity
    analyses = pipeline.analyse(["Sam Altman gặp Jensen Huang ở Hà Nội."])  # what a run gives, in memory
    nlp = pipeline.spacy_nlp()                                            # our tokens and NER in spaCy
    pipeline.restore_diacritics("toi dang o Ha Noi")                      # 'tôi đang ở Hà Nội'
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("vnpipe")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["STAGES", "RunReport", "RunSettings", "Stage", "__version__", "analyse", "read_errors", "read_run",
           "read_stage", "read_warnings", "register_stage", "restore_diacritics", "run", "setting", "spacy_nlp"]


# Imported on first use, so `import pipeline` (and `vnpipe --help`) stays fast: the runner brings
# pyarrow, the readers pandas, the spaCy entry point spaCy (a second or two each).
_LAZY = {"STAGES": "stages.registry", "register_stage": "stages.registry", "Stage": "stages.base",
         "setting": "stages.base", "RunReport": "runtime.runner", "RunSettings": "runtime.settings",
         "run": "api", "analyse": "runtime.analyse", "read_errors": "outputs.results", "read_warnings": "outputs.results",
         "restore_diacritics": "backends.diacritics",
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
