"""Exporting a run for downstream tools: JSON lines, CoNLL (BIO) for annotation tools, CoNLL-U
(Universal Dependencies' format: words with their Universal POS and our tag), a spaCy DocBin, and
CSV tables of entities and keywords. `vnpipe export` calls `export`.

Every format holds the documents that came through the ner stage, in run order; offsets point into
the normalized text (`normalize.text`), as in the Parquet.
"""
from __future__ import annotations

import csv
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow.parquet as pq

from ..runtime import parts
from .results import entity_stage
from .. import checks
from ..errors import MissingStageOutput
from .results import require_run

FORMATS = ("jsonl", "conll", "conllu", "spacy", "csv")
NEEDED = ("ingest", "normalize", "segment", "ner")  # keywords (and its tags) are exported when present


@dataclass
class ExportReport:
    format: str
    paths: list[Path] = field(default_factory=list)
    documents: int = 0


def export(run: str | Path, format: str, out: str | Path) -> ExportReport:
    """Write the run `run` as `format` to `out`: a file for jsonl, conll, conllu and spacy, a folder of
    entities.csv and keywords.csv (and tags.csv when the run has tags) for csv."""
    writers = {"jsonl": export_jsonl, "conll": export_conll, "conllu": export_conllu, "spacy": export_spacy,
               "csv": export_csv}
    checks.one_of("--format", format, FORMATS)
    if format == "csv":
        checks.writable_folder("--out", out)
    else:
        checks.writable_file("--out", out)
    return writers[format](Path(run), Path(out))


def documents(run: Path) -> Iterator[dict[str, Any]]:
    """Each document of the run with the columns of every stage, one part at a time. Checks that
    `run` is a run with the stages an export needs before anything is read or written."""
    require_run(run)
    for stage in NEEDED:
        if parts.read_manifest(run, stage) is None:
            raise MissingStageOutput("export", stage, str(run))
    return _joined_documents(run, has_keywords=parts.read_manifest(run, "keywords") is not None)


def _joined_documents(run: Path, has_keywords: bool) -> Iterator[dict[str, Any]]:
    entities = entity_stage(run) or "ner"
    for part in parts.list_parts(parts.stage_dir(run, entities)):
        joined = {row["doc_id"]: row for row in parts.read_part(run, entities, part, ["doc_id", "entities"])}
        for stage, columns in (("ingest", ["doc_id", "source", "record"]),
                               ("normalize", ["doc_id", "title", "date", "language", "text", "sentences"]),
                               ("segment", ["doc_id", "tokens"]),
                               *((("keywords", None),) if has_keywords else ())):
            for row in parts.read_part(run, stage, part, columns):
                if row["doc_id"] in joined:
                    joined[row["doc_id"]].update(row)
        yield from joined.values()


# -- JSON lines -----------------------------------------------------------------------------------

def export_jsonl(run: Path, out: Path) -> ExportReport:
    """One document a line: doc_id, source, record, title, date, language, text, tokens, entities
    (offsets into text, and orig_start/orig_end into the source document), keywords, tags."""
    report = ExportReport("jsonl", [out])
    rows = documents(run)
    with _atomic_open(out) as handle:
        for document in rows:
            handle.write(json.dumps(jsonl_record(document), ensure_ascii=False) + "\n")
            report.documents += 1
    return report


def jsonl_record(document: dict[str, Any]) -> dict[str, Any]:
    record = {key: document[key] for key in ("doc_id", "source", "record", "title", "date", "language", "text")}
    record["tokens"] = document["tokens"]
    record["entities"] = [{**entity, "confidence": round(entity["confidence"], 4)}
                          for entity in document["entities"]]
    record["keywords"] = [{**keyword, "score": round(keyword["score"], 4)}
                          for keyword in document.get("keywords") or []]
    if "tags" in document:
        record["tags"] = document["tags"] or []
    return record


# -- CoNLL ----------------------------------------------------------------------------------------

def export_conll(run: Path, out: Path) -> ExportReport:
    """`word<TAB>BIO label` a line, a blank line after each sentence, a `# doc_id = ...` line before
    each document and a `# text = ...` line (the sentence as written) before each sentence. The
    syllables of a word are joined by `_` (`Sam_Altman`), as in VLSP."""
    report = ExportReport("conll", [out])
    rows = documents(run)
    with _atomic_open(out) as handle:
        for document in rows:
            handle.write(f"# doc_id = {document['doc_id']}\n")
            text, sentences = document["text"], document["sentences"]
            for index, words in bio_sentences(document["tokens"], document["entities"]):
                sentence = text[sentences[index]["start"]:sentences[index]["end"]]
                handle.write(f"# text = {' '.join(sentence.split())}\n")
                handle.writelines(f"{word}\t{tag}\n" for word, tag in words)
                handle.write("\n")
            report.documents += 1
    return report


