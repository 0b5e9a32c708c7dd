"""Which tone-mark style should normalize default to? Word segmentation and NER scores with the
gold test text written in each style: `classic` (hòa, thủy), `modern` (hoà, thuỷ), and `as-is`.

Run from the repository root: `python benchmarks/tone_style.py [--limit N] [--json]`. Each gold file
is copied to a temporary folder with its text converted (tone moves never change the length, so
gold offsets stay valid), then scored with pipeline.evaluate.ws (segmenter "vnpipe") and
pipeline.evaluate.ner (the default tagger; gold words where the file has them, else the vnpipe
segmenter). The full run takes about ten minutes on one core; --limit N scores the first N
sentences of each file.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.evaluate import ner, ws  # noqa: E402
from pipeline.backends.nertag import DEFAULT_TAGGER  # noqa: E402
from pipeline.text.vietnamese import TONE_STYLES, apply_tone_style  # noqa: E402
from pipeline.backends.wordseg import get_segmenter  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
WS_FILES = [EVAL / "ws/vlsp2013/test.txt", EVAL / "ws/vlsp2016/test.txt", EVAL / "ws/ud-vtb/test.txt"]
NER_FILES = [(EVAL / "ner/vlsp2016/word/test.conll", ner.GOLD_WORDS),
             (EVAL / "ner/vlsp2018/syllable/dev.conll", ner.SEGMENTER_WORDS)]
AS_IS = "as-is"


def converted(text: str, style: str) -> str:
    if style == AS_IS:
        return text
    composed = unicodedata.normalize("NFC", text)
    # NFC may shorten a decomposed line; keep such (rare) lines as they are so offsets stay valid.
    return apply_tone_style(composed, style) if len(composed) == len(text) else text


def write_converted(source: Path, style: str, folder: Path, limit: int | None) -> Path:
    """`source` with its text in `style`; for WS files only the first `limit` sentences."""
    target = folder / f"{style}-{source.parent.name}-{source.name}"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    if limit and source.suffix == ".txt":
        lines = [line for line in lines if line.strip()][:limit]
    if source.suffix == ".jsonl":
        out = []
        for line in lines:
            record = json.loads(line)
            record["text"] = converted(record["text"], style)
            out.append(json.dumps(record, ensure_ascii=False) + "\n")
        lines = out
    elif source.suffix == ".conll":
        # Only the token column changes: tags (and the rest) stay as they are.
        lines = [converted(line.split("\t", 1)[0], style) + line[len(line.split("\t", 1)[0]):]
                 if "\t" in line else line for line in lines]
    else:
        lines = [converted(line, style) for line in lines]
    target.write_text("".join(lines), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N sentences of each file")
    parser.add_argument("--json", action="store_true", help="print all results as JSON")
    args = parser.parse_args()
    segmenter = get_segmenter("vnpipe")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for style in (AS_IS, *TONE_STYLES):
            for source in WS_FILES:
                result = ws.evaluate(write_converted(source, style, folder, args.limit), segmenter)
                results.append({"task": "ws", "gold": f"{source.parent.name}/{source.name}", "style": style,
                                "f1": result["f1"], "sentences": result["sentences"]})
            for source, words in NER_FILES:
                result = ner.evaluate(write_converted(source, style, folder, None), DEFAULT_TAGGER, words=words,
                                      segmenter_name="vnpipe", limit=args.limit)
                results.append({"task": "ner", "gold": f"{source.parent.parent.name}/{source.name}",
                                "style": style, "f1": result["micro"]["f1"], "sentences": result["sentences"]})
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"{'task':5} {'gold':28} {'sentences':>9} " + " ".join(f"{s:>8}" for s in (AS_IS, *TONE_STYLES)))
    for task, gold in dict.fromkeys((r["task"], r["gold"]) for r in results):
        row = {r["style"]: r for r in results if (r["task"], r["gold"]) == (task, gold)}
        print(f"{task:5} {gold:28} {row[AS_IS]['sentences']:>9} "
              + " ".join(f"{row[s]['f1']:>8.2f}" for s in (AS_IS, *TONE_STYLES)))


if __name__ == "__main__":
    main()
