"""Training the vnpipe word segmenter and POS tagger (models/ws) from the shared gold train splits.

Deterministic: the same data and settings give the same model files.
"""
from __future__ import annotations

import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..evaluate.ws import gold_sentence, read_gold
from ..text.vietnamese import apply_tone_style
from ..backends.wordseg import MODEL_DIR, UndertheseaOpinion, pos_features, segment_features, syllable_forms, tokenize

SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval"

# Dictionary sources, stored as a bit mask per n-gram so the model learns how far to trust each.
TRAIN_WORDS, UNDERTHESEA_WORDS, PYVI_WORDS = 1, 2, 4


@dataclass
class Settings:
    segment_gold: tuple[str, ...] = ("ws/vlsp2016/train.txt", "ws/ud-vtb/train.txt", "ws/ud-vtb/dev.txt")
    pos_gold: str = "ner/vlsp2016/word/train.5col.conll"
    shared_dir: str = str(SHARED)
    folds: int = 5  # the train-word dictionary seen by each training sentence leaves out its own fold
    c1: float = 0.4  # the strongest L1 of {0.05, 0.15, 0.4, 1.0} within 0.05 dev F1 of the best (model 2.7 -> 1.4 MB)
    c2: float = 0.01
    max_iterations: int = 150
    pos_max_iterations: int = 100
    pos_c1: float = 0.5  # stronger L1 than the segmenter's keeps the POS model small
    min_common_count: int = 20
    with_pos: bool = True
    # Gold files whose person names are joined from the PER entities of their NER file (see join_person_names).
    person_names_from: dict = field(default_factory=lambda: {
        "ws/vlsp2016/train.txt": "ner/vlsp2016/word/train.5col.conll"})
    # Syllable pairs seen at least this often in training whose gold boundary disagrees with
    # underthesea's VLSP 2013 CRF at least this share of the time follow underthesea (see harmonize).
    # Chosen on dev (benchmarks/ws_dev.py): the most agreement with underthesea's conventions whose
    # VLSP 2016 held-out F1 stays >= 96.55; 0 turns harmonizing off.
    harmonize_min_count: int = 2
    harmonize_min_rate: float = 0.7
    harmonize_confident: bool = False  # experiment: follow underthesea wherever it is confident


def canonical(text: str) -> str:
    return apply_tone_style(unicodedata.normalize("NFC", text), "modern").lower()


def _bundled_word_lists() -> tuple[set[str], set[str]]:
    """Multi-syllable words of the dictionaries shipped inside the underthesea and pyvi wheels."""
    import pyvi
    import underthesea

    def read(path: Path) -> set[str]:
        words = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            word = " ".join(canonical(line).replace("_", " ").split())
            if 2 <= word.count(" ") + 1 <= 4:
                words.add(word)
        return words

    return (read(Path(underthesea.__file__).parent / "corpus" / "data" / "Viet74K.txt"),
            read(Path(pyvi.__file__).parent / "models" / "words.txt"))


def join_person_names(sentences: list[list[str]], ner_path: Path) -> list[list[str]]:
    """VLSP 2016 writes person names syllable by syllable (`Nguyễn Văn Hạnh`); the Viet Treebank
    (VLSP 2013, UD-VTB) and underthesea make them one word (`Nguyễn_Văn_Hạnh`, `Sam_Altman`). Join the
    runs of capitalised words inside the PER entities of the NER file the gold words came from, so
    all training data follows one convention. Sentences whose words differ from the NER file stay as
    they are."""
    ner = read_pos_gold(ner_path, column=3)
    if len(ner) != len(sentences):
        raise ValueError(f"{ner_path} has {len(ner)} sentences, the segmentation gold {len(sentences)}")
    joined = []
    for words, tagged in zip(sentences, ner):
        if [word for word, _ in tagged] != words:
            joined.append(words)
            continue
        out: list[str] = []
        previous_person = False
        for word, tag in tagged:
            person = tag in ("B-PER", "I-PER") and word[:1].isupper()
            if person and tag == "I-PER" and previous_person:
                out[-1] += "_" + word
            else:
                out.append(word)
            previous_person = person
        joined.append(out)
    return joined


def read_segment_gold(path: Path, settings: "Settings") -> list[list[str]]:
    sentences = read_gold(path)
    for gold, ner in settings.person_names_from.items():
        if path.as_posix().endswith(gold):
            sentences = join_person_names(sentences, Path(settings.shared_dir) / ner)
    return sentences


Example = tuple[str, list, list[str]]  # sentence, its tokens, B/I label per token


