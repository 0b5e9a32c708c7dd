"""Trains the diacritic restorer (`models/diacritics`, `pipeline/backends/diacritics.py`) with PyTorch
and exports it to ONNX.

Self-supervised: every text of ../shared/corpora (VNTC news, Vietnamese Wikipedia, the seed pages),
in NFC and the classic tone style, is the answer; the same text with its marks stripped is the
question. One article in 50 (by a hash of its id) is held out for dev and never trained on.

1. `prepare`: count the plain syllables, the forms with marks each one has (a form seen fewer
   than `min_form_count` times is noise: a typo, a foreign name) and the plain pairs of neighbours,
   and encode every article as input ids, case ids, the ids of each token's pairs with its left and
   right neighbour, and the index of the right candidate (-1 where there is no choice), in chunks
   of at most 64 tokens (`backends.diacritics.chunks`). Written to WORK/data.npz.
2. `train`: a two-layer BiLSTM over the plain syllables and their pairs; each syllable's state
   scores its candidates (a vector per candidate form). Checkpoints every `checkpoint_steps`, so a
   stopped run resumes; the dev accuracy of each checkpoint is logged.
3. `export`: the graph (ids, cases, left, right, reverse -> best candidate; its tables stored in
   16-bit floats, half the size) and the vocabulary to OUT.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..backends.diacritics import (GRAPH_FILE, INPUTS, TOKEN, UNKNOWN, VOCABULARY_FILE, case_of, chunks, pair_keys,
                                   plain_key, token_key)
from ..errors import TrainingExtraMissing
from ..text.vietnamese import CLASSIC, apply_tone_style

SHARED_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
CORPUS_FILES = ("vntc/*.jsonl", "viwiki/*.jsonl", "seeds/*.txt")
DEV_EVERY = 50  # one article in DEV_EVERY is dev


@dataclass(frozen=True)
class Settings:
    inputs: int = 20_000  # plain syllables the model reads (the rest read as unknown)
    pairs: int = 100_000  # plain pairs of neighbours it reads (the most frequent; the rest read as unknown)
    pair_embedding: int = 32
    min_form_count: int = 3
    max_candidates: int = 40
    embedding: int = 96
    case_embedding: int = 16
    hidden: int = 128  # per direction, per layer
    projection: int = 128  # the size of the state that scores candidates
    dropout: float = 0.1
    batch: int = 96  # chunks per step
    learning_rate: float = 2e-3
    steps: int = 5_000
    decay_every: int = 1_500  # learning rate halves every this many steps after warm-up ...
    warmup: int = 500
    checkpoint_steps: int = 1_000
    dev_chunks: int = 3_000  # dev chunks scored at each checkpoint
    seed: int = 1


def is_dev(document_id: str) -> bool:
    return int(hashlib.blake2b(document_id.encode(), digest_size=4).hexdigest(), 16) % DEV_EVERY == 0


def corpus_documents(root: Path = SHARED_CORPORA):
    """(id, text) of every document of the corpora, NFC, in a fixed order."""
    for pattern in CORPUS_FILES:
        for path in sorted(root.glob(pattern)):
            if path.suffix == ".txt":
                yield path.name, unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
                continue
            with open(path, encoding="utf-8") as lines:
                for number, line in enumerate(lines):
                    record = json.loads(line)
                    yield f"{path.name}:{record.get('id', number)}", unicodedata.normalize("NFC", record["text"])


def answer_tokens(text: str) -> list[str]:
    """The tokens of a text in the restorer's form: classic tone style, as the model outputs."""
    return TOKEN.findall(apply_tone_style(text, CLASSIC))


def count(root: Path = SHARED_CORPORA) -> tuple[Counter, dict[str, Counter], Counter]:
    """Plain syllables of the train articles, the lower-case forms with marks of each, and the
    plain pairs of neighbouring tokens."""
    plains: Counter = Counter()
    forms: dict[str, Counter] = {}
    pairs: Counter = Counter()
    for document_id, text in corpus_documents(root):
        if is_dev(document_id):
            continue
        tokens = answer_tokens(text)
        for token in tokens:
            if token[0].isalpha():
                lower = token.lower()
                plain = plain_key(lower)
                plains[plain] += 1
                forms.setdefault(plain, Counter())[lower] += 1
        pairs.update(pair_keys([token_key(t) for t in tokens])[0])
    return plains, forms, pairs


