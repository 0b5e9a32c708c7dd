"""Trains our NER model for unseen names (`models/ner-unseen`) from VLSP 2016 and 2018 train.

The default model (`models/ner`, feature version 1) was trained by this module as of commit f872abe;
this recipe (feature version 2) adds names learned from unlabeled text, clusters from VNTC and
Wikipedia at three granularities and mention replacement with learned and made-up names.

VLSP 2016 train comes with gold words; VLSP 2018 train is syllable-level, so its words come
from a segmenter. The CRF tags syllables, so an entity need not line up with a word.
"""
from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections import Counter
from pathlib import Path

from ..backends.names import TEXT_TOKEN, load_gazetteer, normalize_token
from ..backends.nertag import (CLUSTERS_FILE, GAZETTEER_FILE, LEARNED_NAMES_FILE, LEXICON_FILE, MODEL_FILE,
                               UNSEEN_MODEL_DIR, document_names, load_clusters, names_context, sentence_features)
from ..backends.nertag.features import _syllable_facts
from ..evaluate.ner import DOCUMENT_WINDOW, SHARED_EVAL_DIR, GoldSentence, read_conll, score
from ..backends.wordseg import get_segmenter

DEFAULT_EVAL_DIR = SHARED_EVAL_DIR
TRAIN_FILES = ("vlsp2016/word/train.conll", "vlsp2018/syllable/train.conll")
AUGMENT_EVERY = 3  # one in 3 train sentences with an entity also appears with other names of the same label
FEATURES = 2  # the `sentence_features` version this recipe trains (1: the default model, models/ner)
SYNTHETIC_NAMES = 400  # made-up foreign names per label in the replacement pool
FOLDS = 5  # the names a training sentence sees come from the other folds, as unseen text would
WINDOW = 8  # training context: the gold names of up to 8 sentences on either side (VLSP has no document ids)
CONTEXT_DROPOUT = 4  # one in 4 training sentences sees no context, as a sentence tagged alone
SETTINGS = {"algorithm": "lbfgs", "c1": 0.1, "c2": 0.02, "max_iterations": 120,
            "feature.possible_transitions": True}


def syllable_labels(spans: list[tuple[int, int]], entities: list[tuple[int, int, str]]) -> list[str]:
    """BIO tag of each syllable span from character-span entities."""
    labels = ["O"] * len(spans)
    for start, end, label in entities:
        for k, (s, e) in enumerate(spans):
            if s >= start and e <= end:
                labels[k] = ("B-" if s == start else "I-") + label
    return labels


def load_training_data(eval_dir: Path, segmenter_name: str) -> dict[str, list[GoldSentence]]:
    """Train sentences per file, each with words (gold, or from `segmenter_name`)."""
    corpora = {}
    segmenter = get_segmenter(segmenter_name)
    for name in TRAIN_FILES:
        sentences = read_conll(Path(eval_dir) / name)
        for sentence in sentences:
            if sentence.words is None:
                sentence.words = segmenter.segment(sentence.text)
        corpora[name] = sentences
    return corpora


def entity_names(sentences: list[GoldSentence]) -> Counter:
    """How often each (name syllables, label) pair is an entity in `sentences`."""
    counts: Counter = Counter()
    for sentence in sentences:
        for start, end, label in sentence.entities:
            name = tuple(normalize_token(sentence.text[start:end]).split())
            # A name starts and ends with a letter or digit (gold sometimes tags a lone quote).
            if 0 < len(name) <= 6 and name[0][0].isalnum() and name[-1][-1].isalnum():
                counts[name, label] += 1
    return counts


def lexicon_of(counts: Counter) -> dict[tuple[str, ...], str]:
    """Each name's most frequent label (ties: alphabetical, so the result is deterministic)."""
    best: dict[tuple[str, ...], tuple[int, str]] = {}
    for (name, label), count in counts.items():
        if name not in best or (count, label) > best[name]:
            best[name] = (count, label)
    return {name: label for name, (_, label) in sorted(best.items())}


