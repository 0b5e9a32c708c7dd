"""Golden outputs: a hash of each stage's rows on data/sample, keyed by the versions of the stage and
of every stage it reads from, near or far. A change of code or model that changes a stage's output
must bump its version (so the outputs of earlier runs are recomputed, not mixed with new ones); a
stage whose input changed needs no bump, but its hash is recorded again:

    python tests/test_golden.py --update
"""
import json
import sys

import pytest

import pipeline
from pipeline.outputs.results import output_digest

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "sample.json"


def lineage(stage: str) -> dict[str, str]:
    """The version of `stage` and of every stage it reads, directly or through others."""
    versions, waiting = {}, [stage]
    while waiting:
        name = waiting.pop()
        if name not in versions:
            versions[name] = pipeline.STAGES[name].version
            waiting += list(pipeline.STAGES[name].reads)
    return dict(sorted(versions.items()))


@pytest.mark.parametrize("stage", pipeline.STAGES.names())
def test_an_output_changes_only_with_its_version(sample_run, stage):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")).get(stage, {})
    assert golden.get("versions") == lineage(stage), (
        f"the {stage} stage or one it reads has a new version: record its output with "
        "`python tests/test_golden.py --update`")
    assert output_digest(sample_run, stage) == golden["hash"], (
        f"the {stage} stage's output on data/sample changed, but neither its version nor those of the "
        f"stages it reads did: bump `version` in its module, then `python tests/test_golden.py --update`")


def update() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        pipeline.run(ROOT / "data" / "sample", f"{folder}/run", progress=False)
        hashes = {stage: {"versions": lineage(stage), "hash": output_digest(f"{folder}/run", stage)}
                  for stage in pipeline.STAGES.names()}
    GOLDEN.write_text(json.dumps(hashes, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(hashes, indent=2))


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    update()