def vocabulary(plains: Counter, forms: dict[str, Counter], pairs: Counter, settings: Settings) -> dict:
    """Input syllables (ids from 3: 0 padding, 1 unknown, 2 a number; then punctuation marks and
    syllables, frequent first) and each one's candidate forms, commonest first."""
    inputs = ["<pad>", "<unknown>", "<number>"]
    inputs += [plain for plain, _ in plains.most_common(settings.inputs)]
    candidates = []
    for plain in inputs:
        attested = [form for form, n in forms.get(plain, Counter()).most_common(settings.max_candidates)
                    if n >= settings.min_form_count]
        candidates.append(attested if len(attested) > 1 else [])
    return {"inputs": inputs, "candidates": candidates,
            "pairs": [pair for pair, n in pairs.most_common(settings.pairs) if n >= 3],
            "never_bare": never_bare(forms)}


def never_bare(forms: dict[str, Counter], least: int = 50, share: float = 0.05) -> list[str]:
    """Plain syllables that Vietnamese text almost never writes without marks (bare in under
    `share` of at least `least` occurrences): `toi`, `duoc`, `nguoi`. Text that has several of them
    was typed without its marks (backends.diacritics: unmarked_spans)."""
    found = []
    for plain, counts in forms.items():
        total = sum(counts.values())
        if total >= least and len(counts) > 1 and counts.get(plain, 0) < share * total:
            found.append(plain)
    return sorted(found)


def punctuation_inputs(root: Path) -> list[str]:
    """Punctuation marks seen in the corpora (the first 200 articles tell them all)."""
    marks: Counter = Counter()
    for number, (_, text) in enumerate(corpus_documents(root)):
        if number >= 2000:
            break
        marks.update(token for token in TOKEN.findall(text) if not token[0].isalnum())
    return [mark for mark, n in marks.most_common() if n >= 5]


def encode(text: str, inputs: dict[str, int], pairs: dict[str, int], candidate_index: list[dict[str, int]]):
    """Input ids, case ids, left and right pair ids, target index (-1: no choice) of a text's
    tokens, and its chunks."""
    tokens = answer_tokens(text)
    keys = [token_key(token) for token in tokens]
    ids = np.array([inputs.get(key, UNKNOWN) for key in keys], dtype=np.int32)
    cases = np.array([case_of(token) for token in tokens], dtype=np.int8)
    left, right = pair_keys(keys)
    targets = np.full(len(tokens), -1, dtype=np.int8)
    for position, (token, key) in enumerate(zip(tokens, ids.tolist())):
        if candidate_index[key]:
            targets[position] = candidate_index[key].get(token.lower(), -1)
    return (ids, cases, np.array([pairs.get(p, 0) for p in left], dtype=np.int32),
            np.array([pairs.get(p, 0) for p in right], dtype=np.int32), targets, chunks(tokens))


def prepare(work: Path, settings: Settings, root: Path = SHARED_CORPORA, log=print) -> None:
    started = time.perf_counter()
    plains, forms, pairs = count(root)
    spec = vocabulary(plains, forms, pairs, settings)
    marks = [m for m in punctuation_inputs(root) if m not in spec["inputs"]]
    spec["inputs"][3:3] = marks
    spec["candidates"][3:3] = [[] for _ in marks]
    log(f"counted {sum(plains.values()):,} syllables, {len(plains):,} plain forms; "
        f"{sum(len(c) > 1 for c in spec['candidates']):,} inputs with a choice "
        f"({time.perf_counter() - started:.0f} s)")
    inputs = {token: index for index, token in enumerate(spec["inputs"])}
    pair_ids = {pair: index for index, pair in enumerate(spec["pairs"], 1)}
    candidate_index = [{form: k for k, form in enumerate(c)} for c in spec["candidates"]]
    names = ("ids", "cases", "left", "right", "targets")
    arrays = {split: {name: [] for name in (*names, "chunks")} for split in ("train", "dev")}
    offsets = {"train": 0, "dev": 0}
    for document_id, text in corpus_documents(root):
        split = "dev" if is_dev(document_id) else "train"
        *columns, ranges = encode(text, inputs, pair_ids, candidate_index)
        for name, values in zip(names, columns):
            arrays[split][name].append(values)
        arrays[split]["chunks"].extend((offsets[split] + a, offsets[split] + b) for a, b in ranges)
        offsets[split] += len(columns[0])
    work.mkdir(parents=True, exist_ok=True)
    np.savez(work / "data.npz", **{f"{split}_{name}": (np.array(values, dtype=np.int64) if name == "chunks"
                                                         else np.concatenate(values))
                                   for split, by_name in arrays.items() for name, values in by_name.items()})
    (work / VOCABULARY_FILE).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    log(f"encoded {offsets['train']:,} train and {offsets['dev']:,} dev tokens ({time.perf_counter() - started:.0f} s)")


