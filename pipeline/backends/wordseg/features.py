"""Features of the vnpipe CRF segmenter (syllables in a window of ±2, their n-grams, shapes, and
whether the n-grams around each position are words of the dictionary), the stacked opinion of
underthesea's CRF, and the features of the POS tagger. Scores are worked out once per n-gram
(crf.WindowWeights), not written out as feature strings."""
from __future__ import annotations

import functools
import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ...text.vietnamese import apply_tone_style
from ..crf import Batch, SharedWeights
from .tokens import Token, is_vietnamese_syllable

def _shape(token: str, kind: str) -> str:
    if kind != "word":
        return kind
    if token.isupper():
        return "U" if len(token) > 1 else "u"
    if token[0].isupper():
        return "T"
    if token.islower():
        return "L" if is_vietnamese_syllable(token) else "F"
    return "M"


def syllable_forms(sentence: str, tokens: list[Token]) -> tuple[list[str], list[str]]:
    """Lower-case, tone-canonical form and shape of each token."""
    if not unicodedata.is_normalized("NFC", sentence):
        texts = [unicodedata.normalize("NFC", sentence[s:e]) for s, e, _ in tokens]
    else:
        texts = [sentence[s:e] for s, e, _ in tokens]
    if any(" " in text for text in texts):  # NFC split a token: each token on its own
        lowered = [apply_tone_style(t, "modern").lower() for t in texts]
        forms = [form if kind in ("word", "abbreviation", "punct") else "<" + kind + ">"
                 for form, (_, _, kind) in zip(lowered, tokens)]
        return forms, [_shape(text, kind) for text, (_, _, kind) in zip(texts, tokens)]
    if not texts:
        return [], []
    pairs = list(map(_form_and_shape, texts, [kind for _, _, kind in tokens], [False] * len(texts)))
    pairs[0] = _form_and_shape(texts[0], tokens[0][2], True)
    forms, shapes = zip(*pairs)
    return list(forms), list(shapes)


@functools.lru_cache(maxsize=65536)
def _form_and_shape(text: str, kind: str, first: bool) -> tuple[str, str]:
    """A token's form and shape, as `syllable_forms` makes them from the sentence's tokens joined by
    spaces: the space before a token (none before the first) is what the tone style reads there."""
    if kind not in ("word", "abbreviation", "punct"):
        return "<" + kind + ">", _shape(text, kind)
    form = apply_tone_style(text if first else " " + text, "modern").lower()
    return (form if first else form[1:]), _shape(text, kind)


