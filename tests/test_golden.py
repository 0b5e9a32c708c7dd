"""Golden outputs: a hash of each stage's rows on data/sample, keyed by the stage's version. A change
of code or model that changes a stage's output must bump its version (so the outputs of earlier
runs are recomputed, not mixed with new ones); then record the new hash:

    python tests/test_golden.py --update
"""
import json
import sys

import pytest

import pipeline
from pipeline.outputs.results import output_digest

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "sample.json"


def recorded() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("stage", pipeline.STAGES.names())
def test_an_output_changes_only_with_its_version(sample_run, stage):
    version = pipeline.STAGES[stage].version
    golden = recorded().get(stage, {})
    assert golden.get("version") == version, (
        f"the {stage} stage is at version {version}, the golden hash at {golden.get('version')}: "
        "record it with `python tests/test_golden.py --update`")
    assert output_digest(sample_run, stage) == golden["hash"], (
        f"the {stage} stage's output on data/sample changed, but its version ({version}) did not: bump "
        f"`version` in its module, then `python tests/test_golden.py --update`")


def update() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        pipeline.run(ROOT / "data" / "sample", f"{folder}/run", progress=False)
        hashes = {stage: {"version": pipeline.STAGES[stage].version, "hash": output_digest(f"{folder}/run", stage)}
                  for stage in pipeline.STAGES.names()}
    GOLDEN.write_text(json.dumps(hashes, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(hashes, indent=2))


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    update()
