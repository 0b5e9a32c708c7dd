"""Text, title, date and metadata of a Markdown document, one line per block (markdown-it-py,
CommonMark plus tables).

Markup goes; content stays: headings, paragraphs, list items, quotes and code each become lines of
plain text, and a table row becomes one line, its cells separated by ` | `. A link keeps its text
while its span is recorded beside the text, as for HTML (`Page.links`), and so is what each line is
(`Page.blocks`: headline, subheading, list item, table row, paragraph), so that normalize keeps the
structure of a note as article text and leaves the line statistics only links to other pages to
judge. A YAML front matter block gives the title and date when it has them, and its other fields
go to the metadata; otherwise the first level-1 heading is the title. A byline paragraph
(`Đăng bởi Minh Anh · 20/05/2017`) goes to the metadata too (`byline`, and the date when none is given).
"""
from __future__ import annotations

import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .html import HEADING, HEADLINE, ITEM, PARAGRAPH, ROW, Page
from .html import extract as extract_html

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_PARSER = MarkdownIt("commonmark").enable("table")
_CELL_SEPARATOR = " | "
_BYLINE = re.compile(r"^(?:đăng bởi|viết bởi|người viết|tác giả|bởi|posted by|written by|by)\s*:?\s+"
                     r"(?P<author>[^·|•–—,\d][^·|•–—,]{0,60}?)"
                     r"(?:\s*[·|•–—,-]\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:\s+\d{1,2}:\d{2})?)?\s*$",
                     re.IGNORECASE)
_MAX_BYLINE_WORDS = 12

Block = tuple[str, list[tuple[int, int]], "str | None"]  # text, link spans in it, role


def extract(markdown: str) -> Page:
    front, body = _front_matter(markdown)
    metadata: dict[str, Any] = {key: value for key, value in front.items() if key not in ("title", "date")}
    date = _text_field(front, "date")
    blocks = []
    for text, spans, role in _blocks(_PARSER.parse(body)):
        byline = _BYLINE.match(text) if role == PARAGRAPH and len(text.split()) <= _MAX_BYLINE_WORDS else None
        if byline and "byline" not in metadata:
            metadata["byline"] = text
            metadata.setdefault("author", byline["author"].strip())
            if byline["y"] and not date:
                date = f"{int(byline['y']):04d}-{int(byline['m']):02d}-{int(byline['d']):02d}"
            continue
        blocks.append((text, spans, role))
    text, links, roles = _join(blocks)
    first_heading = next((text.strip() for text, _, role in blocks if role == HEADLINE and text.strip()), None)
    title = _text_field(front, "title") or first_heading
    return Page(text, title, date, links, roles, metadata)


def _blocks(tokens: list[Token]) -> list[Block]:
    """The text blocks of a token stream, each with its link spans and role."""
    blocks: list[Block] = []
    open_tags: list[str] = []
    row: list[tuple[str, list[tuple[int, int]]]] | None = None
    for token in tokens:
        if token.nesting == 1:
            open_tags.append(token.tag)
        elif token.nesting == -1:
            open_tags.pop()
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append((*_joined_cells(row), ROW))
            row = None
        elif token.type == "inline":
            text, spans = _inline_text(token.children or [])
            if row is not None:
                lead = len(text) - len(text.lstrip())
                row.append((text.strip(), [(s - lead, e - lead) for s, e in spans]))
            else:
                blocks.append((text, spans, _role(open_tags)))
        elif token.type in ("fence", "code_block"):
            blocks.append((token.content.rstrip("\n"), [], PARAGRAPH))
        elif token.type == "html_block":
            blocks.append((extract_html(token.content).text, [], None))
    return blocks


def _role(open_tags: list[str]) -> str:
    if open_tags and open_tags[-1] == "h1":
        return HEADLINE
    if open_tags and open_tags[-1] in ("h2", "h3", "h4", "h5", "h6"):
        return HEADING
    return ITEM if "li" in open_tags else PARAGRAPH


def _joined_cells(cells: list[tuple[str, list[tuple[int, int]]]]) -> tuple[str, list[tuple[int, int]]]:
    """One line for a table row: its cells' text separated by ` | `, and their link spans moved along."""
    pieces, spans, position = [], [], 0
    for text, cell_spans in cells:
        if pieces:
            pieces.append(_CELL_SEPARATOR)
            position += len(_CELL_SEPARATOR)
        pieces.append(text)
        spans += [(position + s, position + e) for s, e in cell_spans]
        position += len(text)
    return "".join(pieces), spans


def _join(blocks: list[Block]) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, str]]]:
    """The text, one line per non-blank line of each block, with the link spans and the lines' roles
    moved to their place in it."""
    lines: list[str] = []
    links: list[tuple[int, int]] = []
    roles: list[tuple[int, int, str]] = []
    position = 0  # where the next line starts in the joined text
    for text, spans, role in blocks:
        line_start = 0  # where `line` starts in `text`
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                start = line_start + len(line) - len(line.lstrip())
                end = start + len(stripped)
                links += [(position + max(s, start) - start, position + min(e, end) - start)
                          for s, e in spans if s < end and e > start]
                if role is not None:
                    roles.append((position, position + len(stripped), role))
                lines.append(stripped)
                position += len(stripped) + 1
            line_start += len(line) + 1
    return "\n".join(lines), [(s, e) for s, e in links if e > s], roles


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
