#!/usr/bin/env bash
# The package as users install it: build the wheel, install it into a fresh virtual environment of
# the given Python, and run vnpipe from another folder (so nothing can come from the checkout).
#   bash .ci/wheel_check.sh python3.13
set -euo pipefail
python_bin=${1:-python3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python_bin" -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
"$py" -m pip wheel -q --no-deps -w "$work/dist" "$root" 2>&1 | grep -v "^WARNING: Location" || true
"$py" -m pip install -q "$work"/dist/vnpipe-*.whl 2>&1 | grep -v "^WARNING: Location" || true
cd "$work"
echo "== $("$py" --version), $(ls dist)"
"$work/venv/bin/vnpipe" --version
"$work/venv/bin/vnpipe" run "$root/data/sample" --out run --no-progress
echo "Ông Sam Altman, CEO của OpenAI, đến Hà Nội." | "$work/venv/bin/vnpipe" ner -
# spaCy finds our tokenizer and NER through entry points: save here, load in a fresh interpreter.
"$py" -c "import pipeline; pipeline.spacy_nlp().to_disk('nlp')"
"$py" -c "
import sys, spacy
doc = spacy.load('nlp')('Ông Sam Altman, CEO của OpenAI, đến Hà Nội.')
print([(e.text, e.label_) for e in doc.ents])
assert any(e.text == 'OpenAI' for e in doc.ents), doc.ents
"
echo "wheel check passed on $("$py" --version)"
