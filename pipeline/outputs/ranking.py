"""What "top" means, in one place, for `vnpipe show`, `vnpipe summary` and `vnpipe report`: a name or
keyword ranks by the number of documents it is in, then by its weight (an entity's mentions, a
keyword's summed score, a tag's pieces of evidence), then alphabetically. A story republished many
times counts once per copy; `unique_only` readers leave the copies out first."""
from __future__ import annotations

import pandas as pd

from ..backends.aliases import names_many


def rank(items: pd.DataFrame, keys: list[str], weight: str | None = None, per: str | None = None) -> pd.DataFrame:
    """One row per distinct `keys` (within each value of the column `per`, when given), with
    `documents` (distinct doc_ids) and `weight` (the sum of the column `weight`; the number of items
    when None), best first, and `rank` (1 = top, within `per`)."""
    by = [per, *keys] if per else keys
    weights = items[weight] if weight else pd.Series(1.0, index=items.index)
    counted = (items.assign(_weight=weights.astype(float)).groupby(by, as_index=False, sort=False)
               .agg(documents=("doc_id", "nunique"), weight=("_weight", "sum")))
    order = ([per] if per else []) + ["documents", "weight", *keys]
    counted = counted.sort_values(order, ascending=[True] * bool(per) + [False, False] + [True] * len(keys),
                                  kind="stable").reset_index(drop=True)
    counted["rank"] = counted.groupby(per).cumcount() + 1 if per else range(1, len(counted) + 1)
    return counted


def top_entities(entities: pd.DataFrame, top: int | None = None, per: str | None = None) -> pd.DataFrame:
    """Entities (`doc_id`, `canonical`, `label`) by canonical name and label: `documents`, `mentions`.
    A person named by an initial or one Vietnamese syllable (`H.`, `Thành`) is a different person in
    each document, so it is not ranked across them (its rows stay in the run)."""
    many = [names_many(name, label) for name, label in zip(entities["canonical"], entities["label"])]
    entities = entities[~pd.Series(many, index=entities.index, dtype=bool)]
    ranked = rank(entities, ["canonical", "label"], per=per).rename(columns={"weight": "mentions"})
    ranked["mentions"] = ranked["mentions"].astype(int)
    return _head(ranked, top)


def top_keywords(keywords: pd.DataFrame, top: int | None = None, per: str | None = None) -> pd.DataFrame:
    """Keywords (`doc_id`, `term`, `score`) by term: `documents`, `score` (summed)."""
    return _head(rank(keywords, ["term"], "score", per=per).rename(columns={"weight": "score"}), top)


def _head(ranked: pd.DataFrame, top: int | None) -> pd.DataFrame:
    return ranked if top is None else ranked[ranked["rank"] <= top].reset_index(drop=True)
