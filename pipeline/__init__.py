"""vnpipe: a batch NLP pipeline for Vietnamese text.

    import pipeline
    report = pipeline.run("data/sample", "runs/sample")
    entities = pipeline.read_stage("runs/sample", "ner", shape="items")
"""
from .results import read_errors, read_stage
from .runner import ORDER, STAGES, RunReport, RunSettings, run

__all__ = ["ORDER", "STAGES", "RunReport", "RunSettings", "read_errors", "read_stage", "run"]
