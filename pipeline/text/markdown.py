"""Text, title and date of a Markdown document, one line per block (markdown-it-py, CommonMark
plus tables).

Markup goes; content stays: headings, paragraphs, list items, quotes, code and table cells each
become lines of plain text, and a link keeps its text while its span is recorded beside the text,
as for HTML (`Page.links`), so that normalize weighs link density the same way for both. A YAML
front matter block gives the title and date when it has them; otherwise the first level-1 heading
is the title.
"""
from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .html import Page
from .html import extract as extract_html

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_PARSER = MarkdownIt("commonmark").enable("table")


def extract(markdown: str) -> Page:
    front, body = _front_matter(markdown)
    lines: list[str] = []
    links: list[tuple[int, int]] = []
    position = 0  # where the next line starts in the joined text
    first_heading = None
    tokens = _PARSER.parse(body)
    for index, token in enumerate(tokens):
        if token.type == "inline":
            text, spans = _inline_text(token.children or [])
            if index and tokens[index - 1].type == "heading_open" and tokens[index - 1].tag == "h1":
                first_heading = first_heading or text.strip() or None
        elif token.type in ("fence", "code_block"):
            text, spans = token.content.rstrip("\n"), []
        elif token.type == "html_block":
            text, spans = extract_html(token.content).text, []
        else:
            continue
        line_start = 0  # where `line` starts in `text`
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                start = line_start + len(line) - len(line.lstrip())
                end = start + len(stripped)
                links += [(position + max(s, start) - start, position + min(e, end) - start)
                          for s, e in spans if s < end and e > start]
                lines.append(stripped)
                position += len(stripped) + 1
            line_start += len(line) + 1
    title = _text_field(front, "title") or first_heading
    return Page("\n".join(lines), title, _text_field(front, "date"), [(s, e) for s, e in links if e > s])


def _inline_text(children: list[Token]) -> tuple[str, list[tuple[int, int]]]:
    """The plain text of one inline run and the spans of its link texts."""
    pieces: list[str] = []
    links: list[tuple[int, int]] = []
    length, link_start = 0, None
    for child in children:
        if child.type == "link_open":
            link_start = length
            continue
        if child.type == "link_close":
            if link_start is not None and length > link_start:
                links.append((link_start, length))
            link_start = None
            continue
        piece = {"text": child.content, "code_inline": child.content, "softbreak": " ", "hardbreak": "\n",
                 "image": child.content}.get(child.type, "")
        pieces.append(piece)
        length += len(piece)
    return "".join(pieces), links


def _front_matter(markdown: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(markdown)
    if not match:
        return {}, markdown
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, markdown  # not front matter after all: keep it as text
    return (front if isinstance(front, dict) else {}), markdown[match.end():]


def _text_field(front: dict, name: str) -> str | None:
    value = front.get(name)
    return str(value).strip() or None if value is not None else None
