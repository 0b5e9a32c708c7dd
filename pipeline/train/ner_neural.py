"""Trains the neural NER tagger (`models/ner-neural`, backend `vnpipe-neural`) with PyTorch and
exports it to ONNX; `pipeline/backends/neural_ner.py` runs it with ONNX Runtime, without torch.

Data: VLSP 2016 train (gold words give the syllables) and VLSP 2018 train (syllable CoNLL), plus
copies of one in three sentences with a name whose entities are swapped for names of the same label
(hand-written gazetteer, names learned from unlabeled text, made-up foreign names: `train/ner.py`).
The epoch kept is the one with the best micro F1 on VLSP 2018 dev; VLSP 2016 test is never read.

Each epoch ends with a checkpoint in the work folder, so a stopped run resumes where it was.
"""
from __future__ import annotations

import importlib.util
import json
import random
import re
import shutil
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from ..backends.neural_ner import (BIO, CHAR_WIDTH, FEATURES_FILE, GRAPH_FILE, NAME_FILES, SHAPES,
                                   VECTOR_VOCAB_FILE, Featurizer, pad_batch, viterbi)
from ..backends.names import TEXT_TOKEN, load_gazetteer, normalize_token, spans_from_bio, syllables_of
from ..backends.nertag import GAZETTEER_FILE, LEARNED_NAMES_FILE, MODEL_DIR as CRF_MODEL_DIR, UNSEEN_MODEL_DIR
from ..errors import TrainingExtraMissing
from ..evaluate.ner import SHARED_EVAL_DIR, GoldSentence, read_conll, score
from .ner import UNLABELED, replacement_names, syllable_labels, unlabeled_texts, with_replaced_names
from .ner_augment import as_platforms, glued
from .ner_pretrain import pretrain
from .syllable_vectors import build_vectors

TRAIN_FILES = ("vlsp2016/word/train.conll", "vlsp2018/syllable/train.conll")
DEV_FILE = "vlsp2018/syllable/dev.conll"
_SYLLABLE = re.compile(r"\S+")
VECTOR_FILES = ("syllable_vectors.npy", "syllable_vocab.txt", "vectors.json")


@dataclass(frozen=True)
class Settings:
    epochs: int = 24
    batch: int = 64
    learning_rate: float = 2e-3
    decay: float = 0.88  # learning rate times this after each epoch
    word_dim: int = 50  # trainable embedding of syllables seen at least `min_word_count` times in train
    min_word_count: int = 2
    char_dim: int = 30
    char_filters: int = 50
    shape_dim: int = 8
    name_dim: int = 8
    hidden: int = 128  # per direction
    dropout: float = 0.5
    word_dropout: float = 0.05  # a trained syllable read as unknown, so the vectors and characters learn too
    names_dropout: float = 0.2  # a sentence trained without its name-list matches
    seed: int = 1
    # Self-training: this many sentences of VNTC and Wikipedia tagged by a teacher model (a model
    # folder trained without them), those whose names it is sure of (every entity's confidence at
    # least `silver_confidence`) added to the training data (about 9,500 of 40,000). 0: none.
    silver: int = 40_000
    silver_confidence: float = 0.95
    # The levers of issue 31, off: neither moved VLSP 2018 dev (the model card has the figures).
    glued_every: int = 0  # 4: a copy of one in 4 sentences that end with a name, glued to the next
    platforms_as_org: bool = False  # Facebook, Google, Grab: ORG in the silver sentences (ner_augment.py)
    # Pretraining: the encoder first learns to predict the word cluster of the next syllable (forward
    # LSTM) and of the one before (backward) over this many sentences of VNTC and Wikipedia (0: none;
    # 300,000 was tried).
    pretrain_sentences: int = 0
    pretrain_epochs: int = 1


Example = tuple[list[str], list[str]]  # syllables, BIO labels


def examples_of(sentences: list[GoldSentence]) -> list[Example]:
    """Syllables and their BIO labels; a sentence without gold words splits at spaces."""
    examples = []
    for sentence in sentences:
        words = sentence.words or _words_at_spaces(sentence.text)
        spans = [(s, e) for s, e, _, _ in syllables_of(sentence.text, words)]
        examples.append(([sentence.text[s:e] for s, e in spans], syllable_labels(spans, sentence.entities)))
    return examples


