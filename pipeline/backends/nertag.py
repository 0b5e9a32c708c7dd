"""Named-entity taggers behind one interface: a segmented sentence in, entity spans out.

The ner stage picks a backend by name (`get_tagger`); each backend is loaded once per process.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

from ..text.offsets import align_tokens
from .model_files import model_dir, require
from .wordseg import Word
from .neural_ner import NeuralTagger
from .names import (_GAZETTEER_MAX_SYLLABLES, gazetteer_tags, load_gazetteer,
                    normalize_token, spans_from_bio, spells_vietnamese, syllables_of)

Entity = tuple[int, int, str, float]  # start, end (offsets into the sentence), label, confidence


class EntityTagger(Protocol):
    name: str

    def checksum(self) -> str:
        """Identifies the model, so outputs made with another one are recomputed."""

    def tag(self, sentence: str, words: list[Word]) -> list[Entity]:
        """Entity spans of `sentence`, whose words the segment stage found."""


class UndertheseaTagger:
    """underthesea's CRF NER (trained on VLSP 2016); it segments the sentence itself."""

    name = "underthesea"

    def __init__(self) -> None:
        from underthesea import ner

        self._ner = ner

    def checksum(self) -> str:
        return self.model_checksum()

    @staticmethod
    def model_checksum() -> str:
        return f"underthesea-{version('underthesea')}"

    def tag(self, sentence: str, words: list[Word]) -> list[Entity]:
        rows = self._ner(sentence)
        spans = align_tokens(sentence, (row[0] for row in rows))
        tags = [row[-1] for row in rows]
        return [(s, e, label, float("nan")) for s, e, label in spans_from_bio(spans, tags)]


# --- vnpipe: our CRF over syllables, with the segmenter's word boundaries as features -------------

MODEL_DIR = model_dir("ner")
MODEL_FILE = "model.crfsuite"
GAZETTEER_FILE = "gazetteer.tsv"
LEXICON_FILE = "lexicon.tsv"  # entity names seen in the training data, written by `train`
CLUSTERS_FILE = "clusters.tsv"
LEARNED_NAMES_FILE = "learned_names.tsv"  # typed names learned from unlabeled text (Wikipedia, news)


@functools.lru_cache(maxsize=200_000)
def _syllable_facts(syllable: str) -> tuple[str, str, bool, str]:
    """(lower-case form, shape, looks Vietnamese, short shape) of one syllable."""
    norm = normalize_token(syllable)
    lower = norm.lower()
    shape = "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
                    for c in norm)
    short = re.sub(r"(.)\1+", r"\1", shape)
    return lower, shape if len(shape) <= 4 else short, spells_vietnamese(lower), short


def load_clusters(path: Path) -> dict[str, str]:
    """Lower-cased syllable to `coarse/fine` cluster ids, learned from unlabeled news."""
    if not Path(path).exists():
        return {}
    clusters = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        token, _, cluster = line.partition("\t")
        clusters[token] = cluster
    return clusters


