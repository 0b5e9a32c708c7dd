"""The keywords stage: the top words and entities of each document by TF-IDF on segmented words
(so that `trí_tuệ_nhân_tạo` and `Sam_Altman` stay whole), and the tags of the user's rules.

Terms: entity names, nouns and noun phrases, learned terms (models/keywords/terms.tsv:
collocations of VNTC and viwiki) and the phrases the document itself repeats (`trạm sạc`, `cáp
quang biển`, `gọi vốn`: today's terms no corpus had). Words the segmenter split that make a learned
term are joined (`tiền ảo`, `cô gái`; not a pronoun and its verb, `ông nói`), and those tagged as
verbs or adjectives (`khởi_nghiệp`) may be keywords as topics. Times (`hôm_qua`, `năm_ngoái`) and
addresses are no terms; network generations are (`5G`).

Document frequencies come from a background model (models/keywords: VNTC news counted by term, plus
viwiki's documents from the learned terms; the default: a document's keywords do not depend on
what else is in the run), the run's own corpus, or both (`combined`). Scores are TfidfVectorizer's
defaults: raw term count times smooth idf, l2-normalized over all the document's candidate terms
(a phrase the background never saw takes the idf of its head).

Which terms may be keywords (see `select`): a common noun or noun phrase must be established
vocabulary (in at least `min_noun_share` of the documents of one corpus: rare nouns and one-off
phrases identify a document but say nothing of what it is about), or newer than the frequencies
and repeated (`new_term_min_mentions`: `trí_tuệ_nhân_tạo` in today's news), and not too generic
(`công_ty`: common and spread alike over VNTC's sections), a unit or period (`USD`, `quý`: next to
numbers) or a part of a longer keyword (`mây`); a verb or adjective must be a topic (a learned
term, rare in the corpora, repeated); a name must be known to the frequencies (in at least 3 of
their documents) or mentioned at least `name_min_mentions` times. One entry per concept
(`merge_near_duplicates`: a phrase or its head, a name or its alias), and at most `max_names`
names make the top k besides the central ones (many mentions, or in the title or lead). Credit
lines (`Tác giả: …`) give no terms.
"""
from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...backends.tags import TAG, load_rules, match_tags, rules_digest
from ...backends.model_files import require
from ...digests import file_digest
from ..base import Stage
from .frequencies import BlendedFrequencies, DocumentFrequencies, MissingBackgroundModel, background_model
from .selection import merge_near_duplicates, part_of_longer, score_terms, select, with_aliases
from .settings import DOCUMENT_FREQUENCIES, Settings
from .terms import (LearnedTerms, ScannedTerms, document_terms, join_learned_terms, learned_terms, repeated_phrases,
                    scan_terms, term_key)
from .words import BACKGROUND, TERMS, counted_nouns, credit_lines, is_candidate, is_name, is_time_expression, stopwords

KEYWORD = pa.struct([("term", pa.string()), ("score", pa.float32())])

__all__ = ["BACKGROUND", "DOCUMENT_FREQUENCIES", "TERMS", "BlendedFrequencies", "DocumentFrequencies", "Keywords",
           "LearnedTerms", "MissingBackgroundModel", "ScannedTerms", "Settings", "background_model", "counted_nouns",
           "credit_lines", "document_terms", "is_candidate", "is_name", "is_time_expression", "join_learned_terms",
           "learned_terms", "merge_near_duplicates", "part_of_longer", "repeated_phrases", "scan_terms",
           "score_terms", "select", "stopwords", "term_key", "with_aliases"]


# -- the stage --------------------------------------------------------------------------------------

class Keywords(Stage):
    name = "keywords"
    # 5: learned terms, topics, one entry per concept, central names, VNTC + viwiki background;
    # 6: phrases the document repeats, name aliases, no times or pronoun collocations
    # 7: terms are looked up in the models' one tone style (a classic-style run finds `hòa_bình`)
    version = "7"
    reads = {"normalize": ("text",), "segment": ("tokens",), "ner": ("entities",)}
    Settings = Settings
    schema = pa.schema([("doc_id", pa.string()), ("keywords", pa.list_(KEYWORD)), ("tags", pa.list_(TAG))])
    items = "keywords"
    exposes = {"keywords": "keywords", "tags": "tags"}
    skips_duplicates = True

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.rules = load_rules(self.settings.tag_rules) if self.settings.tag_rules else []
        # Fitted on this corpus by fit(); the background model is read where a part runs (once per
        # worker process), so it does not travel with every part's task.
        self.frequencies: DocumentFrequencies | None = None

    @property
    def corpus_level(self) -> bool:  # type: ignore[override]
        # Background frequencies make each document's keywords independent of the rest of the run,
        # so only new or changed parts are recomputed; corpus frequencies need every document first.
        return self.settings.document_frequencies != "background"

    def model_checksum(self) -> str:
        parts = [f"terms-{file_digest(require(TERMS))}"]
        if self.settings.document_frequencies != "corpus":
            parts.append(f"background-{file_digest(require(BACKGROUND))}")
        if self.settings.tag_rules:
            parts.append(f"rules-{rules_digest(self.settings.tag_rules)}")
        return "+".join(parts)

    def fit(self, documents) -> None:
        corpus = DocumentFrequencies.fit(document_terms(d["tokens"], d["entities"]) for d in documents)
        self.frequencies = corpus if self.settings.document_frequencies == "corpus" else BlendedFrequencies(
            background_model().base, learned_terms(), corpus)

    def process(self, document: dict[str, Any]) -> dict[str, Any]:
        frequencies = self.frequencies if self.corpus_level else background_model()
        if frequencies is None:
            raise RuntimeError("keywords: fit() must see the corpus before process()")
        scanned = scan_terms(document["tokens"], document["entities"])
        keywords = [{"term": term, "score": score} for term, score in select(
            scanned.terms, frequencies, self.settings, counted_nouns(document["tokens"]), scanned.truncated,
            scanned.adjectival, scanned.topical, scanned.leading)]
        tags = match_tags(self.rules, [k["term"] for k in keywords], document["entities"], document["text"])
        return {"keywords": keywords, "tags": tags}

