"""Document frequencies: of the shipped background (VNTC news and viwiki), of the run's own corpus,
or both; each gives a term its idf and the share of documents it is in."""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import VnpipeError
from ...backends.model_files import require
from .learned import LearnedTerms, learned_terms, term_key
from ...text.vietnamese import internal_form
from .words import BACKGROUND, is_name

class MissingBackgroundModel(VnpipeError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"the keyword background model {path} is missing. Rebuild it with `vnpipe train "
                         "keywords` (see models/keywords/MODEL_CARD.md), or run with --document-frequencies corpus")




@dataclass(frozen=True)
class DocumentFrequencies:
    """How many of `documents` documents contain each term; gives each term its idf. When the
    documents come in sections (VNTC's ten topics), `sections` says over how many of them each
    term is spread (the exponential of the entropy of its documents' sections: 1 to the number of
    sections): a common word found alike in every section says little about any document."""

    documents: int
    counts: dict[str, int]
    sections: dict[str, float] = field(default_factory=dict)

    def count(self, term: str) -> int:
        """The documents the term is in (0: never seen); terms are counted in the models' one form
        (`internal_form`), so `hòa_bình` and `hoà_bình` are one term whatever the run's tone style."""
        return self.counts.get(internal_form(term), 0)

    def spread(self, term: str) -> float:
        """Over how many sections the term is spread (0: unknown)."""
        return self.sections.get(internal_form(term), 0)

    def share(self, term: str) -> float:
        """The share of the documents the term is in."""
        return self.count(term) / max(self.documents, 1)

    def learned(self, term: str) -> bool:
        """Whether the term is a learned multi-word term (only `BlendedFrequencies` know them)."""
        return False

    def section_share(self, term: str) -> float:
        """The share of the documents whose sections `sections` counts the term is in."""
        return self.share(term)

    def idf(self, term: str) -> float:
        # scikit-learn's smooth idf; a term the model has never seen has document frequency 0.
        return math.log((1 + self.documents) / (1 + self.count(term))) + 1

    @classmethod
    def fit(cls, term_lists: Iterable[list[str]], sections: list[str] | None = None) -> DocumentFrequencies:
        """Count the documents of each term; with `sections` (one label per document), also the
        spread of each term over them."""
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer  # a second to import: only when fitting

        vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False, use_idf=False, norm=None, binary=True)
        matrix = vectorizer.fit_transform([internal_form(term) for term in terms] for terms in term_lists).tocsr()
        counts = matrix.sum(axis=0).A1.astype(int)
        terms = vectorizer.get_feature_names_out().tolist()
        spread: dict[str, float] = {}
        if sections is not None:
            labels = np.asarray(sections)
            per_section = np.vstack([matrix[labels == label].sum(axis=0).A1 for label in sorted(set(sections))])
            shares = per_section / np.maximum(counts, 1)
            entropy = -(shares * np.log(np.where(shares > 0, shares, 1))).sum(axis=0)
            spread = dict(zip(terms, np.round(np.exp(entropy), 2).tolist()))
        return cls(matrix.shape[0], dict(zip(terms, counts.tolist())), spread)

    def write(self, path: Path, min_documents: int = 1) -> None:
        """A TSV `term<TAB>documents[<TAB>sections]`, most frequent first; terms in fewer than
        `min_documents` documents are left out (they then count as unseen: the highest idf)."""
        kept = sorted(((t, n) for t, n in self.counts.items() if n >= min_documents), key=lambda item: (-item[1], item[0]))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            out.write(f"#documents\t{self.documents}\n")
            if self.sections:
                out.writelines(f"{term}\t{count}\t{self.sections[term]:.2f}\n" for term, count in kept)
            else:
                out.writelines(f"{term}\t{count}\n" for term, count in kept)

    @classmethod
    def read(cls, path: Path) -> DocumentFrequencies:
        if not path.is_file():
            raise MissingBackgroundModel(path)
        counts, sections = {}, {}
        with path.open(encoding="utf-8") as lines:
            documents = int(next(lines).split("\t")[1])
            for line in lines:
                term, count, *spread = line.rstrip("\n").split("\t")
                counts[term] = int(count)
                if spread:
                    sections[term] = float(spread[0])
        return cls(documents, counts, sections)