# Words that head or precede a name and say what kind it is (lower case, syllables spaced). A
# capitalised run of syllables gets the class of the cue just before it and of its own first words:
# `công ty cổ phần Vinamilk`, `Ngân hàng Nhà nước`, `tỉnh Quảng Nam`, `ca sĩ Mỹ Tâm`.
CUES = {
    "ORG": """công ty|tập đoàn|tổng công ty|ngân hàng|bộ|sở|ủy ban|ubnd|hđnd|trường|đại học|học viện|báo|
        tờ báo|đài|viện|hội|hiệp hội|liên đoàn|câu lạc bộ|clb|đội|đội tuyển|đảng|quỹ|bệnh viện|ban|cục|tổng cục|
        chi cục|phòng|tòa án|tand|viện kiểm sát|vks|vksnd|công an|ctcp|tnhh|cổ phần|hãng|trung tâm|
        nhà máy|xí nghiệp|tổ chức|liên minh|hợp tác xã|htx|doanh nghiệp|startup|nhà băng|nhóm|tòa soạn|
        tạp chí|đài truyền hình|kênh|mặt trận|đoàn|chi nhánh|văn phòng|quân đội|quân khu|bộ tư lệnh|
        sư đoàn|lữ đoàn|trung đoàn|tiểu đoàn|thông tấn xã|ttxvn|hãng tin|cơ quan|nhà xuất bản|nxb|
        tổng liên đoàn|ủy ban nhân dân|hội đồng|tỉnh ủy|thành ủy|huyện ủy|quốc hội|chính phủ|group|corp|inc|
        jsc|bank|university|club|fc""",
    "LOC": """tỉnh|thành phố|tp|tp.|huyện|quận|xã|phường|thị xã|thị trấn|thôn|ấp|bản|làng|xóm|khu|sông|
        núi|hồ|biển|vịnh|đảo|đường|phố|ngõ|hẻm|cầu|chợ|sân bay|cảng|nước|quốc gia|thủ đô|miền|vùng|châu|
        bang|đèo|suối|eo biển|quần đảo|thung lũng|cao nguyên|đồng bằng|khu vực|địa bàn|quê|
        tại|ở|đến|từ|sang|về""",
    "PER": """ông|bà|anh|chị|em|cô|chú|bác|cháu|cụ|bé|cậu|mợ|dì|thím|ngài|chủ tịch|giám đốc|tổng giám đốc|
        bộ trưởng|thứ trưởng|thủ tướng|tổng thống|phó|trưởng|ca sĩ|nghệ sĩ|nhạc sĩ|họa sĩ|nhà văn|nhà thơ|
        cầu thủ|hlv|huấn luyện viên|tiền vệ|tiền đạo|hậu vệ|thủ môn|võ sĩ|vđv|vận động viên|bác sĩ|bs|
        giáo sư|gs|ts|tiến sĩ|pgs|thạc sĩ|ths|luật sư|ls|đại tá|thượng tá|trung tá|thiếu tá|đại úy|
        thượng úy|trung úy|thiếu úy|tướng|trung tướng|thiếu tướng|đại tướng|thượng tướng|đồng chí|
        bị cáo|bị can|nghi phạm|đối tượng|chồng|vợ|con|mẹ|cha|bố|ceo|sếp|nhà sáng lập|tỷ phú|tỉ phú|
        doanh nhân|phóng viên|pv|người phát ngôn""",
}
_CUES = {tuple(normalize_token(c.strip()).split()): label for label, text in CUES.items()
         for c in text.split("|") if c.strip()}
_CUE_MAX = max(len(c) for c in _CUES)


def _cue_at_end(lowers: list[str], end: int) -> tuple[str, str]:
    """The longest cue word that ends just before syllable `end`: (class, the cue) or ('', '')."""
    for length in range(min(_CUE_MAX, end), 0, -1):
        cue = tuple(lowers[end - length:end])
        if cue in _CUES:
            return _CUES[cue], "_".join(cue)
    return "", ""


def _cue_at_start(lowers: list[str], start: int, stop: int) -> str:
    """Class of the longest cue word that starts at syllable `start` and ends by `stop`."""
    for length in range(min(_CUE_MAX, stop - start), 0, -1):
        cue = tuple(lowers[start:start + length])
        if cue in _CUES:
            return _CUES[cue]
    return ""


def _capital_runs(texts: list[str]) -> list[tuple[int, int] | None]:
    """For each syllable, the (start, end) of the run of capitalised syllables it is in."""
    runs: list[tuple[int, int] | None] = [None] * len(texts)
    i = 0
    while i < len(texts):
        if texts[i][:1].isupper() or (texts[i][:1].isdigit() and any(c.isalpha() for c in texts[i])):
            j = i
            while j + 1 < len(texts) and (texts[j + 1][:1].isupper() or texts[j + 1][:1].isdigit()):
                j += 1
            for k in range(i, j + 1):
                runs[k] = (i, j + 1)
            i = j + 1
        else:
            i += 1
    return runs