def build_model(settings: Settings, inputs: int, pairs: int, candidate_table: np.ndarray, classes: int):
    import torch
    from torch import nn

    class Restorer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # Sparse tables: a step updates the rows its batch read, not all 5 M numbers (twice as fast).
            self.embed = nn.Embedding(inputs, settings.embedding, padding_idx=0, sparse=True)
            self.case = nn.Embedding(len(("pad", "lower", "title", "upper", "other")), settings.case_embedding,
                                     padding_idx=0)
            self.pairs = nn.Embedding(pairs + 1, settings.pair_embedding, padding_idx=0, sparse=True)
            size = settings.embedding + settings.case_embedding + 2 * settings.pair_embedding
            self.ahead1 = nn.LSTM(size, settings.hidden, batch_first=True)
            self.behind1 = nn.LSTM(size, settings.hidden, batch_first=True)
            self.ahead2 = nn.LSTM(2 * settings.hidden, settings.hidden, batch_first=True)
            self.behind2 = nn.LSTM(2 * settings.hidden, settings.hidden, batch_first=True)
            self.dropout = nn.Dropout(settings.dropout)
            self.project = nn.Linear(4 * settings.hidden, settings.projection)
            self.forms = nn.Embedding(classes, settings.projection, sparse=True)  # a vector per candidate form (0: none)
            self.bias = nn.Embedding(classes, 1, sparse=True)
            self.register_buffer("table", torch.from_numpy(candidate_table.astype(np.int64)))

        @staticmethod
        def _both_ways(ahead, behind, x, reverse):
            # The backward LSTM reads each chunk reversed within its length: padding stays at the end.
            index = reverse.unsqueeze(2)
            forward, _ = ahead(x)
            backward, _ = behind(torch.gather(x, 1, index.expand(-1, -1, x.shape[2])))
            backward = torch.gather(backward, 1, index.expand(-1, -1, backward.shape[2]))
            return torch.cat([forward, backward], 2)

        def scores(self, ids, cases, left, right, reverse):
            x = self.dropout(torch.cat([self.embed(ids), self.case(cases), self.pairs(left), self.pairs(right)], 2))
            first = self._both_ways(self.ahead1, self.behind1, x, reverse)
            second = self._both_ways(self.ahead2, self.behind2, self.dropout(first), reverse)
            state = torch.tanh(self.project(self.dropout(torch.cat([first, second], 2))))
            candidates = self.table[ids]  # (B, T, K) class ids, 0 where there is no candidate
            logits = (self.forms(candidates) * state.unsqueeze(2)).sum(3) + self.bias(candidates).squeeze(3)
            return logits.masked_fill(candidates == 0, -1e4)

        def forward(self, ids, cases, left, right, reverse):
            return self.scores(ids, cases, left, right, reverse).argmax(2)

    return Restorer()


def candidate_table(spec: dict) -> tuple[np.ndarray, int]:
    """(inputs, K) class ids of each input's candidates (0: none), and the number of classes."""
    width = max(len(c) for c in spec["candidates"])
    table = np.zeros((len(spec["inputs"]), width), dtype=np.int64)
    classes = 1
    for index, forms in enumerate(spec["candidates"]):
        table[index, :len(forms)] = np.arange(classes, classes + len(forms))
        classes += len(forms)
    return table, classes


