"""Text, title and date of an HTML page, with one line per block element (selectolax/lexbor).

Boilerplate is *not* removed here: the normalize stage removes it and records what it removed,
so the audit can show it. Script, style and other non-text elements are dropped. Where the page's
links are is kept beside the text (`Page.links`, character spans), so that normalize can weigh a
line's link density, the best evidence of navigation and link lists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

_BLOCKS = ("address,article,aside,blockquote,br,dd,div,dl,dt,figcaption,figure,footer,form,"
           "h1,h2,h3,h4,h5,h6,header,hr,li,main,nav,ol,p,pre,section,table,td,th,tr,ul")
LINK_START, LINK_END = "\x02", "\x03"  # mark link text while extracting; never in the result
_DATE_META = ('meta[property="article:published_time"]', 'meta[name="pubdate"]',
              'meta[name="publishdate"]', 'meta[itemprop="datePublished"]', 'meta[name="date"]')


@dataclass
class Page:
    text: str
    title: str | None
    date: str | None
    links: list[tuple[int, int]]  # spans of link text in `text`


def extract(html: str) -> Page:
    tree = LexborHTMLParser(html)
    for node in tree.css("script,style,noscript,template,svg,iframe,head > link"):
        node.decompose()
    title = _title(tree)
    date = _date(tree)
    root = tree.body or tree.root
    if root is None:
        return Page("", title, date)
    for node in root.css(_BLOCKS):
        node.insert_before("\n")
        node.insert_after("\n")
    for node in root.css("a[href]"):
        node.insert_before(LINK_START)
        node.insert_after(LINK_END)
    raw = root.text(separator="")
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.splitlines())
    text, links = _without_link_marks("\n".join(line for line in lines if line.strip(LINK_START + LINK_END + " ")))
    return Page(text, title, date, links)


def _without_link_marks(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without the link markers, and the spans the markers enclosed."""
    pieces: list[str] = []
    links: list[tuple[int, int]] = []
    depth = position = start = 0
    for piece in re.split(f"([{LINK_START}{LINK_END}])", marked):
        if piece == LINK_START:
            start = position if depth == 0 else start
            depth += 1
        elif piece == LINK_END:
            depth = max(depth - 1, 0)
            if depth == 0 and position > start:
                links.append((start, position))
        else:
            pieces.append(piece)
            position += len(piece)
    return "".join(pieces), links


def link_density(text: str, start: int, end: int, links: list[tuple[int, int]]) -> float:
    """Share of the visible characters of `text[start:end]` that are link text."""
    visible = sum(1 for char in text[start:end] if not char.isspace())
    if not visible or not links:
        return 0.0
    inside = sum(1 for link_start, link_end in links if link_start < end and start < link_end
                 for char in text[max(start, link_start):min(end, link_end)] if not char.isspace())
    return inside / visible


def _title(tree: LexborHTMLParser) -> str | None:
    for selector in ('meta[property="og:title"]', "title", "h1"):
        node = tree.css_first(selector)
        if node is None:
            continue
        value = node.attributes.get("content") if node.tag == "meta" else node.text()
        if value and value.strip():
            return value.strip()
    return None


def _date(tree: LexborHTMLParser) -> str | None:
    for selector in _DATE_META:
        node = tree.css_first(selector)
        if node is not None and node.attributes.get("content"):
            return node.attributes["content"].strip()
    node = tree.css_first("time[datetime]")
    return node.attributes["datetime"].strip() if node is not None else None