def sentence_features(sentence: str, words: list[Word], gazetteer: dict[tuple[str, ...], str],
                      clusters: dict[str, str], context: dict[tuple[str, ...], str] | None = None,
                      learned: dict[tuple[str, ...], str] | None = None, version: int = 1
                      ) -> tuple[list[tuple[int, int]], list[list[str]]]:
    """Syllable spans of the sentence and the CRF features of each syllable.

    Only surface evidence available at run time: syllable and word forms, shapes, the word
    boundaries the segmenter found, gazetteer matches, word clusters, cue words before runs of
    capitalised syllables (`CUES`) and, when given, the names found in the rest of the document
    (`context`, name syllables -> label). No POS, so the model does not depend on one tagger's tag set.
    `version` 2 (models/ner-unseen) adds the typed names learned from unlabeled text (`learned`),
    2- and 4-character affixes of foreign syllables and every cluster granularity; version 1 is the
    feature set of the default model (models/ner).
    """
    syllables = syllables_of(sentence, words)
    texts = [normalize_token(sentence[s:e]) for s, e, _, _ in syllables]
    facts = [_syllable_facts(t) for t in texts]
    word_forms = {}
    for (s, e, w, _), text in zip(syllables, texts):
        word_forms.setdefault(w, []).append(text)
    word_lower = {w: "_".join(parts).lower() for w, parts in word_forms.items()}
    word_order = sorted(word_forms)
    word_rank = {w: r for r, w in enumerate(word_order)}
    gaz = gazetteer_tags(texts, gazetteer)
    doc = gazetteer_tags(texts, context) if context else None
    known = gazetteer_tags(texts, learned) if learned else None
    n = len(syllables)
    lowers = [f[0] for f in facts]
    runs = _capital_runs(texts)
    run_facts: dict[tuple[int, int], list[str]] = {}
    for run in set(r for r in runs if r):
        start, end = run
        cue_class, cue = _cue_at_end(lowers, start)
        if not cue_class:  # a cue a word further back: `công ty cổ phần X`, `ông Phó chủ tịch X`
            for back in range(1, 4):
                cue_class, cue = _cue_at_end(lowers, start - back) if start - back > 0 else ("", "")
                if cue_class:
                    cue = f"{cue}+{back}"
                    break
        head = _cue_at_start(lowers, start, end)
        length = min(end - start, 5)
        run_facts[run] = [f"rcue={cue_class}", f"rcw={cue}", f"rhead={head}", f"rhead|len={head}|{length}",
                          f"rcue|head={cue_class}|{head}", f"rfirst={lowers[start]}", f"rlast={lowers[end - 1]}",
                          f"rcue|first={cue_class}|{int(start == 0)}"]

    def lower(i: int) -> str:
        return facts[i][0] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

    features = []
    for i, (_, _, w, place) in enumerate(syllables):
        low, shape, vietnamese, short = facts[i]
        rank = word_rank[w]
        word = word_lower[w]
        prev_word = word_lower[word_order[rank - 1]] if rank > 0 else "<s>"
        next_word = word_lower[word_order[rank + 1]] if rank + 1 < len(word_order) else "</s>"
        prev2 = word_lower[word_order[rank - 2]] if rank > 1 else "<s>"
        next2 = word_lower[word_order[rank + 2]] if rank + 2 < len(word_order) else "</s>"
        row = [
            "bias", f"s={low}", f"sh={shape}", f"wp={place}", f"w={word}", f"vn={int(vietnamese)}",
            f"s-1={lower(i - 1)}", f"s+1={lower(i + 1)}", f"s-2={lower(i - 2)}", f"s+2={lower(i + 2)}",
            f"s-1|s={lower(i - 1)}|{low}", f"s|s+1={low}|{lower(i + 1)}",
            f"s-2|s-1={lower(i - 2)}|{lower(i - 1)}", f"s+1|s+2={lower(i + 1)}|{lower(i + 2)}",
            f"w-1={prev_word}", f"w+1={next_word}", f"w-2={prev2}", f"w+2={next2}",
            f"w-1|w={prev_word}|{word}", f"w|w+1={word}|{next_word}",
            f"wshape={'_'.join(_syllable_facts(t)[3] for t in word_forms[w])}",
            f"gz={gaz[i]}", f"gz-1={gaz[i - 1] if i else '<s>'}", f"gz+1={gaz[i + 1] if i + 1 < n else '</s>'}",
            f"gz|sh={gaz[i]}|{short}", f"gz|first={gaz[i]}|{int(i == 0)}",
        ]
        if i == 0:
            row.append("first")
        if not vietnamese and len(low) > 3:
            row += [f"p3={low[:3]}", f"x3={low[-3:]}"]
            if version >= 2:
                row += [f"p2={low[:2]}", f"x2={low[-2:]}"]
                if len(low) > 4:
                    row += [f"p4={low[:4]}", f"x4={low[-4:]}"]
        if known is not None and version >= 2:
            row += [f"ln={known[i]}", f"ln|sh={known[i]}|{short}", f"ln|gz={known[i]}|{gaz[i]}"]
        for d in (-1, 1):
            j = i + d
            if 0 <= j < n:
                row.append(f"sh{d:+d}={facts[j][3]}")
                row.append(f"vn{d:+d}={int(facts[j][2])}")
        run = runs[i]
        if run:
            start, end = run
            place_in_run = "S" if end - start == 1 else "B" if i == start else "E" if i == end - 1 else "I"
            row += [f"{fact}|{place_in_run}" for fact in run_facts[run]]
        else:
            row.append("norun")
        if doc is not None and doc[i] != "O":
            row += [f"dc={doc[i]}", f"dc|sh={doc[i]}|{short}", f"dc|gz={doc[i]}|{gaz[i]}"]
        cluster = clusters.get(low)
        if cluster and version >= 2:  # `coarse/.../fine` ids: one feature per granularity
            levels = cluster.split("/")
            row += [f"c={cluster}", *(f"c{k}={level}" for k, level in enumerate(levels[:-1]))]
        elif cluster:
            row += [f"c={cluster}", f"cc={cluster.partition('/')[0]}"]
        for d in (-1, 1):
            neighbour = clusters.get(lower(i + d)) if clusters else None
            if neighbour:
                row.append(f"c{d:+d}={neighbour}")
                if version >= 2:
                    row.append(f"cc{d:+d}={neighbour.partition('/')[0]}")
        features.append(row)
    return [(s, e) for s, e, _, _ in syllables], features