class Chunks:
    """Padded batches of chunks from the encoded arrays."""

    def __init__(self, data, split: str) -> None:
        self.columns = {name: data[f"{split}_{name}"] for name in (*INPUTS, "targets")}
        self.ranges = data[f"{split}_chunks"]

    def batch(self, rows: np.ndarray):
        import torch

        ranges = self.ranges[rows]
        lengths = ranges[:, 1] - ranges[:, 0]
        longest = int(lengths.max())
        positions = np.arange(longest)[None, :]
        real = positions < lengths[:, None]
        index = (ranges[:, :1] + positions)[real]
        arrays = {}
        for name, source in self.columns.items():
            array = np.full(real.shape, -1 if name == "targets" else 0, dtype=np.int64)
            array[real] = source[index]
            arrays[name] = torch.from_numpy(array)
        arrays["reverse"] = torch.from_numpy(np.where(real, lengths[:, None] - 1 - positions, positions))
        return arrays


def accuracy(model, chunks: Chunks, rows: np.ndarray, batch: int = 256) -> dict:
    """Share of right choices among the syllables with a choice, and of the others with marks."""
    import torch

    model.eval()
    right = total = 0
    with torch.no_grad():
        for first in range(0, len(rows), batch):
            tensors = chunks.batch(rows[first:first + batch])
            best = model(*(tensors[name] for name in (*INPUTS, "reverse")))
            targets = tensors["targets"]
            mask = targets >= 0
            right += int(((best == targets) & mask).sum())
            total += int(mask.sum())
    model.train()
    return {"choice_accuracy": round(100 * right / max(total, 1), 3), "choices": total}


