"""Tag rules: a user's YAML file maps each tag to the evidence that earns it, and every document
gets the tags whose evidence it has, with the evidence that matched.

    ai:
      entities: [OpenAI, Nvidia]          # an entity's canonical name or its text, whole
      keywords: [trí_tuệ_nhân_tạo]        # one of the document's keywords (spaces or `_`)
      labels: [PER]                       # any entity with this label
      regex: ['AI', 'GPT-\\d+o?']         # in the normalized text, never inside a longer word

Everything matches whole words only: a regex is wrapped so that it can neither start nor end
inside a word, which keeps a rule for `AI` from firing inside `AIDS`. Regexes are case-sensitive
(`(?i)` makes one insensitive: take care, `ai` is also the Vietnamese for "who"); names and
keywords compare case-insensitively.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from ..errors import VnpipeError
from ..text.vietnamese import internal_form
from ..digests import file_digest

TAG = pa.struct([("tag", pa.string()), ("evidence", pa.list_(pa.string()))])
FIELDS = ("keywords", "entities", "labels", "regex")


class TagRulesError(VnpipeError):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"tag rules {path}: {problem}. Each tag maps to some of "
                         f"{', '.join(FIELDS)}, each a list, e.g. `ai: {{entities: [OpenAI], keywords: [trí_tuệ_nhân_tạo]}}`")


@dataclass(frozen=True)
class TagRule:
    tag: str
    keywords: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()
    regex: tuple[re.Pattern[str], ...] = ()


def rules_digest(path: str | Path) -> str:
    """The content of the rules file, so that editing it reruns the keywords stage."""
    try:
        return file_digest(path)
    except FileNotFoundError:
        raise TagRulesError(str(path), "no such file") from None


@functools.cache
def _load_rules(path: str, digest: str) -> tuple[TagRule, ...]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TagRulesError(path, f"not valid YAML ({error})".replace("\n", " ")) from None
    if not isinstance(data, dict) or not data:
        raise TagRulesError(path, "the file must be a mapping of tags to evidence")
    rules = []
    for tag, evidence in data.items():
        if not isinstance(evidence, dict) or not evidence:
            raise TagRulesError(path, f"tag {tag!r} must map to its evidence")
        unknown = sorted(set(evidence) - set(FIELDS))
        if unknown:
            raise TagRulesError(path, f"tag {tag!r} has unknown field(s) {', '.join(map(str, unknown))}")
        values = {}
        for field in FIELDS:
            items = evidence.get(field) or []
            if isinstance(items, str):
                items = [items]
            if not isinstance(items, list) or not all(isinstance(i, (str, int, float)) for i in items):
                raise TagRulesError(path, f"{tag}.{field} must be a list of strings")
            values[field] = [str(item) for item in items]
        rules.append(TagRule(
            tag=str(tag),
            keywords=frozenset(_term_key(k) for k in values["keywords"]),
            entities=frozenset(_name_key(e) for e in values["entities"]),
            labels=frozenset(values["labels"]),
            regex=tuple(_compile(path, str(tag), pattern) for pattern in values["regex"])))
    return tuple(rules)


def load_rules(path: str | Path) -> list[TagRule]:
    """The rules of a YAML file, checked; read once per process and file content."""
    return list(_load_rules(str(path), rules_digest(path)))


def _compile(path: str, tag: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")
    except re.error as error:
        raise TagRulesError(path, f"{tag}.regex {pattern!r} is not a valid regular expression ({error})") from None


def _term_key(term: str) -> str:
    """A keyword as rules and keywords both match it: syllables joined by `_`, any case, any tone style."""
    return internal_form("_".join(term.split())).casefold()


def _name_key(name: str) -> str:
    return internal_form(" ".join(name.split())).casefold()


def match_tags(rules: list[TagRule], keywords: list[str], entities: list[dict[str, Any]],
               text: str) -> list[dict[str, Any]]:
    """The tags of one document, in rule order, each with its evidence: `keyword:<term>`,
    `entity:<canonical name>`, `label:<LABEL>=<canonical name>`, `regex:<matched text>`."""
    tags = []
    for rule in rules:
        evidence: list[str] = []
        if rule.keywords:
            evidence += [f"keyword:{term}" for term in keywords if _term_key(term) in rule.keywords]
        for entity in entities:
            if rule.entities and (_name_key(entity["canonical"]) in rule.entities
                                  or _name_key(entity["text"]) in rule.entities):
                evidence.append(f"entity:{entity['canonical']}")
            if entity["label"] in rule.labels:
                evidence.append(f"label:{entity['label']}={entity['canonical']}")
        for pattern in rule.regex:
            evidence += [f"regex:{match.group(0)}" for match in pattern.finditer(text)]
        if evidence:
            tags.append({"tag": rule.tag, "evidence": list(dict.fromkeys(evidence))})
    return tags