class VnpipeTagger:
    """Our CRF (VLSP 2016 + 2018 train), tagging syllables with word-boundary and gazetteer features.

    The names it looks up are those of the training data (`lexicon.tsv`), then the hand-written
    `gazetteer.tsv`, then `gazetteer_paths` (user lists, name<TAB>label); later lists win. A match is
    evidence the model weighs, not an overwrite. `tag_document` tags a whole document in two passes,
    so a name is tagged alike in all its sentences (see models/ner/MODEL_CARD.md).
    """

    name = "vnpipe"

    def __init__(self, model_dir: Path = MODEL_DIR, gazetteer_paths: Iterable[Path] = (),
                 gazetteer: bool = True) -> None:
        """`gazetteer=False` leaves out the hand-written `gazetteer.tsv`, so scores show what the model
        does with the names of its training data (`lexicon.tsv`) and its own features alone."""
        import pycrfsuite

        model_dir = Path(model_dir)
        model_path = model_dir / MODEL_FILE
        require(model_path)
        self.model_dir = model_dir
        hand_written = [model_dir / GAZETTEER_FILE] if gazetteer else []
        names = [model_dir / LEXICON_FILE, *hand_written, *map(Path, gazetteer_paths)]
        self._paths = [model_path, *(path for path in names[:1] if path.exists()), *names[1:]]
        self.gazetteer = load_gazetteer(self._paths[1:])
        self.clusters = load_clusters(model_dir / CLUSTERS_FILE)
        if self.clusters:
            self._paths.append(model_dir / CLUSTERS_FILE)
        summary_path = model_dir / "training.json"
        summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
        self.features = summary.get("features", 1)  # which `sentence_features` the model was trained with
        learned_path = model_dir / LEARNED_NAMES_FILE
        self.learned = load_gazetteer([learned_path]) if self.features >= 2 and learned_path.exists() else None
        if self.learned is not None:
            self._paths.append(learned_path)
        assert self._paths == self.model_files(model_dir, gazetteer_paths, gazetteer)  # one list, two readers
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))
        self._checksum = self.model_checksum(model_dir, gazetteer_paths, gazetteer)

    @staticmethod
    def model_files(model_dir: Path = MODEL_DIR, gazetteer_paths: Iterable[Path] = (),
                    gazetteer: bool = True) -> list[Path]:
        """The model and every name list and cluster file the tagger reads (what its checksum covers)."""
        model_dir = Path(model_dir)
        hand_written = [model_dir / GAZETTEER_FILE] if gazetteer else []
        names = [model_dir / LEXICON_FILE, *hand_written, *map(Path, gazetteer_paths)]
        paths = [model_dir / MODEL_FILE, *(path for path in names[:1] if path.exists()), *names[1:]]
        clusters = model_dir / CLUSTERS_FILE
        if clusters.exists() and clusters.read_text(encoding="utf-8").splitlines():  # as load_clusters finds any
            paths.append(clusters)
        if (model_dir / LEARNED_NAMES_FILE).exists():
            paths.append(model_dir / LEARNED_NAMES_FILE)
        return paths

    @classmethod
    def model_checksum(cls, model_dir: Path = MODEL_DIR, gazetteer_paths: Iterable[Path] = (),
                       gazetteer: bool = True) -> str:
        """The checksum of the files the tagger reads, without loading it (a run with nothing to do
        decides so from checksums alone)."""
        digest = hashlib.sha256()
        for path in cls.model_files(model_dir, gazetteer_paths, gazetteer):
            digest.update(path.read_bytes())
        return f"vnpipe-ner-{digest.hexdigest()[:16]}"

    def checksum(self) -> str:
        return self._checksum

    def tag(self, sentence: str, words: list[Word],
            context: dict[tuple[str, ...], str] | None = None) -> list[Entity]:
        """Entities of one sentence; `context` maps names found elsewhere in its document to labels."""
        spans, features = sentence_features(sentence, words, self.gazetteer, self.clusters, context, self.learned,
                                            self.features)
        if not spans:
            return []
        self._tagger.set(features)
        tags = self._tagger.tag()
        entities = []
        index = 0
        for start, end, label in spans_from_bio(spans, tags):
            while spans[index][0] != start:
                index += 1
            first = index
            while spans[index][1] != end:
                index += 1
            # Probability that each syllable carries this entity's tag, averaged over its syllables.
            probability = sum(self._tagger.marginal(tags[k], k) for k in range(first, index + 1))
            entities.append((start, end, label, round(probability / (index + 1 - first), 4)))
        return entities

    def tag_document(self, sentences: list[tuple[str, list[Word]]], window: int | None = None
                     ) -> list[list[Entity]]:
        """Entities of the sentences of one document, in two passes.

        The first pass tags each sentence alone; the second tags it again knowing the names the
        first pass found in the other sentences (all of them, or the `window` sentences on either
        side), so a name is tagged alike across the document: `Được` after `anh Trần Văn Được`.
        """
        first = [self.tag(sentence, words) for sentence, words in sentences]
        found = [document_names(sentence, entities) for (sentence, _), entities in zip(sentences, first)]
        # The whole document: counted once, each sentence's own names left out when it is tagged, so
        # the cost is linear in the number of sentences (a window costs `window` sentences each).
        everywhere = DocumentNames(found) if window is None else None
        results = []
        for index, ((sentence, words), entities) in enumerate(zip(sentences, first)):
            if everywhere is not None:
                context = everywhere.without(index)
            else:
                context = names_context(found[max(0, index - window):index] + found[index + 1:index + window + 1])
            results.append(self.tag(sentence, words, context) if _mentions(sentence, words, context) else entities)
        return results


