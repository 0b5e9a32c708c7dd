"""The pipeline's stages, one module (or small package) each, and the registry that lists them in the
order they run: ingest (the readers), normalize, dedup, segment, ner, keywords. Each stage is a pure
function of its input rows and its settings (base.py); the runner reads and writes the Parquet
parts around it."""
from .base import SourceStage, Stage, StageResult, setting
from .registry import STAGES, StageRegistry, register_stage

__all__ = ["STAGES", "SourceStage", "Stage", "StageRegistry", "StageResult", "register_stage", "setting"]
