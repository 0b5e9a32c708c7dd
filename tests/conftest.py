from pathlib import Path

import pytest

import pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """The whole pipeline over the sample corpus, run once for the tests that read it."""
    out = tmp_path_factory.mktemp("runs") / "sample"
    pipeline.run(SAMPLE, out, progress=False)
    return out