_ONSETS = "b br c ch d dr f g gr h j k kl l m n p pr qu r s sh st t th tr v w z".split()
_NUCLEI = "a e i o u y ai au ea ee ei ia io oo ou".split()
_CODAS = ["", "", "n", "r", "s", "l", "m", "x", "k", "ck", "nd", "rt", "st", "th", "ng"]
_ORG_SUFFIXES = ["", "", "", "Labs", "Group", "FC", "Inc.", "Technologies", "Media", "Capital", "United",
                 "Systems", "Records", "Motors", "Airlines", "Bank", "AI", "Studio", "Network", "Games"]


def synthetic_names(count: int = SYNTHETIC_NAMES, seed: int = 0) -> dict[str, list[str]]:
    """Made-up foreign-looking names per label (`Brelox Labs`, `Dreana Kolst`, `VKX`), so mention
    replacement shows names whose form says nothing and whose label only the context gives."""
    rng = random.Random(seed)

    def word(syllables: int) -> str:
        open_syllables = "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(syllables - 1))
        return (open_syllables + rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)).capitalize()

    def acronym() -> str:
        return "".join(rng.choice("ABCDEFGHIKLMNPRSTVWXZ") for _ in range(rng.choice((2, 3, 3, 4))))

    names = {"PER": [], "ORG": [], "LOC": []}
    for _ in range(count):
        names["PER"].append(f"{word(rng.choice((1, 2, 2, 3)))} {word(rng.choice((1, 2, 2, 3)))}")
        suffix = rng.choice(_ORG_SUFFIXES)
        head = acronym() if rng.random() < 0.3 else word(rng.choice((1, 2, 2, 3)))
        names["ORG"].append(f"{head} {suffix}".strip())
        names["LOC"].append(word(rng.choice((2, 2, 3))))
    return names


def replacement_names(*name_lists: dict[tuple[str, ...], str], synthetic: bool = True) -> dict[str, list[str]]:
    """The pool of names per label that mention replacement draws from (sorted, so runs repeat)."""
    pool: dict[str, set[str]] = {}
    for names in name_lists:
        for name, label in names.items():
            pool.setdefault(label, set()).add(" ".join(name))
    if synthetic:
        for label, made_up in synthetic_names().items():
            pool.setdefault(label, set()).update(made_up)
    return {label: sorted(names) for label, names in pool.items()}


def with_replaced_names(sentences: list[GoldSentence], names: dict[str, list[str]],
                        seed: int = 0) -> list[GoldSentence]:
    """Copies of some sentences whose entities are swapped for other names of the same label.

    The pool (`replacement_names`) holds the gazetteer, the names learned from unlabeled text and
    made-up foreign names, few of which VLSP has; the copies teach the model to read the context
    (`đội`, `CLB`, `ca sĩ`, `tỉnh`) rather than memorise names. Only entities that are whole words
    are swapped; each becomes one word.
    """
    rng = random.Random(seed)
    copies = []
    for k, sentence in enumerate(sentences):
        if k % AUGMENT_EVERY or not any(label in names for _, _, label in sentence.entities):
            continue
        starts = {s for s, _, _ in sentence.words}
        ends = {e for _, e, _ in sentence.words}
        swaps = {(s, e): rng.choice(names[label]) for s, e, label in sentence.entities
                 if label in names and s in starts and e in ends}
        if not swaps:
            continue
        pieces, position, shift, moved = [], 0, 0, {}
        for (s, e), name in sorted(swaps.items()):
            pieces += [sentence.text[position:s], name]
            moved[s, e] = (s + shift, s + shift + len(name))
            shift += len(name) - (e - s)
            position = e
        pieces.append(sentence.text[position:])

        def new_offset(i: int) -> int:
            return i + sum(len(name) - (e - s) for (s, e), name in swaps.items() if e <= i)

        words = [(new_offset(s), new_offset(e), pos) for s, e, pos in sentence.words
                 if not any(a <= s and e <= b for a, b in swaps)]
        words += [(a, b, "") for a, b in moved.values()]
        entities = [(*moved[s, e], label) if (s, e) in moved else (new_offset(s), new_offset(e), label)
                    for s, e, label in sentence.entities]
        copies.append(GoldSentence("".join(pieces), sorted(words), entities))
    return copies