def _mentions(sentence: str, words: list[Word], context) -> bool:
    """Whether a name of `context` occurs in the sentence: if none does, the context adds no
    feature and the second pass would tag the sentence as the first did."""
    if not context:
        return False
    texts = [normalize_token(sentence[s:e]) for s, e, _, _ in syllables_of(sentence, words)]
    return any(tag != "O" for tag in gazetteer_tags(texts, context))


def document_names(sentence: str, entities: Iterable[tuple]) -> list[tuple[tuple[str, ...], str]]:
    """(name syllables, label) of a sentence's entities, as the context of its neighbours sees them."""
    names = []
    for start, end, label, *_ in entities:
        name = tuple(normalize_token(sentence[start:end]).split())
        # A name starts and ends with a letter or digit (gold sometimes tags a lone quote).
        if 0 < len(name) <= _GAZETTEER_MAX_SYLLABLES and name[0][0].isalnum() and name[-1][-1].isalnum():
            names.append((name, label))
    return names


def names_context(groups: Iterable[list[tuple[tuple[str, ...], str]]]) -> dict[tuple[str, ...], str]:
    """Each name's most frequent label in the other sentences (ties: first seen)."""
    counts: dict[tuple[str, ...], dict[str, int]] = {}
    for names in groups:
        for name, label in names:
            labels = counts.setdefault(name, {})
            labels[label] = labels.get(label, 0) + 1
    return {name: max(labels, key=labels.get) for name, labels in counts.items()}


