"""The keywords stage's settings."""
from __future__ import annotations

from dataclasses import dataclass

from ... import checks
from ..base import setting

DOCUMENT_FREQUENCIES = ("background", "corpus", "combined")


@dataclass(frozen=True)
class Settings:
    top_k: int = setting(10, flag="--top-k", help="Keywords per document.")
    min_score: float = setting(0.01, flag="--min-score", help="Lowest ranker score (the probability that a term "
                               "is a keyword) a keyword may have.")
    document_frequencies: str = setting("background", flag="--document-frequencies", help="Keyword document "
                                        "frequencies: background (models/keywords: VNTC news and viwiki), corpus "
                                        "(this run's documents) or combined (both).")
    min_noun_share: float = 0.005  # a common noun or phrase must be in this share of documents (30 of 6,000)
    new_term_min_mentions: int = 2  # ... or be mentioned this often in the document (terms newer than the frequencies)
    generic_min_share: float = 0.05  # a common noun in this share of documents ...
    generic_min_sections: float = 7.0  # ... spread over this many of their sections (of 10) is too generic
    name_min_mentions: int = 2  # a name unknown to the frequencies must be mentioned this often
    max_names: int = 4  # at most this many names (entities, proper nouns, abbreviations) in the top k ...
    central_name_mentions: int = 3  # ... besides those mentioned this often (or twice, one of them in the title or lead)
    tag_rules: str | None = setting(None, flag="--tag-rules", path=True, help="A YAML file of tag rules: "
                                    "tag -> keywords, entities, labels, regex (see tags.py).")

    def __post_init__(self) -> None:
        checks.at_least("--top-k (keywords.top_k)", self.top_k, 1)
        checks.within("--min-score (keywords.min_score)", self.min_score, 0, 1)
        checks.one_of("--document-frequencies (keywords.document_frequencies)", self.document_frequencies,
                      DOCUMENT_FREQUENCIES)
        checks.existing_file("--tag-rules (keywords.tag_rules)", self.tag_rules)