def segment_examples(paths: list[Path], settings: "Settings | None" = None) -> list[Example]:
    """(sentence, tokens, labels) of every gold sentence, labels B/I per token."""
    settings = settings or Settings()
    return [example_of(words) for path in paths for words in read_segment_gold(path, settings)]


def example_of(words: list[str]) -> Example:
    sentence, spans = gold_sentence(words)
    starts = {start for start, _ in spans}
    tokens = tokenize(sentence)
    labels = ["B" if start in starts else "I" for start, _, _ in tokens]
    labels[0] = "B"
    return sentence, tokens, labels


def words_of(example: Example) -> list[str]:
    """The words of a labelled example, syllables joined by `_`."""
    sentence, tokens, labels = example
    words: list[str] = []
    for (start, end, _), label in zip(tokens, labels):
        if label == "I" and words:
            words[-1] += "_" + sentence[start:end]
        else:
            words.append(sentence[start:end])
    return words


def harmonize(examples: list[Example], opinions: list[list[str]], settings: Settings) -> tuple[list[Example], int]:
    """Relabel the boundaries on which the training data and underthesea's VLSP 2013 CRF disagree for a
    reason of convention, to underthesea's side: returns the examples and how many labels changed.

    VLSP 2016 and UD-VTB write some frequent pairs differently from VLSP 2013 (`người dân` apart,
    `người ta` joined). A pair that a CRF trained on 75k VLSP 2013 sentences labels against our gold
    nearly every time it occurs is a difference of convention, not a mistake, so the training data is
    brought to one convention, as join_person_names does for names. Sporadic disagreements stay gold.
    `harmonize_confident` (an experiment, see benchmarks/ws_dev.py) follows underthesea wherever its
    marginal is beyond 0.1/0.9 instead.
    """
    changed = 0
    pairs = [_syllable_pairs(sentence, tokens) for sentence, tokens, _ in examples]  # relabelling keeps tokens
    if settings.harmonize_confident:
        examples, count = _relabel(examples, pairs, opinions, lambda key, opinion: opinion in ("ut=I5", "ut=B0"))
        changed += count
    if settings.harmonize_min_count:
        conflicting = _conflicting_pairs(examples, pairs, opinions, settings)
        examples, count = _relabel(examples, pairs, opinions, lambda key, opinion: key in conflicting)
        changed += count
    return examples, changed


def _conflicting_pairs(examples: list[Example], pairs: list[list[tuple[int, str]]], opinions: list[list[str]],
                       settings: Settings) -> set[str]:
    seen, differs = Counter(), Counter()
    for (_, _, labels), sentence_pairs, sentence_opinions in zip(examples, pairs, opinions):
        for i, key in sentence_pairs:
            seen[key] += 1
            differs[key] += sentence_opinions[i][3] != labels[i]
    return {key for key, n in seen.items()
            if n >= settings.harmonize_min_count and differs[key] >= settings.harmonize_min_rate * n}


def _relabel(examples: list[Example], pairs: list[list[tuple[int, str]]], opinions: list[list[str]],
             follow) -> tuple[list[Example], int]:
    """Examples with underthesea's label wherever `follow(pair, opinion)` holds; and how many changed."""
    relabelled, changed = [], 0
    for (sentence, tokens, labels), sentence_pairs, sentence_opinions in zip(examples, pairs, opinions):
        labels = list(labels)
        for i, key in sentence_pairs:
            opinion = sentence_opinions[i]  # "ut=" + label + marginal bucket
            if opinion[3] != labels[i] and follow(key, opinion):
                labels[i] = opinion[3]
                changed += 1
        relabelled.append((sentence, tokens, labels))
    return relabelled, changed


def _syllable_pairs(sentence: str, tokens: list) -> list[tuple[int, str]]:
    """(position, `left right` in canonical lower case) of each pair of adjacent syllables."""
    pairs = []
    for i in range(1, len(tokens)):
        (left_start, left_end, left_kind), (start, end, kind) = tokens[i - 1], tokens[i]
        if left_kind == kind == "word":
            pairs.append((i, canonical(sentence[left_start:left_end]) + " " + canonical(sentence[start:end])))
    return pairs


def _gold_word_forms(words: list[str]) -> list[str]:
    return [" ".join(canonical(word).split("_")) for word in words if "_" in word]


