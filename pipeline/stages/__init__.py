"""The pipeline's stages, one module each, in the order they run: ingest (the readers), normalize,
dedup, segment, ner, keywords. Each stage is a pure function of its input rows and its settings; the runner
(`pipeline.runtime.runner`) reads and writes the Parquet parts around it."""
from ..runtime.stage import Stage
from .dedup import Dedup
from .keywords import Keywords
from .ner import Ner
from .normalize import Normalize
from .segment import Segment

STAGES: dict[str, type[Stage]] = {"normalize": Normalize, "dedup": Dedup, "segment": Segment, "ner": Ner,
                                  "keywords": Keywords}
ORDER = ("ingest", *STAGES)