class UndertheseaOpinion:
    """underthesea's segmentation CRF (trained on VLSP 2013, shipped in its wheel) run on our tokens:
    its label and confidence at each position are features of our CRF (stacking).

    Its features (underthesea_core's CRFFeaturizer templates: `T[-1]`, `T[0,1].lower`,
    `T[0].is_in_dict`, ...) are weighed once per syllable, pair and triple of syllables and kept
    (`WindowWeights`); the CRF is decoded here (`BinaryCrf`), with crfsuite's results."""

    MODEL_DIR = ("pipeline", "word_tokenize", "models", "ws_crf_vlsp2013_20230727")

    def __init__(self) -> None:
        import joblib
        import underthesea

        from ..crf import BinaryCrf, WindowWeights

        model_dir = Path(underthesea.__file__).parent.joinpath(*self.MODEL_DIR)
        self.dictionary = frozenset(joblib.load(model_dir / "dictionary.bin"))
        self.crf = BinaryCrf(model_dir / "models.bin")
        # template -> (first offset, last offset, function); grouped by the number of syllables it reads
        self.templates: dict[int, list[tuple[int, str, str]]] = {}
        for template in joblib.load(model_dir / "features.bin"):
            match = re.fullmatch(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(\w+))?", template)
            if not match or (match.group(3) or "") not in ("", "lower", "isdigit", "istitle", "is_in_dict"):
                raise ValueError(f"underthesea feature template {template!r} is not one vnpipe can compute")
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            if last - first > 0 and match.group(3) == "isdigit":
                raise ValueError(f"underthesea feature template {template!r}: isdigit of several syllables")
            self.templates.setdefault(last - first + 1, []).append((first, template, match.group(3) or ""))
        self._window_templates = {size: self._templates_of_windows(size) for size in self.templates if size > 1}
        # The terms of a window whose text no text template knows, by (size, is_in_dict, istitle).
        self._unseen_windows: dict[tuple[int, bool, bool], SharedWeights] = {}
        self.windows = []
        for size, templates in sorted(self.templates.items()):
            firsts = sorted({first for first, _, _ in templates})
            # A syllable's templates are added up into one term; a longer window's text templates are
            # added one by one, then its is_in_dict and istitle sums (see `_weigh_window`).
            terms = 1 if size == 1 else max(sum(f == first and function in ("", "lower") for f, _, function
                                                in templates) for first in firsts) + 2
            weigh = self._weigh_syllable if size == 1 else functools.partial(self._weigh_window, size)
            self.windows.append(WindowWeights(size, firsts, terms, weigh))

    @staticmethod
    def model_checksum() -> str:
        return f"underthesea-{version('underthesea')}"

    def _value(self, texts: tuple[str, ...], function: str) -> str:
        if _BOS in texts:
            return "BOS"
        if _EOS in texts:
            return "EOS"
        text = " ".join(texts)
        if function == "":
            return text
        if function == "lower":
            return text.lower()
        if function == "isdigit":  # underthesea_core's: the text parses as a 32-bit integer
            digits = text[1:] if text[:1] in "+-" else text
            return str(digits.isascii() and digits.isdigit() and -2 ** 31 <= int(text) < 2 ** 31)
        if function == "istitle":  # underthesea_core's: no word starts with a lower-case letter
            return str(not any(word[:1].islower() for word in texts))
        return str(text.lower() in self.dictionary)

    def attributes(self, texts: list[str]) -> list[list[str]]:
        """The feature strings of each position, as underthesea_core's CRFFeaturizer writes them."""
        padded = [_BOS, _BOS, *texts, _EOS, _EOS]
        rows = []
        for i in range(2, len(texts) + 2):
            row = []
            for size, templates in sorted(self.templates.items()):
                for first, template, function in templates:
                    window = tuple(padded[i + first:i + first + size])
                    row.append(f"{template}={self._value(window, function)}")
            rows.append(row)
        return rows

    def _weigh_syllable(self, text: str) -> dict[int, list[tuple[float, float]]]:
        """What the features reading this one syllable add, by where it is (first) relative to the position."""
        by_first: dict[int, list[str]] = {}
        for first, template, function in self.templates[1]:
            by_first.setdefault(first, []).append(f"{template}={self._value((text,), function)}")
        return {first: [self.crf.weights(attributes)] for first, attributes in by_first.items()}

    def _weigh_window(self, size: int, window: str) -> dict[int, list[tuple[float, float]]]:
        """What the features reading these `size` syllables add, by where the window starts relative
        to the position: the weights of the text templates one by one, then those of the is_in_dict
        and of the istitle templates summed. A window past either end weighs the sum of its
        templates' BOS or EOS weights."""
        text_templates, known, flags, pads = self._window_templates[size]
        texts = window.split(" ")
        if _BOS in texts or _EOS in texts:
            return pads["BOS" if _BOS in texts else "EOS"]
        lower = window.lower()
        in_dict, istitle = lower in self.dictionary, not any(text[:1].islower() for text in texts)
        unseen = window not in known and lower not in known
        if unseen and (size, in_dict, istitle) in self._unseen_windows:
            return self._unseen_windows[size, in_dict, istitle]  # most windows: only the flags weigh
        state = self.crf.state.get
        terms: dict[int, list[tuple[float, float]]] = {}
        for first, prefix, function in text_templates:
            value = lower if function else window
            terms.setdefault(first, []).append(state(prefix + value, (0.0, 0.0)) if value in known else (0.0, 0.0))
        for flag in (f"is_in_dict={in_dict}", f"istitle={istitle}"):
            for first, weights in flags.get(flag, {}).items():
                terms.setdefault(first, []).append(weights)
        if unseen:
            terms = self._unseen_windows[size, in_dict, istitle] = SharedWeights(terms)
        return terms

    def _templates_of_windows(self, size: int) -> tuple:
        """For the templates reading `size` syllables: the text templates, the values any of them
        knows (a window whose text the model never saw skips those look-ups), and the weights of
        the yes/no templates and of a window past either end, summed by where the window starts."""
        state = self.crf.state
        text_templates, known = [], set()
        flags: dict[str, dict[int, tuple[float, float]]] = {}
        pads: dict[str, dict[int, tuple[float, float]]] = {"BOS": {}, "EOS": {}}

        def add(sums: dict[int, tuple[float, float]], first: int, attribute: str) -> None:
            weights = state.get(attribute, (0.0, 0.0))
            total = sums.get(first, (0.0, 0.0))
            sums[first] = (total[0] + weights[0], total[1] + weights[1])

        for first, template, function in self.templates[size]:
            for pad, sums in pads.items():
                add(sums, first, f"{template}={pad}")
            if function in ("", "lower"):
                prefix = f"{template}="
                text_templates.append((first, prefix, function))
                known.update(attribute[len(prefix):] for attribute in state if attribute.startswith(prefix))
            else:
                for value in ("True", "False"):
                    add(flags.setdefault(f"{function}={value}", {}), first, f"{template}={value}")
        pads = {pad: {first: [weights] for first, weights in sums.items()} for pad, sums in pads.items()}
        return text_templates, frozenset(known), flags, pads

    def decode(self, texts: list[list[str]], batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        """The CRF's label (0: B-W, 1: I-W) and confidence (the probability of I-W, in fifths) at each
        position of `batch`, whose sentences are the tokens `texts`."""
        slots = []
        for sentence in texts:
            # underthesea's training data and dictionary write `hoà`, `uỷ` (the modern tone placement).
            joined = " ".join(sentence)
            styled = apply_tone_style(joined if unicodedata.is_normalized("NFC", joined)
                                      else unicodedata.normalize("NFC", joined), "modern").split(" ")
            slots += [_BOS, _BOS, *(styled if len(styled) == len(sentence) else sentence), _EOS, _EOS]
        scores = np.zeros((batch.size, 2))
        for windows in self.windows:
            windows.add(scores, slots, batch)
        return self.crf.viterbi(scores, batch), np.rint(self.crf.marginals(scores, batch) * 5).astype(np.intp)

    def features(self, texts: list[str]) -> list[str]:
        """The stacking features of one sentence's tokens, as segment_features takes them."""
        if not texts:
            return []
        labels, fifths = self.decode([texts], Batch([len(texts)]))
        return [f"ut={'BI'[label]}{fifth}" for label, fifth in zip(labels.tolist(), fifths.tolist())]


_BOS, _EOS = "\x00BOS", "\x00EOS"  # padding: a window that reaches past the sentence reads BOS or EOS


def segment_features(forms: list[str], shapes: list[str], dictionary: dict[str, int],
                     opinions: list[str] | None = None) -> list[list[str]]:
    """CRF features of each position; label B starts a word, I continues it."""
    n = len(forms)
    w = ["<s>", "<s>"] + forms + ["</s>", "</s>"]
    s = ["<s>", "<s>"] + shapes + ["</s>", "</s>"]
    get = dictionary.get
    features = []
    for i in range(2, n + 2):
        w2, w1, w0, p1, p2 = w[i - 2], w[i - 1], w[i], w[i + 1], w[i + 2]
        b10 = w1 + " " + w0
        b01 = w0 + " " + p1
        t210 = w2 + " " + b10
        t101 = b10 + " " + p1
        t012 = b01 + " " + p2
        row = [
            "w0=" + w0, "w-1=" + w1, "w+1=" + p1, "w-2=" + w2, "w+2=" + p2,
            "b-1=" + b10, "b+1=" + b01, "b-2=" + w2 + " " + w1, "b+2=" + p1 + " " + p2,
            "t-1=" + t210, "t0=" + t101, "t+1=" + t012,
            "s0=" + s[i], "s-1=" + s[i - 1] + s[i], "s+1=" + s[i] + s[i + 1],
            "s-1+1=" + s[i - 1] + s[i] + s[i + 1],
        ]
        # Dictionary hits, each as the sources (bit mask) that know the n-gram: spans that join
        # this syllable to the one before (-1,0), or start (0,+1) or end (-1,0) a word here.
        for name, gram in (("d10", b10), ("d01", b01), ("d210", t210), ("d101", t101), ("d012", t012),
                           ("d3210", w[i - 3] + " " + t210 if i >= 3 else ""),
                           ("d2101", w2 + " " + t101), ("d1012", t101 + " " + p2),
                           ("d0123", t012 + " " + w[i + 3] if i + 3 < n + 4 else "")):
            sources = get(gram)
            if sources:
                row.append(f"{name}={sources}")
        if opinions is not None:
            row.append(opinions[i - 2])
        features.append(row)
    return features


class SegmentScores:
    """The state scores (B, I) that the segment CRF gives each position for `segment_features`,
    without writing the features out: what the features reading one syllable, one pair, triple or
    four syllables add to each position is worked out once per n-gram and kept (`WindowWeights`),
    and so is what each run of three shapes adds."""

    # Where a pair, triple or four syllables starts relative to the position, for each of the
    # features that read them (named as segment_features names them), in the order they are added.
    PAIRS = ((-2, "b-2="), (-1, "b-1="), (0, "b+1="), (1, "b+2="))
    TRIPLES = ((-2, "t-1="), (-1, "t0="), (0, "t+1="))
    PAIRS_KNOWN = ((-1, "d10="), (0, "d01="))
    TRIPLES_KNOWN = ((-2, "d210="), (-1, "d101="), (0, "d012="))
    FOURS_KNOWN = ((-3, "d3210="), (-2, "d2101="), (-1, "d1012="), (0, "d0123="))

    def __init__(self, crf, dictionary: dict[str, int]) -> None:
        from ..crf import WindowWeights

        self.crf, self.dictionary = crf, dictionary
        # The pairs and triples any b-/t- feature of the model knows: the others skip those look-ups.
        self.known = frozenset(attribute.partition("=")[2] for attribute in crf.state
                               if attribute[:1] in "bt" and attribute[1:3] in ("-1", "+1", "-2", "+2", "0="))
        words = frozenset(dictionary)  # an n-gram weighs something only if the model or the dictionary knows it
        self.windows = [
            WindowWeights(1, range(-2, 3), 1, self._weigh_syllable),
            WindowWeights(2, range(-2, 2), 2, functools.partial(self._weigh_ngram, self.PAIRS, self.PAIRS_KNOWN),
                          relevant=(self.known, words)),
            WindowWeights(3, range(-2, 1), 2, functools.partial(self._weigh_ngram, self.TRIPLES, self.TRIPLES_KNOWN),
                          relevant=(self.known, words)),
            WindowWeights(4, range(-3, 1), 1, functools.partial(self._weigh_ngram, (), self.FOURS_KNOWN),
                          relevant=(words,)),
        ]
        self.shapes = WindowWeights(3, (-1,), 1, self._weigh_shapes)
        # The weights of the stacked feature `ut=<label><fifths>`, by label * 6 + fifths.
        self.opinions = np.array([crf.state.get(f"ut={label}{fifths}", (0.0, 0.0))
                                  for label in "BI" for fifths in range(6)])

    def _weigh_syllable(self, text: str) -> dict[int, list[tuple[float, float]]]:
        names = ((-2, "w-2="), (-1, "w-1="), (0, "w0="), (1, "w+1="), (2, "w+2="))
        return {delta: [self.crf.weights([name + text])] for delta, name in names}

    def _weigh_ngram(self, names, known_names, text: str) -> dict[int, list[tuple[float, float]]]:
        """For each delta: the weight of the feature reading the n-gram itself, then that of the
        feature saying which dictionaries know it."""
        state = self.crf.state.get
        terms: dict[int, list[tuple[float, float]]] = {}
        if text in self.known:
            for delta, name in names:
                terms[delta] = [state(name + text, (0.0, 0.0))]
        sources = self.dictionary.get(text)
        if sources:
            for delta, name in known_names:
                terms.setdefault(delta, [(0.0, 0.0)] if names else []).append(state(f"{name}{sources}", (0.0, 0.0)))
        return terms

    def _weigh_shapes(self, shapes: str) -> dict[int, list[tuple[float, float]]]:
        before, shape, after = shapes.split(" ")
        return {-1: [self.crf.weights(["s0=" + shape, "s-1=" + before + shape, "s+1=" + shape + after,
                                       "s-1+1=" + before + shape + after])]}

    def __call__(self, forms: list[list[str]], shapes: list[list[str]], opinions: np.ndarray,
                 batch: Batch) -> np.ndarray:
        """The scores at each position of `batch` (position, label), whose sentences have these forms
        and shapes; `opinions`: the stacked feature at each position, as label * 6 + fifths."""
        scores = np.zeros((batch.size, 2))
        slots = [slot for sentence in forms for slot in ("<s>", "<s>", *sentence, "</s>", "</s>")]
        for windows in self.windows:
            windows.add(scores, slots, batch)
        self.shapes.add(scores, [slot for sentence in shapes for slot in ("<s>", "<s>", *sentence, "</s>", "</s>")],
                        batch)
        scores += self.opinions[opinions]
        return scores




def pos_features(words: list[str], shapes: list[str]) -> list[list[str]]:
    """CRF features of each word for POS tagging: the word, its neighbours, its syllables, its shape."""
    w = ["<s>", "<s>", *words, "</s>", "</s>"]
    s = ["<s>", *shapes, "</s>"]
    return [["w0=" + word, "w-1=" + w1, "w+1=" + p1, "w-2=" + w2, "w+2=" + p2,
             "w-1,0=" + w1 + " " + word, "w0,+1=" + word + " " + p1, *_word_features(word),
             "s0=" + shape, "s-1=" + before, "s+1=" + after]
            for w2, w1, word, p1, p2, before, shape, after in zip(w, w[1:], words, w[3:], w[4:], s, shapes, s[2:])]


@functools.lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[str, str, str]:
    """The POS features that read a word's syllables (first, last, how many)."""
    syllables = word.split("_")
    return "first=" + syllables[0], "last=" + syllables[-1], f"n={min(len(syllables), 4)}"


def load_dictionary(path: Path) -> dict[str, int]:
    """Multi-syllable words (lower-case, tone-canonical, syllables joined by spaces) -> source mask."""
    dictionary = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            word, sources = line.rstrip("\n").split("\t")
            dictionary[word] = int(sources)
    return dictionary