def _words_at_spaces(text: str) -> list[tuple[int, int, str]]:
    """Every space-separated token a word (syllable CoNLL has no gold words)."""
    return [(m.start(), m.end(), "") for m in _SYLLABLE.finditer(text)]


def training_examples(eval_dir: Path, names: dict, settings: Settings = Settings()) -> tuple[list[Example], int]:
    """Train examples with the name-swapped and glued copies after them (ner_augment.py), platforms
    labelled ORG; returns (examples, originals)."""
    originals, copies = [], []
    pool = replacement_names(*names)
    for name in TRAIN_FILES:
        sentences = read_conll(Path(eval_dir) / name)
        for sentence in sentences:
            if sentence.words is None:
                sentence.words = _words_at_spaces(sentence.text)
        found = examples_of(sentences)
        originals += found
        copies += examples_of(with_replaced_names(sentences, pool))
        if settings.glued_every:
            copies += glued(found, settings.glued_every)
    if settings.platforms_as_org:
        originals, copies = [as_platforms(e) for e in originals], [as_platforms(e) for e in copies]
    return originals + copies, len(originals)


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-Ỹ\"“])")


def unlabeled_sentences(count: int, every: int = 25, shortest: int = 8, longest: int = 60):
    """`count` token lists from VNTC and Wikipedia, half from each: every `every`-th sentence of
    `shortest` to `longest` tokens, in file order (the same sentences on every run)."""
    per_corpus = count // 2
    for corpus in UNLABELED:
        taken = seen = 0
        for text in unlabeled_texts([corpus]):
            for paragraph in text.split("\n"):
                for sentence in _SENTENCE_END.split(paragraph):
                    tokens = TEXT_TOKEN.findall(sentence)
                    if not shortest <= len(tokens) <= longest:
                        continue
                    seen += 1
                    if seen % every == 0:
                        yield tokens
                        taken += 1
                        if taken >= per_corpus:
                            break
                if taken >= per_corpus:
                    break
            if taken >= per_corpus:
                break


def silver_examples(teacher_dir: Path, count: int, confidence: float) -> list[Example]:
    """Unlabeled sentences with the teacher's names, kept when it is sure of every one it found."""
    from ..backends.neural_ner import NeuralTagger

    teacher = NeuralTagger(teacher_dir)
    sentences = list(unlabeled_sentences(count))
    examples = []
    for first in range(0, len(sentences), 256):
        batch = sentences[first:first + 256]
        for tokens, entities in zip(batch, teacher.tag_tokens(batch)):
            if entities and all(c >= confidence for _, _, _, c in entities):
                labels = ["O"] * len(tokens)
                for i, j, label, _ in entities:
                    labels[i:j] = [f"B-{label}"] + [f"I-{label}"] * (j - i - 1)
                examples.append((tokens, labels))
    return examples


def vocabularies(examples: list[Example], min_count: int) -> tuple[list[str], str]:
    """Trainable syllables (lower case, frequent first) and the characters the CNN knows."""
    words = Counter(normalize_token(token).lower() for tokens, _ in examples for token in tokens)
    chars = Counter(c for tokens, _ in examples for token in tokens for c in normalize_token(token))
    return ([w for w, n in words.most_common() if n >= min_count],
            "".join(sorted(c for c, n in chars.items() if n >= 3)))