def train(out: Path, work: Path, settings: Settings = Settings(), threads: int = 2, log=print) -> dict:
    for package in ("torch", "onnx"):
        if importlib.util.find_spec(package) is None:
            raise TrainingExtraMissing(package)
    import torch

    started = time.perf_counter()
    torch.manual_seed(settings.seed)
    torch.set_num_threads(threads)
    if not (work / "data.npz").exists():
        prepare(work, settings, log=log)
    spec = json.loads((work / VOCABULARY_FILE).read_text(encoding="utf-8"))
    table, classes = candidate_table(spec)
    data = np.load(work / "data.npz")
    train_chunks, dev_chunks = Chunks(data, "train"), Chunks(data, "dev")
    generator = np.random.default_rng(settings.seed)
    dev_rows = generator.permutation(len(dev_chunks.ranges))[:settings.dev_chunks]
    model = build_model(settings, len(spec["inputs"]), len(spec["pairs"]), table, classes)
    sparse = [module.weight for module in model.modules() if isinstance(module, torch.nn.Embedding) and module.sparse]
    dense = [parameter for parameter in model.parameters() if all(parameter is not s for s in sparse)]
    optimizers = [torch.optim.Adam(dense, lr=settings.learning_rate),
                  torch.optim.SparseAdam(sparse, lr=settings.learning_rate)]

    def rate(step: int) -> float:
        if step < settings.warmup:
            return (step + 1) / settings.warmup
        return 0.5 ** ((step - settings.warmup) / settings.decay_every)

    schedulers = [torch.optim.lr_scheduler.LambdaLR(optimizer, rate) for optimizer in optimizers]
    checkpoint = work / "checkpoint.pt"
    history, step = [], 0
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        for optimizer, saved in zip(optimizers, state["optimizers"]):
            optimizer.load_state_dict(saved)
        for scheduler, saved in zip(schedulers, state["schedulers"]):
            scheduler.load_state_dict(saved)
        history, step = state["history"], state["step"]
        generator = state["generator"]
        log(f"resumed at step {step}")
    order = generator.permutation(len(train_chunks.ranges))
    position = (step * settings.batch) % len(order)
    loss_function = torch.nn.CrossEntropyLoss(ignore_index=-1)
    total, counted, window_started = 0.0, 0, time.perf_counter()
    while step < settings.steps:
        if position + settings.batch > len(order):
            order, position = generator.permutation(len(train_chunks.ranges)), 0
        tensors = train_chunks.batch(order[position:position + settings.batch])
        position += settings.batch
        logits = model.scores(*(tensors[name] for name in (*INPUTS, "reverse")))
        loss = loss_function(logits.reshape(-1, logits.shape[2]), tensors["targets"].reshape(-1))
        for optimizer in optimizers:
            optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(dense, 5.0)
        for optimizer, scheduler in zip(optimizers, schedulers):
            optimizer.step()
            scheduler.step()
        step += 1
        total, counted = total + loss.item(), counted + 1
        if step % 250 == 0:
            log(f"step {step}: loss {total / counted:.4f}, {(time.perf_counter() - window_started) / counted:.2f} s a step")
        if step % settings.checkpoint_steps == 0 or step == settings.steps:
            entry = {"step": step, "loss": round(total / counted, 4), **accuracy(model, dev_chunks, dev_rows),
                     "learning_rate": round(schedulers[0].get_last_lr()[0], 6),
                     "seconds": round(time.perf_counter() - window_started)}
            history.append(entry)
            log(json.dumps(entry))
            total, counted, window_started = 0.0, 0, time.perf_counter()
            if entry["choice_accuracy"] >= max(h["choice_accuracy"] for h in history):
                torch.save(model.state_dict(), work / "best.pt")
            torch.save({"model": model.state_dict(), "optimizers": [o.state_dict() for o in optimizers],
                        "schedulers": [s.state_dict() for s in schedulers], "history": history, "step": step,
                        "generator": generator}, checkpoint.with_suffix(".tmp"))
            checkpoint.with_suffix(".tmp").replace(checkpoint)
    model.load_state_dict(torch.load(work / "best.pt", weights_only=False))
    ship(model, spec, out)
    best = max(history, key=lambda h: h["choice_accuracy"])
    summary = {"model": "diacritics", "corpora": list(CORPUS_FILES), "dev": f"1 article in {DEV_EVERY} (hash of its id)",
               "settings": asdict(settings), "inputs": len(spec["inputs"]), "classes": classes,
               "best": best, "history": history, "threads": threads,
               "seconds": round(time.perf_counter() - started)}
    (out / "training.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary


def ship(model, spec: dict, out: Path) -> None:
    """The graph and the vocabulary into `out`, the shipped model's folder."""
    out.mkdir(parents=True, exist_ok=True)
    export(model, out / GRAPH_FILE)
    (out / VOCABULARY_FILE).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


def export(model, path: Path) -> None:
    """The model as an ONNX graph with dynamic batch and chunk length; its embedding tables are stored
    in 16-bit floats (and cast back after each look-up), which halves the file for the same choices."""
    import onnx
    import torch

    model.eval()
    ids = torch.ones((2, 5), dtype=torch.int64)
    reverse = torch.arange(4, -1, -1).repeat(2, 1)
    names = [*INPUTS, "reverse"]
    axes = {name: {0: "batch", 1: "length"} for name in (*names, "best")}
    torch.onnx.export(model, (ids, ids, ids, ids, reverse), str(path), input_names=names,
                      output_names=["best"], dynamic_axes=axes, opset_version=17, dynamo=False)
    graph = onnx.load(str(path))
    _compact_tables(graph)
    onnx.save(graph, str(path))


def _compact_tables(model) -> None:
    """Store every table that only Gather nodes read in a smaller type, with a Cast back after each
    Gather: embeddings as float16, the candidate table (class ids under 32,768) as int16."""
    import onnx
    from onnx import helper, numpy_helper

    graph = model.graph
    readers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    nodes = list(graph.node)
    for initializer in graph.initializer:
        users = readers.get(initializer.name, [])
        if not users or any(node.op_type != "Gather" or node.input[0] != initializer.name for node in users):
            continue
        values = numpy_helper.to_array(initializer)
        if initializer.data_type == onnx.TensorProto.FLOAT:
            small, back = values.astype(np.float16), onnx.TensorProto.FLOAT
        elif initializer.data_type == onnx.TensorProto.INT64 and values.size and values.max() < 2 ** 15:
            small, back = values.astype(np.int16), onnx.TensorProto.INT64
        else:
            continue
        initializer.CopyFrom(numpy_helper.from_array(small, initializer.name))
        for node in users:
            compact = node.output[0] + "_compact"
            cast = helper.make_node("Cast", [compact], [node.output[0]], to=back)
            node.output[0] = compact
            nodes.insert(nodes.index(node) + 1, cast)
    del graph.node[:]
    graph.node.extend(nodes)