def bio_sentences(tokens: list[dict[str, Any]],
                  entities: list[dict[str, Any]]) -> list[tuple[int, list[tuple[str, str]]]]:
    """(sentence index, its words with their BIO tags) for each sentence with words; an entity
    tags every word it overlaps."""
    tags = ["O"] * len(tokens)
    for entity in entities:
        inside = [i for i, token in enumerate(tokens)
                  if token["start"] < entity["end"] and entity["start"] < token["end"] and tags[i] == "O"]
        for position, i in enumerate(inside):
            tags[i] = f"{'B' if position == 0 else 'I'}-{entity['label']}"
    sentences: dict[int, list[tuple[str, str]]] = {}
    for token, tag in zip(tokens, tags):
        sentences.setdefault(token["sentence"], []).append((conll_word(token["text"]), tag))
    return list(sentences.items())


def conll_word(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def read_conll(path: str | Path) -> list[dict[str, Any]]:
    """Read a CoNLL file as `export_conll` writes it (or as an annotation tool gives it back): one
    dict per document with `doc_id`, `sentences` (each with `text`, when the file has `# text`
    lines, and `words`, a list of (word, tag)) and `entities` (`text`, `label`, `sentence` index,
    `start` and `end` word index). An entity's text is taken from the sentence text when there is
    one, else it is its words with `_` read as a space."""
    documents_read: list[dict[str, Any]] = []
    sentence: dict[str, Any] = {"text": None, "words": []}

    def close_sentence() -> None:
        nonlocal sentence
        if sentence["words"]:
            if not documents_read:
                documents_read.append({"doc_id": None, "sentences": [], "entities": []})
            documents_read[-1]["sentences"].append(sentence)
        sentence = {"text": None, "words": []}

    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if line.startswith("# doc_id = "):
                close_sentence()
                documents_read.append({"doc_id": line.removeprefix("# doc_id = ").strip(),
                                       "sentences": [], "entities": []})
            elif line.startswith("# text = "):
                sentence["text"] = line.removeprefix("# text = ")
            elif line.startswith("#") and "\t" not in line:  # a comment; `#\tO` is the word `#`
                continue
            elif not line.strip():
                close_sentence()
            else:
                word, _, tag = line.rpartition("\t")
                if not word:
                    raise ValueError(f"{path}, line {number}: expected `word<TAB>tag`, got {line!r}")
                sentence["words"].append((word, tag.strip()))
    close_sentence()
    for document in documents_read:
        for index, sentence in enumerate(document["sentences"]):
            spans = word_spans(sentence["text"], [word for word, _ in sentence["words"]])
            for entity in bio_entities(sentence["words"]):
                if spans:
                    entity["text"] = sentence["text"][spans[entity["start"]][0]:spans[entity["end"] - 1][1]]
                document["entities"].append({**entity, "sentence": index})
    return documents_read


def bio_entities(words: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The entities of one sentence of (word, BIO tag); an I- tag without its B- starts one."""
    entities: list[dict[str, Any]] = []
    for index, (word, tag) in enumerate(words):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and entities and entities[-1]["label"] == label and entities[-1]["end"] == index:
            entities[-1]["end"] = index + 1
            entities[-1]["text"] += " " + word.replace("_", " ")
        elif prefix in ("B", "I") and label:
            entities.append({"text": word.replace("_", " "), "label": label, "start": index, "end": index + 1})
    return entities


def word_spans(text: str | None, words: list[str]) -> list[tuple[int, int]] | None:
    """Where each word is in `text` (`_` in a word matches a space or `_`); None when they do not
    line up, so the caller falls back on the words alone."""
    if text is None:
        return None
    spans, position = [], 0
    for word in words:
        while position < len(text) and text[position].isspace():
            position += 1
        start = position
        for char in word:
            if position < len(text) and (text[position] == char or (char == "_" and text[position] == " ")):
                position += 1
            else:
                return None
        spans.append((start, position))
    return spans


# -- CoNLL-U --------------------------------------------------------------------------------------

def export_conllu(run: Path, out: Path) -> ExportReport:
    """CoNLL-U: `# newdoc id = <doc_id>` before each document, `# sent_id` and `# text` before each
    sentence, then one line per word: ID, FORM (the word as written, white space as one space:
    `Sam Altman`, as UD's Vietnamese treebanks write words), LEMMA `_`, UPOS (Universal POS), XPOS
    (our tag), no features or dependencies (`_`), and MISC `TokenRange=start:end` (offsets into the
    normalized text, as UDPipe writes them) with `SpaceAfter=No` where the next word follows at once."""
    report = ExportReport("conllu", [out])
    rows = documents(run)
    with _atomic_open(out) as handle:
        for document in rows:
            handle.write(f"# newdoc id = {document['doc_id']}\n")
            text, sentences = document["text"], document["sentences"]
            by_sentence: dict[int, list[dict[str, Any]]] = {}
            for token in document["tokens"]:
                by_sentence.setdefault(token["sentence"], []).append(token)
            for index, tokens in by_sentence.items():
                sentence = text[sentences[index]["start"]:sentences[index]["end"]]
                handle.write(f"# sent_id = {document['doc_id']}-{index + 1}\n# text = {' '.join(sentence.split())}\n")
                for number, token in enumerate(tokens, 1):
                    handle.write("\t".join(conllu_fields(number, token, tokens[number] if number < len(tokens) else None)) + "\n")
                handle.write("\n")
            report.documents += 1
    return report


def conllu_fields(number: int, token: dict[str, Any], following: dict[str, Any] | None) -> list[str]:
    """The ten CoNLL-U columns of one word; `following` is the next word of its sentence."""
    misc = f"TokenRange={token['start']}:{token['end']}"
    if following is not None and following["start"] == token["end"]:
        misc += "|SpaceAfter=No"
    return [str(number), " ".join(token["text"].split()), "_", token["upos"], token["pos"], "_", "_", "_", "_", misc]


# -- spaCy ----------------------------------------------------------------------------------------

def export_spacy(run: Path, out: Path) -> ExportReport:
    """A DocBin of one Doc per document: the normalized text, our tokens (plus a white-space token
    where the text has a line break), POS tag in `token.tag_` and Universal POS in `token.pos_`, sentences,
    and `doc.ents` with the
    canonical name in `ent.kb_id_`; `doc.user_data` holds doc_id, source, record and title."""
    from spacy.tokens import DocBin
    from spacy.util import filter_spans
    from spacy.vocab import Vocab

    from .spacy_language import doc_from_spans

    vocab = Vocab()
    doc_bin = DocBin(store_user_data=True)
    report = ExportReport("spacy", [out])
    for document in documents(run):
        doc = doc_from_spans(vocab, document["text"], [(t["start"], t["end"], t["pos"], t["upos"], t["sentence"])
                                                       for t in document["tokens"]])
        spans = [doc.char_span(e["start"], e["end"], label=e["label"], kb_id=e["canonical"],
                               alignment_mode="expand") for e in document["entities"]]
        doc.ents = filter_spans([span for span in spans if span is not None])
        doc.user_data.update({key: document[key] for key in ("doc_id", "source", "record", "title")})
        doc_bin.add(doc)
        report.documents += 1
    with _atomic_open(out, "wb") as handle:
        handle.write(doc_bin.to_bytes())
    return report


# -- CSV ------------------------------------------------------------------------------------------

ENTITY_COLUMNS = ["doc_id", "source", "text", "label", "start", "end", "orig_start", "orig_end",
                  "canonical", "confidence"]
KEYWORD_COLUMNS = ["doc_id", "source", "rank", "term", "score"]
TAG_COLUMNS = ["doc_id", "source", "tag", "evidence"]


def export_csv(run: Path, out: Path) -> ExportReport:
    """A folder with entities.csv (one row per entity), keywords.csv (one row per keyword, rank 1
    first) and, when the run has tags, tags.csv (evidence joined by `; `)."""
    report = ExportReport("csv")
    rows = documents(run)
    names = ["entities", "keywords", *(["tags"] if _has_tags(run) else [])]
    report.paths = [out / f"{name}.csv" for name in names]
    columns = {"entities": ENTITY_COLUMNS, "keywords": KEYWORD_COLUMNS, "tags": TAG_COLUMNS}
    with ExitStack() as files:
        writers = {}
        for name, path in zip(names, report.paths):
            writers[name] = csv.DictWriter(files.enter_context(_atomic_open(path, newline="")),
                                           fieldnames=columns[name], extrasaction="ignore")
            writers[name].writeheader()
        for document in rows:
            origin = {"doc_id": document["doc_id"], "source": document["source"]}
            writers["entities"].writerows({**origin, **entity} for entity in document["entities"])
            writers["keywords"].writerows({**origin, "rank": rank, **keyword}
                                          for rank, keyword in enumerate(document.get("keywords") or [], 1))
            if "tags" in writers:
                writers["tags"].writerows({**origin, "tag": tag["tag"], "evidence": "; ".join(tag["evidence"] or [])}
                                          for tag in document.get("tags") or [])
            report.documents += 1
    return report


def _has_tags(run: Path) -> bool:
    names = parts.list_parts(parts.stage_dir(run, "keywords"))
    return bool(names) and "tags" in pq.read_schema(parts.stage_dir(run, "keywords") / names[0]).names


# -- writing files whole or not at all ------------------------------------------------------------

@contextmanager
def _atomic_open(path: Path, mode: str = "w", newline: str | None = None) -> Iterator[IO]:
    """Write to a temporary sibling of `path`, moved over `path` only when writing succeeded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, mode, encoding=None if "b" in mode else "utf-8", newline=newline) as handle:
            yield handle
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