def build_model(settings: Settings, words: int, chars: int, vectors: np.ndarray):
    import torch
    from torch import nn

    class CharCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(chars, settings.char_dim, padding_idx=0)
            self.conv = nn.Conv1d(settings.char_dim, settings.char_filters, 3, padding=1)

        def forward(self, ids):  # (B, T, C) -> (B, T, filters)
            b, t, c = ids.shape
            x = self.embed(ids.reshape(b * t, c)).transpose(1, 2)
            return torch.relu(self.conv(x)).max(2).values.reshape(b, t, -1)

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding(words, settings.word_dim, padding_idx=0)
            table = np.concatenate([np.zeros((1, vectors.shape[1]), vectors.dtype), vectors])
            self.register_buffer("vectors", torch.from_numpy(table.astype(np.float16)))
            self.shapes = nn.Embedding(SHAPES, settings.shape_dim, padding_idx=0)
            self.names = nn.Embedding(len(BIO) + 1, settings.name_dim, padding_idx=0)
            self.chars = CharCNN()
            size = settings.word_dim + vectors.shape[1] + settings.shape_dim + settings.name_dim + settings.char_filters
            self.dropout = nn.Dropout(settings.dropout)
            self.forward_lstm = nn.LSTM(size, settings.hidden, batch_first=True)
            self.backward_lstm = nn.LSTM(size, settings.hidden, batch_first=True)
            self.out = nn.Linear(2 * settings.hidden, len(BIO))

        def encode(self, words, vectors, shapes, names, chars, reverse):
            """The forward and the backward LSTM's state at each syllable (what pretraining trains)."""
            pretrained = torch.nn.functional.embedding(vectors, self.vectors).float()
            x = torch.cat([self.words(words), pretrained, self.shapes(shapes), self.names(names),
                           self.chars(chars)], 2)
            x = self.dropout(x)
            ahead, _ = self.forward_lstm(x)
            # The backward LSTM reads each sentence reversed within its length: padding stays at the end.
            index = reverse.unsqueeze(2)
            behind, _ = self.backward_lstm(torch.gather(x, 1, index.expand(-1, -1, x.shape[2])))
            behind = torch.gather(behind, 1, index.expand(-1, -1, behind.shape[2]))
            return ahead, behind

        def forward(self, words, vectors, shapes, names, chars, reverse):
            ahead, behind = self.encode(words, vectors, shapes, names, chars, reverse)
            return self.out(self.dropout(torch.cat([ahead, behind], 2)))

    return Tagger()


class CRF:
    """Transition scores and the negative log-likelihood of gold paths (batch-first, masked)."""

    def __init__(self) -> None:
        import torch

        labels = len(BIO)
        self.transitions = torch.nn.Parameter(torch.zeros(labels, labels))
        self.start = torch.nn.Parameter(torch.zeros(labels))
        self.end = torch.nn.Parameter(torch.zeros(labels))

    def parameters(self):
        return [self.transitions, self.start, self.end]

    def nll(self, emissions, tags, lengths):
        import torch

        batch, longest, _ = emissions.shape
        mask = (torch.arange(longest)[None, :] < lengths[:, None]).float()
        gold = (emissions.gather(2, tags.unsqueeze(2)).squeeze(2) * mask).sum(1)
        gold = gold + self.start[tags[:, 0]] + (self.transitions[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]).sum(1)
        gold = gold + self.end[tags.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1)]
        alpha = self.start[None, :] + emissions[:, 0]
        for t in range(1, longest):
            stepped = torch.logsumexp(alpha.unsqueeze(2) + self.transitions[None], 1) + emissions[:, t]
            alpha = torch.where(mask[:, t:t + 1] > 0, stepped, alpha)
        return (torch.logsumexp(alpha + self.end[None, :], 1) - gold).mean()

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(p.detach().numpy().astype(np.float32) for p in self.parameters())


def _tensors(featurized: list, labels: list[list[str]] | None = None):
    import torch

    inputs = pad_batch(featurized)
    tensors = {name: torch.from_numpy(array) for name, array in inputs.items()}
    if labels is not None:
        tags = np.zeros(inputs["words"].shape, dtype=np.int64)
        for row, sentence in enumerate(labels):
            tags[row, :len(sentence)] = [BIO.index(tag) for tag in sentence]
        tensors["tags"] = torch.from_numpy(tags)
    return tensors


GRAPH_INPUTS = ("words", "vectors", "shapes", "names", "chars", "reverse")


def predict(model, crf: CRF, featurized: list, batch: int = 128) -> list[list[str]]:
    """BIO tags of featurized sentences with the torch model (dev scoring during training)."""
    import torch

    model.eval()
    transitions, start, end = crf.arrays()
    order = sorted(range(len(featurized)), key=lambda k: len(featurized[k][0]))
    tags: list[list[str]] = [[] for _ in featurized]
    with torch.no_grad():
        for first in range(0, len(order), batch):
            rows = order[first:first + batch]
            inputs = _tensors([featurized[k] for k in rows])
            emissions = model(*(inputs[name] for name in GRAPH_INPUTS)).numpy()
            for k, path in zip(rows, viterbi(emissions, inputs["lengths"].numpy(), transitions, start, end)):
                tags[k] = [BIO[label] for label in path]
    model.train()
    return tags


