"""The keywords stage: the top words, phrases and entities of each document, ranked by a small
learned model, and the tags of the user's rules.

Terms (terms.py, phrases.py): entity names, nouns and noun phrases, learned terms
(models/keywords/terms.tsv: collocations of VNTC and viwiki), the compounds the document uses as
one unit (`tiền ảo`, `xe tự lái`, `mạng nơ-ron`, where the segmenter split them) and the phrases
the document repeats (`trạm sạc`, `cáp quang biển`, `gọi vốn`: today's terms no corpus had). A verb
with a fragment of its subject or object is no term (`thanh niên ném`, `vỡ kính`), nor a measure
word or a unit with a stray letter (`lần so`, `độ C`); case variants are one term (`Bitcoin`,
`bitcoin`), and a name the NER stage garbled is cleaned (`Conte Antonio Conte`). Times
(`hôm_qua`) and addresses are no terms; network generations are (`5G`).

Which terms may be keywords (selection.py, `may_be_keyword`): a common noun or noun phrase must be
established vocabulary (in at least `min_noun_share` of the documents of one corpus of the
background: models/keywords, VNTC news and viwiki), or newer than the background and repeated
(`new_term_min_mentions`), and neither too generic (`công_ty`), a filler (`sự_việc`), a unit or a
period (`USD`, `quý`: next to numbers); a verb or adjective must be a topic (a learned term, rare
in the corpora, repeated); a name must be known to the background or mentioned at least
`name_min_mentions` times.

Ranking (features.py, ranker.py): a logistic regression over each candidate's mentions, spread,
first position, title or lead, kind (entity label, noun, phrase, ...), length and TF-IDF against the
background (models/keywords/ranker.json; `vnpipe train keyword-ranker` learns it from the words of
titles that the text uses, as KEA does). The score is its probability. One entry per concept
(`same_concept`: a phrase or its head, a word or the phrase holding most of its mentions, a verb
with its object or the object, one generic word for a person, a name or its alias): the better
scored stays. At most `max_names` names make the top k besides the central ones. Credit lines
(`Tác giả: …`) give no terms. A document's keywords depend only on the document unless the
frequencies are `corpus` or `combined`.
"""
from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...backends.tags import TAG, load_rules, match_tags, rules_digest
from ...backends.model_files import require
from ...digests import file_digest
from ..base import Stage
from .features import FEATURES, Candidate, candidates, features, fold_case
from .frequencies import BlendedFrequencies, DocumentFrequencies, MissingBackgroundModel, background_model
from .learned import LearnedTerms, learned_terms, term_key
from .phrases import join_document_units, join_learned_terms, repeated_phrases
from .ranker import RANKER, Ranker, shipped_ranker
from .selection import nested_duplicates, ranked_candidates, score_terms, select, synonyms, with_aliases
from .settings import DOCUMENT_FREQUENCIES, Settings
from .terms import KINDS, ScannedTerms, clean_name, document_terms, scan_terms
from .words import BACKGROUND, TERMS, counted_nouns, credit_lines, is_candidate, is_name, is_time_expression, stopwords

KEYWORD = pa.struct([("term", pa.string()), ("score", pa.float32())])

__all__ = ["BACKGROUND", "DOCUMENT_FREQUENCIES", "FEATURES", "KINDS", "RANKER", "TERMS", "BlendedFrequencies",
           "Candidate", "DocumentFrequencies", "Keywords", "LearnedTerms", "MissingBackgroundModel", "Ranker",
           "ScannedTerms", "Settings", "background_model", "candidates", "clean_name", "counted_nouns", "credit_lines",
           "document_terms", "features", "fold_case", "is_candidate", "is_name", "is_time_expression",
           "join_document_units", "join_learned_terms", "learned_terms", "ranked_candidates",
           "nested_duplicates", "repeated_phrases", "scan_terms", "score_terms", "select", "shipped_ranker", "stopwords", "synonyms",
           "term_key", "with_aliases"]


# -- the stage --------------------------------------------------------------------------------------

class Keywords(Stage):
    name = "keywords"
    # 5: learned terms, topics, one entry per concept, central names, VNTC + viwiki background;
    # 6: phrases the document repeats, name aliases, no times or pronoun collocations
    # 7: terms are looked up in the models' one tone style (a classic-style run finds `hòa_bình`)
    # 8: ranked by a learned model (ranker.json) instead of TF-IDF; whole phrases only (no verb with a fragment
    #    of its object, the document's own compounds joined), case variants one term, one entry per concept
    # 9: the field names of a quoted e-mail header are no keywords (`Subject` led a run of 2,000 VNTC articles)
    version = "9"
    reads = {"normalize": ("text",), "segment": ("tokens",), "aliases": ("entities",)}
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
        parts = [f"terms-{file_digest(require(TERMS))}", f"ranker-{file_digest(require(RANKER))}"]
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
            scanned, frequencies, self.settings, counted_nouns(document["tokens"]))]
        tags = match_tags(self.rules, [k["term"] for k in keywords], document["entities"], document["text"])
        return {"keywords": keywords, "tags": tags}

