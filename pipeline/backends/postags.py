"""The one POS tag set of the segment stage's `pos` column, and Universal POS beside it.

`pos` holds the tag set our CRF tagger is trained on: VLSP 2016's (the POS column of the VLSP 2016
NER data), which writes a proper noun `NNP` and splits classifiers into `Nc` (things) and `Ns`
(people). Every token gets one of its tags, whatever produced it: the words our rules keep whole,
and the tags of the underthesea and pyvi backends (trained on VLSP 2013's set: `Np`, `CC`, `F`)
are mapped to it here. `upos` is the Universal POS of that tag (UPOS_OF_TAG).
"""
from __future__ import annotations

# tag: (meaning, examples, Universal POS). The README's table is written from this one.
TAGSET: dict[str, tuple[str, str, str]] = {
    "N": ("common noun", "`tháng`, `con gái`", "NOUN"),
    "NNP": ("proper noun (also names, brands, URLs, e-mails, handles, codes kept whole by our rules)",
            "`Minh`, `Hà Nội`, `OpenAI`", "PROPN"),
    "Nc": ("classifier noun for things", "`con`, `cái`, `chiếc`", "NOUN"),
    "Ns": ("classifier noun for people, kinship terms used as one", "`ông`, `chị`, `đứa`", "NOUN"),
    "Ne": ("collective noun", "`bọn`, `đoàn`, `đám`", "NOUN"),
    "Nu": ("unit noun", "`đồng`, `kg`, `USD`", "NOUN"),
    "Ny": ("abbreviated noun (all-capital abbreviations kept whole by our rules)", "`UBND`, `TP.`, `HIV`", "NOUN"),
    "Nb": ("borrowed noun", "`tivi`, `website`", "NOUN"),
    "Ni": ("letter or alphanumeric label", "`A5`, `1A`", "NOUN"),
    "V": ("verb", "`ôm`, `kể`", "VERB"),
    "Vb": ("borrowed verb", "`chat`, `photo`", "VERB"),
    "Vy": ("abbreviated verb", "`PCCC`", "VERB"),
    "A": ("adjective", "`nhanh`, `thảm thiết`", "ADJ"),
    "Ab": ("borrowed adjective", "`sexy`", "ADJ"),
    "P": ("pronoun", "`chúng tôi`, `đó`", "PRON"),
    "R": ("adverb", "`mới`, `từng`, `đã`", "ADV"),
    "L": ("determiner, quantifier", "`những`, `các`, `mỗi`", "DET"),
    "M": ("numeral, number, date, time (our rules tag numbers, dates and times M)", "`hai`, `rưỡi`, `12/5/2024`", "NUM"),
    "E": ("preposition", "`của`, `cho`, `về`", "ADP"),
    "C": ("subordinating conjunction, connective", "`thì`, `nhưng`, `nếu`", "SCONJ"),
    "Cc": ("coordinating conjunction", "`và`, `hoặc`", "CCONJ"),
    "I": ("interjection", "`ơi`, `ạ`", "INTJ"),
    "T": ("particle", "`cả`, `chính`, `thôi`", "PART"),
    "Z": ("bound morpheme written apart", "`phó`, `siêu`, `tái`", "X"),
    "X": ("unclassified (fixed expressions in the gold; our rules: a lower-case word written with `-` or `/`)",
          "`như thế`, `có lẽ`", "X"),
    "FW": ("foreign word", "`party`, `made`", "X"),
    "CH": ("punctuation, symbol", "`.`, `,`, `(`", "PUNCT"),
}
UPOS_OF_TAG = {tag: upos for tag, (_, _, upos) in TAGSET.items()}

# VLSP 2013's tags (underthesea, pyvi) and the few stray labels of the VLSP 2016 training data, which
# our tagger learned too, in the one tag set. VLSP 2013's `Nc` covers both classifiers: it stays `Nc`;
# underthesea's and pyvi's `C` covers both conjunctions (`và` too): it stays `C`.
TAG_OF_OTHER = {
    "Np": "NNP", "Y": "Ny", "CC": "Cc", "Cb": "C", "Eb": "E", "Mb": "M", "Pb": "P", "Xy": "X", "B": "FW",
    "F": "CH", "S": "C",  # pyvi: punctuation, subordinating conjunction
    "NPP": "NNP", "NNPY": "NNP", "B-NP": "N", "I-NP": "N",  # VLSP 2016 train: typing slips, chunk labels in the tag column
}


def tag_in_tagset(tag: str) -> str:
    """`tag` in the one tag set: mapped when it is a known tag of another set, `X` when unknown."""
    tag = TAG_OF_OTHER.get(tag, tag)
    return tag if tag in TAGSET else "X"


def upos(tag: str) -> str:
    """The Universal POS of a tag of the one tag set (`X` for anything else)."""
    return UPOS_OF_TAG.get(tag, "X")
