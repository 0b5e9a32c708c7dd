from pathlib import Path

import pytest

import pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared"


def shared_file(relative: str) -> Path:
    """A file or folder of ../shared (corpora, gold data). A clone has no ../shared beside it: then
    the test that needs it is skipped, and the reason names what it needs."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative}, which is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """The whole pipeline over the sample corpus, run once for the tests that read it."""
    out = tmp_path_factory.mktemp("runs") / "sample"
    pipeline.run(SAMPLE, out, progress=False)
    return out