def _entities(tags: list[str]) -> list[tuple[int, int, str]]:
    return spans_from_bio([(k, k + 1) for k in range(len(tags))], tags)


def train(out_dir: Path, work_dir: Path, eval_dir: Path = SHARED_EVAL_DIR, settings: Settings = Settings(),
          threads: int = 2, teacher: Path | None = None, log=print) -> dict:
    """Train (or resume), keep the best dev epoch, export it to `out_dir`; returns the summary.

    With `settings.silver` and no `teacher`, the teacher is trained first (without silver sentences)
    in `work_dir/teacher`, so one call rebuilds the shipped model."""
    for package in ("torch", "onnx", "gensim"):
        if importlib.util.find_spec(package) is None:
            raise TrainingExtraMissing(package)
    import torch

    work_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if not (work_dir / "syllable_vectors.npy").exists():
        log("learning syllable vectors from VNTC and Wikipedia")
        (work_dir / "vectors.json").write_text(json.dumps(build_vectors(work_dir, work_dir)), encoding="utf-8")
    if settings.silver and teacher is None:
        teacher = work_dir / "teacher"
        if not (teacher / GRAPH_FILE).exists():
            log("training the teacher (no silver sentences) first")
            teacher_work = work_dir / "teacher-run"
            teacher_work.mkdir(exist_ok=True)
            for name in VECTOR_FILES:
                if not (teacher_work / name).exists():
                    shutil.copyfile(work_dir / name, teacher_work / name)
            train(teacher, teacher_work, eval_dir, replace(settings, silver=0), threads, log=log)
    torch.manual_seed(settings.seed)
    torch.set_num_threads(threads)
    random.seed(settings.seed)
    vectors = np.load(work_dir / "syllable_vectors.npy")
    vector_keys = (work_dir / "syllable_vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    name_lists = [CRF_MODEL_DIR / GAZETTEER_FILE, UNSEEN_MODEL_DIR / LEARNED_NAMES_FILE]
    names = load_gazetteer(name_lists[::-1])  # the hand-written list wins, as in the tagger
    examples, originals = training_examples(eval_dir, [load_gazetteer([p]) for p in name_lists], settings)
    words, chars = vocabularies(examples[:originals], settings.min_word_count)
    silver = silver_examples(teacher, settings.silver, settings.silver_confidence) if settings.silver else []
    if settings.platforms_as_org:
        silver = [as_platforms(example) for example in silver]
    examples += silver
    featurizer = Featurizer(words, chars, vector_keys, names)
    featurized = [featurizer.sentence(tokens) for tokens, _ in examples]
    dev = examples_of(read_conll(Path(eval_dir) / DEV_FILE))
    dev_featurized = [featurizer.sentence(tokens) for tokens, _ in dev]
    dev_gold = [_entities(tags) for _, tags in dev]
    log(f"{len(examples)} training sentences ({originals} original, {len(silver)} silver), {len(words)} syllables, "
        f"{len(chars)} characters, {len(vectors)} vectors; prepared in {time.perf_counter() - started:.0f} s")

    model = build_model(settings, len(words) + 2, len(chars) + 2, vectors)
    pretraining = None
    if settings.pretrain_sentences and not (work_dir / "checkpoint.pt").exists():
        log(f"pretraining the encoder on {settings.pretrain_sentences:,} sentences of VNTC and Wikipedia")
        unlabeled = list(unlabeled_sentences(settings.pretrain_sentences, every=2, shortest=4, longest=80))
        pretraining = pretrain(model, featurizer, unlabeled, work_dir, settings.pretrain_epochs, settings.seed, log)
    crf = CRF()
    optimizer = torch.optim.Adam([*model.parameters(), *crf.parameters()], lr=settings.learning_rate)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, settings.decay)
    checkpoint = work_dir / "checkpoint.pt"
    history, first_epoch = [], 0
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        for parameter, value in zip(crf.parameters(), state["crf"]):
            parameter.data.copy_(value)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history, first_epoch = state["history"], state["epoch"] + 1
        random.setstate(state["random"])
        torch.set_rng_state(state["torch_random"])
        log(f"resumed after epoch {first_epoch}")

    order = sorted(range(len(examples)), key=lambda k: len(examples[k][0]))
    batches = [order[i:i + settings.batch] for i in range(0, len(order), settings.batch)]
    for epoch in range(first_epoch, settings.epochs):
        epoch_started = time.perf_counter()
        random.shuffle(batches)
        total = 0.0
        for rows in batches:
            batch_inputs = [_dropped(featurized[k], settings) for k in rows]
            tensors = _tensors(batch_inputs, [examples[k][1] for k in rows])
            emissions = model(*(tensors[name] for name in GRAPH_INPUTS))
            loss = crf.nll(emissions, tensors["tags"], tensors["lengths"])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*model.parameters(), *crf.parameters()], 5.0)
            optimizer.step()
            total += float(loss)
        scheduler.step()
        predicted = [_entities(tags) for tags in predict(model, crf, dev_featurized)]
        dev_score = score(dev_gold, predicted)
        history.append({"epoch": epoch + 1, "loss": round(total / len(batches), 4),
                        "dev_f1": dev_score["micro"]["f1"], "seconds": round(time.perf_counter() - epoch_started)})
        log(json.dumps(history[-1]))
        if dev_score["micro"]["f1"] >= max(h["dev_f1"] for h in history):
            torch.save({"model": model.state_dict(), "crf": [p.detach().clone() for p in crf.parameters()]},
                       work_dir / "best.pt")
        torch.save({"model": model.state_dict(), "crf": [p.detach().clone() for p in crf.parameters()],
                    "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "epoch": epoch,
                    "history": history, "random": random.getstate(), "torch_random": torch.get_rng_state()},
                   checkpoint.with_suffix(".tmp"))
        checkpoint.with_suffix(".tmp").replace(checkpoint)

    best = torch.load(work_dir / "best.pt", weights_only=False)
    model.load_state_dict(best["model"])
    for parameter, value in zip(crf.parameters(), best["crf"]):
        parameter.data.copy_(value)
    out_dir.mkdir(parents=True, exist_ok=True)
    export(model, featurized[:4], out_dir / GRAPH_FILE)
    transitions, start, end = crf.arrays()
    (out_dir / FEATURES_FILE).write_text(json.dumps(
        {"words": words, "chars": chars, "labels": list(BIO), "char_width": CHAR_WIDTH,
         "transitions": transitions.tolist(), "start": start.tolist(), "end": end.tolist()},
        ensure_ascii=False), encoding="utf-8")
    (out_dir / VECTOR_VOCAB_FILE).write_text("\n".join(vector_keys) + "\n", encoding="utf-8")
    for source, target in zip(name_lists, NAME_FILES):
        shutil.copyfile(source, out_dir / target)
    best_epoch = max(history, key=lambda h: h["dev_f1"])
    summary = {"backend": "vnpipe-neural", "train_files": list(TRAIN_FILES), "dev_file": DEV_FILE,
               "sentences": len(examples), "original_sentences": originals, "silver_sentences": len(silver),
               "pretraining": pretraining,
               "teacher": str(teacher) if teacher else None, "settings": asdict(settings),
               "vectors": json.loads((work_dir / "vectors.json").read_text(encoding="utf-8"))
               if (work_dir / "vectors.json").exists() else None,
               "best_epoch": best_epoch, "history": history, "threads": threads,
               "seconds": round(time.perf_counter() - started)}
    (out_dir / "training.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary


def _dropped(sentence: tuple[np.ndarray, ...], settings: Settings) -> tuple[np.ndarray, ...]:
    """Training noise: some trained syllables read as unknown, some sentences without name matches."""
    words, vectors, shapes, names, chars = sentence
    keep = np.array([random.random() >= settings.word_dropout for _ in range(len(words))])
    words = np.where(keep, words, 1)
    if random.random() < settings.names_dropout:
        names = np.ones_like(names)  # every syllable 'O'
    return words, vectors, shapes, names, chars


def export(model, sample: list, path: Path) -> None:
    """The model as an ONNX graph with dynamic batch and sentence length."""
    import torch

    model.eval()
    inputs = _tensors(sample)
    axes = {name: {0: "batch", 1: "length"} for name in GRAPH_INPUTS}
    axes["emissions"] = {0: "batch", 1: "length"}
    torch.onnx.export(model, tuple(inputs[name] for name in GRAPH_INPUTS), str(path),
                      input_names=list(GRAPH_INPUTS), output_names=["emissions"], dynamic_axes=axes,
                      opset_version=17, dynamo=False)