def training_contexts(sentences: list[GoldSentence], originals: int) -> list[dict | None]:
    """The document context of each training sentence: gold names of the WINDOW sentences on either
    side (consecutive sentences come from one article). Gazetteer copies (after `originals`) and one
    sentence in CONTEXT_DROPOUT see none, so the model also learns to tag a sentence alone."""
    names = [document_names(s.text, s.entities) for s in sentences[:originals]]
    contexts: list[dict | None] = []
    for k in range(len(sentences)):
        if k >= originals or k % CONTEXT_DROPOUT == CONTEXT_DROPOUT - 1:
            contexts.append(None)
            continue
        contexts.append(names_context(names[max(0, k - WINDOW):k] + names[k + 1:k + WINDOW + 1]) or None)
    return contexts


def split(sentences: list, holdout: float) -> tuple[list, list]:
    """The first part to train on and the last `holdout` fraction held out (documents stay together)."""
    cut = len(sentences) - int(len(sentences) * holdout)
    return sentences[:cut], sentences[cut:]


def train(out_dir: Path = UNSEEN_MODEL_DIR, eval_dir: Path = DEFAULT_EVAL_DIR, segmenter_name: str = "underthesea",
          holdout: float = 0.0, settings: dict | None = None, corpora: dict | None = None) -> dict:
    """Train the CRF into `out_dir/model.crfsuite` and return a summary.

    With `holdout` > 0 the last fraction of each train file is held out and scored (for tuning),
    sentence by sentence and with document context (`tag_document`, DOCUMENT_WINDOW sentences);
    0 reproduces the shipped model. Training is deterministic (L-BFGS, fixed data order).
    Document context in training: the gold names of the WINDOW sentences on either side
    (`training_contexts`); `corpora` (as `load_training_data` returns) skips segmenting again.
    The gazetteer, clusters and learned names are read from `out_dir` (or the shipped ones when
    missing); clusters or learned names missing there are built from the unlabeled corpora first
    (`build_clusters`, `build_learned_names`: VNTC and viwiki in ../shared/corpora).
    """
    import pycrfsuite

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = {**SETTINGS, **(settings or {})}
    resources = out_dir if (out_dir / GAZETTEER_FILE).exists() else UNSEEN_MODEL_DIR
    if not (resources / CLUSTERS_FILE).exists():
        build_clusters(resources / CLUSTERS_FILE)
    if not (resources / LEARNED_NAMES_FILE).exists():
        build_learned_names(resources / LEARNED_NAMES_FILE)
    gazetteer = load_gazetteer([resources / GAZETTEER_FILE])
    clusters = load_clusters(resources / CLUSTERS_FILE)
    learned = load_gazetteer([resources / LEARNED_NAMES_FILE])
    if resources != out_dir:  # the tagger reads them next to the model
        for name in (GAZETTEER_FILE, CLUSTERS_FILE, LEARNED_NAMES_FILE):
            shutil.copyfile(resources / name, out_dir / name)
    pool = replacement_names(gazetteer, learned)
    started = time.perf_counter()
    corpora = corpora or load_training_data(eval_dir, segmenter_name)
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.select(settings["algorithm"])
    trainer.set_params({k: v for k, v in settings.items() if k != "algorithm"})
    held_out, counts, parts, originals = {}, {}, {}, {}
    for name, sentences in corpora.items():
        originals[name], held_out[name] = split(sentences, holdout)
        parts[name] = originals[name] + with_replaced_names(originals[name], pool)
        counts[name] = len(parts[name])
    # Jackknifed names: a sentence of fold k looks names up in what folds other than k saw, so the
    # model learns how far a match in the lexicon can be trusted on text it was not trained on.
    folds = {name: [k * FOLDS // len(part) for k in range(len(part))] for name, part in parts.items()}
    # Only the original sentences count: the copies' names come from the name lists, and counting
    # them would copy the gazetteer into the lexicon (so --no-gazetteer would switch nothing off).
    fold_counts = [Counter() for _ in range(FOLDS)]
    for name, part in parts.items():
        for fold in range(FOLDS):
            fold_counts[fold] += entity_names([s for k, (s, f) in enumerate(zip(part, folds[name]))
                                               if f == fold and k < len(originals[name])])
    all_counts = sum(fold_counts, Counter())
    contexts = {name: training_contexts(part, len(originals[name]))
                for name, part in parts.items()}
    for fold in range(FOLDS):
        lexicon = {**lexicon_of(all_counts - fold_counts[fold]), **gazetteer}
        for name, part in parts.items():
            for k, (sentence, sentence_fold) in enumerate(zip(part, folds[name])):
                if sentence_fold != fold:
                    continue
                spans, features = sentence_features(sentence.text, sentence.words, lexicon, clusters,
                                                    contexts[name][k], learned, FEATURES)
                if spans:
                    trainer.append(features, syllable_labels(spans, sentence.entities))
    full_lexicon = lexicon_of(all_counts)
    (out_dir / LEXICON_FILE).write_text(
        "# Entity names of the training data with their most frequent label; written by `vnpipe train ner`.\n"
        + "".join(f"{' '.join(name)}\t{label}\n" for name, label in full_lexicon.items()), encoding="utf-8")
    prepared = time.perf_counter()
    model_path = out_dir / MODEL_FILE
    trainer.train(str(model_path))
    finished = time.perf_counter()
    summary = {"model": model_path.name, "bytes": model_path.stat().st_size, "features": FEATURES, "settings": settings,
               "segmenter": segmenter_name, "train_files": list(corpora), "train_sentences": counts,
               "replacement_pool": {label: len(names) for label, names in sorted(pool.items())},
               "learned_names": len(learned), "clusters": len(clusters),
               "prepare_seconds": round(prepared - started, 1), "train_seconds": round(finished - prepared, 1),
               "iterations": trainer.logparser.last_iteration.get("num") if trainer.logparser.last_iteration else None}
    (out_dir / "training.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    if holdout:
        from ..backends.nertag import VnpipeTagger

        tagger = VnpipeTagger(out_dir)
        summary["holdout"] = {}
        for name, sentences in held_out.items():
            gold = [s.entities for s in sentences]
            alone = [[e[:3] for e in tagger.tag(s.text, s.words)] for s in sentences]
            in_context = [[e[:3] for e in entities] for entities in
                          tagger.tag_document([(s.text, s.words) for s in sentences], window=DOCUMENT_WINDOW)]
            summary["holdout"][name] = {"sentences": len(sentences)}
            for mode, predicted in (("sentence", alone), ("document", in_context)):
                result = score(gold, predicted)
                summary["holdout"][name][mode] = {"micro": result["micro"],
                                                  "f1": {k: v["f1"] for k, v in result["labels"].items()}}
    (out_dir / "training.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return summary


SHARED_CORPORA = SHARED_EVAL_DIR.parents[1] / "corpora"
UNLABELED = (SHARED_CORPORA / "vntc", SHARED_CORPORA / "viwiki")  # 2007 news; 2017 Wikipedia (foreign names)


def unlabeled_texts(corpus_dirs=UNLABELED):
    """The `text` of every record of the JSONL files in `corpus_dirs`, in a fixed order."""
    for corpus_dir in corpus_dirs:
        paths = sorted(Path(corpus_dir).glob("*.jsonl"))
        if not paths:
            raise FileNotFoundError(f"no *.jsonl files in {corpus_dir}; the NER resources are built from "
                                    "../shared/corpora/vntc and ../shared/corpora/viwiki")
        for path in paths:
            with open(path, encoding="utf-8") as lines:
                for line in lines:
                    yield json.loads(line)["text"]


def build_clusters(out_path: Path = UNSEEN_MODEL_DIR / CLUSTERS_FILE, corpus_dirs=UNLABELED,
                   vocabulary: int = 50_000, contexts: int = 3_000, dimensions: int = 100,
                   granularities: tuple[int, ...] = (64, 256, 1024)) -> dict:
    """Cluster frequent lower-cased syllables of unlabeled text by their neighbours.

    Each syllable is described by the positive PMI of its left and right neighbours (the
    `contexts` most frequent syllables), reduced by SVD and grouped by k-means at each of
    `granularities`; the file holds `syllable<TAB>coarse/.../fine`. Deterministic (fixed seeds).
    """
    import re
    from collections import Counter

    import numpy as np
    from scipy import sparse
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize


    token_pattern = re.compile(r"\w+", re.UNICODE)
    started = time.perf_counter()
    documents = []
    counts: Counter = Counter()
    for text in unlabeled_texts(corpus_dirs):
        tokens = [normalize_token(t).lower() for t in token_pattern.findall(text)]
        counts.update(tokens)
        documents.append(tokens)
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:vocabulary]]
    index = {w: i for i, w in enumerate(words)}
    rows, cols = [], []
    for tokens in documents:
        ids = [index.get(t, -1) for t in tokens]
        for a, b in zip(ids, ids[1:]):
            if a >= 0 and 0 <= b < contexts:
                rows.append(a), cols.append(contexts + b)  # right neighbour
            if b >= 0 and 0 <= a < contexts:
                rows.append(b), cols.append(a)  # left neighbour
    documents.clear()
    matrix = sparse.coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                               shape=(len(words), 2 * contexts)).tocsr()
    total = matrix.sum()
    row_sums = np.asarray(matrix.sum(axis=1)).ravel() + 1e-9
    col_sums = np.asarray(matrix.sum(axis=0)).ravel() + 1e-9
    matrix = matrix.tocoo()
    pmi = np.log(matrix.data * total / (row_sums[matrix.row] * col_sums[matrix.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (matrix.row[keep], matrix.col[keep])), shape=matrix.shape)
    vectors = normalize(TruncatedSVD(dimensions, random_state=0).fit_transform(ppmi))
    ids = [KMeans(k, n_init=1, random_state=0).fit_predict(vectors) for k in granularities]
    Path(out_path).write_text("".join(f"{w}\t{'/'.join(str(level[i]) for level in ids)}\n"
                                      for i, w in enumerate(words)), encoding="utf-8")
    return {"path": str(out_path), "syllables": len(words), "corpus_tokens": sum(counts.values()),
            "seconds": round(time.perf_counter() - started, 1)}


# Words that, just before a capitalised name in running text, say what it is. Stricter than
# nertag.CUES (no prepositions, no kinship words), since here they label names, not weigh evidence.
HARVEST_CUES = {
    "ORG": """công ty|tập đoàn|hãng|câu lạc bộ|clb|đội bóng|ban nhạc|nhóm nhạc|nhóm|ngân hàng|tổ chức|đảng|
        tờ báo|báo|tạp chí|trang|trang web|website|mạng xã hội|nhà mạng|hãng hàng không|hãng phim|đài|kênh|
        liên đoàn|hiệp hội|trường đại học|đại học|học viện|viện|bệnh viện|quỹ|startup|doanh nghiệp|
        đội tuyển|nhà sản xuất|hãng tin|thông tấn xã|tổng công ty|công ty con|nhà băng|siêu thị|quân đội""",
    "LOC": """thành phố|tỉnh|huyện|quận|xã|phường|thị trấn|thị xã|làng|sông|núi|hồ|đảo|quần đảo|bang|
        tiểu bang|thủ đô|vùng|quốc gia|nước|châu|biển|vịnh|sân bay|cảng|đường|phố|hạt|thủ phủ|đô thị""",
    "PER": """ông|bà|ca sĩ|nữ ca sĩ|nam ca sĩ|cầu thủ|tiền đạo|tiền vệ|hậu vệ|thủ môn|hlv|huấn luyện viên|
        tay vợt|diễn viên|nam diễn viên|nữ diễn viên|nhạc sĩ|nhà văn|nhà thơ|tổng thống|thủ tướng|
        ceo|tỷ phú|tỉ phú|doanh nhân|đạo diễn|danh thủ|võ sĩ|vận động viên|vđv|chủ tịch nước|
        người mẫu|anh|chị|nhà sáng lập|ngoại trưởng|giáo sư|tiến sĩ|bác sĩ|luật sư|
        ngôi sao|siêu sao|rapper|nghệ sĩ|họa sĩ|cựu tổng thống|thượng nghị sĩ|nghị sĩ""",
}
# Head words of Wikipedia first sentences ("X là một câu lạc bộ bóng đá ...") and the label of X.
FIRST_SENTENCE_TYPES = {
    "ORG": """công ty|tập đoàn|câu lạc bộ|đội tuyển|ban nhạc|nhóm nhạc|hãng|tổ chức|ngân hàng|trường|đại học|
        học viện|đảng|cơ quan|hiệp hội|liên đoàn|nhà sản xuất|kênh truyền hình|kênh|tờ báo|báo|tạp chí|
        website|trang web|mạng xã hội|nhà mạng|doanh nghiệp|đội bóng|nhà xuất bản|quỹ|viện|bệnh viện""",
    "PER": """ca sĩ|nữ ca sĩ|nam ca sĩ|cầu thủ|vận động viên|chính trị gia|diễn viên|nam diễn viên|nữ diễn viên|
        nhạc sĩ|tay vợt|cựu cầu thủ|cựu vận động viên|cựu tay vợt|tổng thống|vua|hoàng đế|doanh nhân|
        người mẫu|đạo diễn|kiến trúc sư|họa sĩ|tiểu thuyết gia|tỷ phú|nhà văn|nhà thơ|nhà soạn nhạc|
        nhà toán học|nhà vật lý|nhà hóa học|nhà khoa học|nhà triết học|nhà báo|nhà sử học|nhà kinh tế học|
        nhà sinh học|nhà thiên văn học|nhà phát minh|nhà sản xuất phim|nhà lãnh đạo|thủ tướng|rapper|
        nghệ sĩ|danh thủ|huấn luyện viên|võ sĩ|kỳ thủ|tướng""",
    "LOC": """thành phố|tỉnh|huyện|xã|phường|quốc gia|thủ đô|thủ phủ|tiểu bang|bang|đảo|quần đảo|sông|núi|
        hồ|vùng|đô thị|thị trấn|thị xã|làng|hạt|quận|nước|châu lục|lãnh thổ|dãy núi|eo biển|vịnh|biển|
        đại dương|sa mạc|cao nguyên|bán đảo|tỉnh lỵ""",
}
_MAX_NAME = 5


def _phrases(text: str) -> dict[tuple[str, ...], str]:
    return {tuple(normalize_token(c.strip()).split()): label for label, lines in text.items()
            for c in lines.split("|") if c.strip()}


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() or (token[:1].isdigit() and any(c.isalpha() for c in token))


def harvest_names(texts, cues: dict[tuple[str, ...], str]) -> Counter:
    """(name syllables, label) counts of capitalised runs right after a cue word (`ca sĩ Mỹ Tâm`)."""
    longest = max(len(c) for c in cues)
    counts: Counter = Counter()
    for text in texts:
        for line in text.split("\n"):
            tokens = [normalize_token(t) for t in TEXT_TOKEN.findall(line)]
            lowers = [t.lower() for t in tokens]
            i = 0
            while i < len(tokens):
                if not _is_capitalised(tokens[i]) or (i and _is_capitalised(tokens[i - 1])):
                    i += 1
                    continue
                j = i
                while j + 1 < len(tokens) and _is_capitalised(tokens[j + 1]) and j + 1 - i < _MAX_NAME:
                    j += 1
                # A capitalised cue opens the run (`CLB Arsenal`, `Tập đoàn FPT` is caught below): the
                # name is the rest. Elsewhere a run that starts a line is left out (capitalised anyway).
                label = None
                for length in range(min(longest, j - i), 0, -1):
                    label = cues.get(tuple(lowers[i:i + length]))
                    if label:
                        counts[tuple(tokens[i + length:j + 1]), label] += 1
                        break
                if i == 0 or label:
                    i = j + 1
                    continue
                # One Vietnamese-looking syllable is mostly a sentence-case term (`Chính phủ`), not a name.
                single = j == i and _syllable_facts(tokens[i])[2]
                for length in range(min(longest, i), 0, -1):
                    label = None if single else cues.get(tuple(lowers[i - length:i]))
                    if label:  # the cue starts the sentence or follows a lower-case word, not a name
                        before = i - length - 1
                        if before < 0 or not _is_capitalised(tokens[before]):
                            counts[tuple(tokens[i:j + 1]), label] += 1
                        break
                i = j + 1
    return counts


def first_sentence_names(corpus_dir: Path = SHARED_CORPORA / "viwiki") -> Counter:
    """(title syllables, label) from the first sentences of Wikipedia articles: `X là một câu lạc bộ ...`."""
    heads = _phrases(FIRST_SENTENCE_TYPES)
    longest = max(len(h) for h in heads)
    pattern = re.compile(r"^(?P<name>[^(,.:;]{1,80}?)\s*(?:\([^)]*\)\s*)?,?\s+(?:là|was)\s+"
                         r"(?:một|những|các|1)?\s*(?:trong\s+những\s+)?(?P<rest>.*)$")
    counts: Counter = Counter()
    for text in unlabeled_texts([corpus_dir]):
        match = pattern.match(text.split("\n", 1)[0])
        if not match:
            continue
        name = tuple(normalize_token(t) for t in TEXT_TOKEN.findall(match["name"]))
        rest = [normalize_token(t).lower() for t in TEXT_TOKEN.findall(match["rest"])[:longest + 1]]
        if rest[:1] == ["cựu"]:
            rest = rest[1:]
        if not name or len(name) > _MAX_NAME or not all(_is_capitalised(t) or not t[0].isalnum() for t in name[:1]):
            continue
        for length in range(min(longest, len(rest)), 0, -1):
            label = heads.get(tuple(rest[:length]))
            if label:
                counts[name, label] += 1
                break
    return counts


def build_learned_names(out_path: Path = UNSEEN_MODEL_DIR / LEARNED_NAMES_FILE, corpus_dirs=UNLABELED,
                        min_count: int = 2, purity: float = 0.75) -> dict:
    """Typed names learned from unlabeled text, written as `name<TAB>label`.

    Two sources: the subjects of Wikipedia first sentences with their type (`X là một ban nhạc` ->
    ORG; each worth `min_count` mentions) and capitalised runs right after a cue word in running
    text (`ca sĩ X`, `CLB X`, `tỉnh X`). A name is kept when seen at least `min_count` times and
    `purity` of them with one label. No NER gold is read.
    """
    started = time.perf_counter()
    counts = harvest_names(unlabeled_texts(corpus_dirs), _phrases(HARVEST_CUES))
    wiki = [d for d in corpus_dirs if Path(d).name == "viwiki"]
    titles = first_sentence_names(wiki[0]) if wiki else Counter()
    for key in titles:
        counts[key] += min_count
    by_name: dict[tuple[str, ...], Counter] = {}
    for (name, label), count in counts.items():
        by_name.setdefault(name, Counter())[label] += count
    kept = {}
    for name, labels in sorted(by_name.items()):
        label, count = labels.most_common(1)[0]
        if count >= min_count and count >= purity * sum(labels.values()) and name[-1][:1].isalnum():
            kept[name] = label
    Path(out_path).write_text(
        "# Typed names learned from unlabeled text (Vietnamese Wikipedia 2017 first sentences and cue words "
        "in VNTC news and Wikipedia); written by pipeline.train.ner.build_learned_names. Derived from Vietnamese "
        "Wikipedia contributors, CC BY-SA.\n" + "".join(f"{' '.join(n)}\t{l}\n" for n, l in kept.items()),
        encoding="utf-8")
    return {"path": str(out_path), "names": len(kept), "first_sentence_names": len(titles),
            "labels": dict(Counter(kept.values())), "seconds": round(time.perf_counter() - started, 1)}