class DocumentNames:
    """The names of every sentence of a document, counted once; `without(k)` is what
    `names_context` gives for all the sentences but sentence k, worked out only for the names
    looked up (so a 60,000-sentence document costs its names once, not once per sentence)."""

    def __init__(self, found: list[list[tuple[tuple[str, ...], str]]]) -> None:
        self.found = found
        self.counts: dict[tuple[str, ...], dict[str, int]] = {}
        # Where each (name, label) was first seen, and first seen in a later sentence than that:
        # the tie-break of names_context (first seen) once one sentence is left out.
        self.first: dict[tuple[tuple[str, ...], str], tuple[int, int]] = {}
        self.second: dict[tuple[tuple[str, ...], str], tuple[int, int]] = {}
        for index, names in enumerate(found):
            for position, (name, label) in enumerate(names):
                labels = self.counts.setdefault(name, {})
                labels[label] = labels.get(label, 0) + 1
                key = (name, label)
                seen = self.first.setdefault(key, (index, position))
                if seen[0] != index:
                    self.second.setdefault(key, (index, position))
        self.total = sum(len(names) for names in found)
        self.best = {name: max(labels, key=labels.get) for name, labels in self.counts.items()}

    def without(self, index: int) -> "_NamesElsewhere":
        return _NamesElsewhere(self, index)


class _NamesElsewhere:
    """names_context of every sentence of a document but one, looked up name by name."""

    def __init__(self, document: DocumentNames, index: int) -> None:
        self.document, self.index = document, index
        self.own: dict[tuple[str, ...], dict[str, int]] = {}
        for name, label in document.found[index]:
            labels = self.own.setdefault(name, {})
            labels[label] = labels.get(label, 0) + 1
        self.size = document.total - len(document.found[index])

    def __bool__(self) -> bool:
        return self.size > 0

    def get(self, name: tuple[str, ...], default: str | None = None) -> str | None:
        own = self.own.get(name)
        if own is None:
            return self.document.best.get(name, default)
        document = self.document
        remaining = [(count - own.get(label, 0), label)
                     for label, count in document.counts[name].items() if count > own.get(label, 0)]
        if not remaining:
            return default
        most = max(count for count, _ in remaining)

        def first_seen(label: str) -> tuple[int, int]:
            seen = document.first[(name, label)]
            return seen if seen[0] != self.index else document.second[(name, label)]

        return min((label for count, label in remaining if count == most), key=first_seen)

    def as_dict(self) -> dict[tuple[str, ...], str]:
        """Every name and its label (for tests and inspection; tagging only looks names up)."""
        found = {}
        for name in self.document.counts:
            label = self.get(name)
            if label is not None:
                found[name] = label
        return found


# The CRF trained for names never seen in training (models/ner-unseen/MODEL_CARD.md).
UNSEEN_MODEL_DIR = model_dir("ner-unseen")


class VnpipeUnseenTagger(VnpipeTagger):
    """Our CRF with names learned from unlabeled text, clusters from Wikipedia and news, and mention
    replacement in training: more recall on names it never saw, a little less F1 overall, slower."""

    name = "vnpipe-unseen"

    def __init__(self, model_dir: Path = UNSEEN_MODEL_DIR, gazetteer_paths: Iterable[Path] = (),
                 gazetteer: bool = True) -> None:
        super().__init__(model_dir, gazetteer_paths, gazetteer)


BACKENDS = {"vnpipe": VnpipeTagger, "vnpipe-unseen": VnpipeUnseenTagger, "vnpipe-neural": NeuralTagger,
            "underthesea": UndertheseaTagger}
# The neural tagger finds more of the names it never saw (models/ner-neural/MODEL_CARD.md); the CRFs stay
# selectable for one release.
DEFAULT_TAGGER = "vnpipe-neural"


def tagger_checksum(name: str = DEFAULT_TAGGER) -> str:
    """What `get_tagger(name).checksum()` says, from the files alone (loads no model)."""
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown NER tagger {name!r}; choose one of {', '.join(BACKENDS)}") from None
    model_dir = inspect.signature(backend).parameters.get("model_dir")  # each backend's own default folder
    return backend.model_checksum() if model_dir is None else backend.model_checksum(model_dir.default)


def get_tagger(name: str = DEFAULT_TAGGER, gazetteer: bool = True) -> EntityTagger:
    """The entity tagger called `name`, loaded once per process; `gazetteer=False` (ours only)
    leaves the hand-written name list out."""
    return _load_tagger(name, gazetteer)


@functools.cache
def _load_tagger(name: str, gazetteer: bool = True) -> EntityTagger:
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown NER tagger {name!r}; choose one of {', '.join(BACKENDS)}") from None
    if gazetteer:
        return backend()
    if backend is UndertheseaTagger:
        raise ValueError("the underthesea tagger has no gazetteer to switch off; drop --no-gazetteer")
    return backend(gazetteer=False)