def train(out_dir: Path = MODEL_DIR, settings: Settings | None = None) -> dict:
    """Train models/ws from the gold train splits; returns what it did (data, sizes, seconds)."""
    settings = settings or Settings()
    shared = Path(settings.shared_dir)
    started = time.perf_counter()
    examples = segment_examples([shared / p for p in settings.segment_gold], settings)
    report = train_segmenter(examples, Path(out_dir), settings)
    pos_sentences = train_pos(Path(out_dir), shared / settings.pos_gold, settings) if settings.with_pos else 0
    return {
        "out_dir": str(out_dir),
        "settings": asdict(settings),
        **report,
        "pos_sentences": pos_sentences,
        "seconds": round(time.perf_counter() - started, 1),
    }


def train_segmenter(examples: list[Example], out_dir: Path, settings: Settings) -> dict:
    """Write segment.crfsuite, dictionary.tsv and common_syllables.txt trained on `examples`."""
    import pycrfsuite

    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    opinion = UndertheseaOpinion()
    opinions = [opinion.features([sentence[start:end] for start, end, _ in tokens])
                for sentence, tokens, _ in examples]
    examples, harmonized = harmonize(examples, opinions, settings)
    underthesea_words, pyvi_words = _bundled_word_lists()
    fold_words = [Counter() for _ in range(settings.folds)]
    for n, example in enumerate(examples):
        fold_words[n % settings.folds].update(_gold_word_forms(words_of(example)))
    all_train_words = set().union(*fold_words)

    def dictionary(train_words: set[str]) -> dict[str, int]:
        masks: dict[str, int] = {}
        for source, words in ((TRAIN_WORDS, train_words), (UNDERTHESEA_WORDS, underthesea_words),
                              (PYVI_WORDS, pyvi_words)):
            for word in words:
                masks[word] = masks.get(word, 0) | source
        return masks

    fold_dictionaries = [dictionary(set().union(*(fold_words[:k] + fold_words[k + 1:])))
                         for k in range(settings.folds)]
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({"c1": settings.c1, "c2": settings.c2, "max_iterations": settings.max_iterations,
                        "feature.possible_transitions": True})
    common = Counter()
    for n, ((sentence, tokens, labels), sentence_opinions) in enumerate(zip(examples, opinions)):
        forms, shapes = syllable_forms(sentence, tokens)
        trainer.append(segment_features(forms, shapes, fold_dictionaries[n % settings.folds], sentence_opinions),
                       labels)
        for (start, end, kind), form in zip(tokens, forms):
            if kind == "word" and sentence[start].islower():
                common[form] += 1
    trainer.train(str(out_dir / "segment.crfsuite"))

    final_dictionary = dictionary(all_train_words)
    with open(out_dir / "dictionary.tsv", "w", encoding="utf-8") as out:
        for word in sorted(final_dictionary):
            out.write(f"{word}\t{final_dictionary[word]}\n")
    common_syllables = sorted(s for s, count in common.items()
                              if count >= settings.min_common_count and s.isalpha() and s.isascii())
    (out_dir / "common_syllables.txt").write_text("\n".join(common_syllables) + "\n", encoding="utf-8")
    return {
        "segment_sentences": len(examples),
        "harmonized_boundaries": harmonized,
        "dictionary_words": len(final_dictionary),
        "segment_seconds": round(time.perf_counter() - started, 1),
    }


def read_pos_gold(path: Path, column: int = 1) -> list[list[tuple[str, str]]]:
    """(word, tag in `column`) of each sentence of a VLSP 2016 `5col.conll` file."""
    sentences, current = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            columns = line.rstrip("\n").split("\t")
            if len(columns) <= column:
                if current:
                    sentences.append(current)
                current = []
                continue
            current.append((columns[0], columns[column]))
    if current:
        sentences.append(current)
    return sentences


def word_form_and_shape(word: str) -> tuple[str, str]:
    """The POS tagger's view of a gold word, computed the way the segmenter computes it at run time."""
    text = word.replace("_", " ")
    tokens = tokenize(text)
    if not tokens:
        return word, "punct"
    forms, shapes = syllable_forms(text, tokens)
    return "_".join(forms), shapes[0]


def train_pos(out_dir: Path, gold: Path, settings: Settings) -> int:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({"c1": settings.pos_c1, "c2": settings.c2, "max_iterations": settings.pos_max_iterations})
    sentences = read_pos_gold(gold)
    for sentence in sentences:
        forms_shapes = [word_form_and_shape(word) for word, _ in sentence]
        trainer.append(pos_features([f for f, _ in forms_shapes], [s for _, s in forms_shapes]),
                       [tag for _, tag in sentence])
    trainer.train(str(out_dir / "pos.crfsuite"))
    return len(sentences)