class BlendedFrequencies:
    """Document frequencies over VNTC news (the segmented sample of `base`) and viwiki, and, when
    given, the run's own corpus: a term's documents are its documents in each, over all their
    documents. VNTC's 2007 news alone punish today's words; Wikipedia of 2017 knows `điện toán đám
    mây`, `Bitcoin` and `thương mại điện tử`. viwiki was never segmented: a term's viwiki documents
    are those containing its syllables (`LearnedTerms`), times the share of VNTC's documents with those
    syllables that have the term itself (`tiền` is in many more documents as a syllable than as a
    word). A term unknown to the segmented sample gets its VNTC documents the same way, unscaled."""

    def __init__(self, base: DocumentFrequencies, terms: LearnedTerms, corpus: DocumentFrequencies | None = None):
        self.base, self.terms, self.corpus = base, terms, corpus
        self.news, self.wiki = terms.documents.get("vntc", 0), terms.documents.get("viwiki", 0)
        self.documents = base.documents + self.wiki + (corpus.documents if corpus is not None else 0)
        self.sections = base.sections  # VNTC's ten topics
        self._memo: dict[str, int] = {}
        self._shares: dict[str, float] = {}  # (every term a run meets is looked up several times per document)

    def count(self, term: str) -> int:
        if term not in self._memo:
            self._memo[term] = self._count(term) + (self.corpus.count(term) if self.corpus is not None else 0)
        return self._memo[term]

    def _count(self, term: str) -> int:
        seen = self.base.count(term)
        news, wiki = self.terms.document_counts.get(term_key(term), (0, 0))[:2]
        if (not news and not wiki) or (not seen and is_name(term)):
            # The learned terms are lower-cased: a name the news never had may be a common word there (`AI`, `ai`).
            return seen
        if seen:
            share = min(1.0, seen / self.base.documents / (news / self.news)) if news else 0.0
            return round(seen + wiki * share)
        return round(news * self.base.documents / max(self.news, 1) + wiki)

    def share(self, term: str) -> float:
        """The term's largest share of the documents of one corpus: established vocabulary of news
        (`chung_cư`) or of Wikipedia is established, even if the other corpus rarely has it."""
        if term not in self._shares:
            self._shares[term] = self._share(term)
        return self._shares[term]

    def _share(self, term: str) -> float:
        shares = [self.base.share(term)]
        news, wiki = self.terms.document_counts.get(term_key(term), (0, 0))[:2]
        if wiki and self.wiki and (self.base.count(term) or not is_name(term)):
            seen = self.base.count(term)
            scale = min(1.0, seen / self.base.documents / (news / self.news)) if seen and news else float(not seen)
            shares.append(wiki * scale / self.wiki)
            if not seen:
                shares.append(news / max(self.news, 1))
        if self.corpus is not None:
            shares.append(self.corpus.share(term))
        return max(shares)

    def learned(self, term: str) -> bool:
        key = term_key(term)
        return " " in key and key in self.terms

    def section_share(self, term: str) -> float:
        return self.base.share(term)  # the sections are VNTC's topics

    def spread(self, term: str) -> float:
        return self.base.spread(term)

    idf = DocumentFrequencies.idf


@functools.cache
def background_model(path: Path = BACKGROUND) -> BlendedFrequencies:
    """The shipped background document frequencies (VNTC and viwiki, see `BlendedFrequencies`),
    read once per process."""
    return BlendedFrequencies(DocumentFrequencies.read(require(path)), learned_terms())


def _identity(terms: list[str]) -> list[str]:
    return terms
