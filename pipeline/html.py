"""Text, title and date of an HTML page, with one line per block element (selectolax/lexbor).

Boilerplate is *not* removed here: the normalize stage removes it and records what it removed,
so the audit can show it. Script, style and other non-text elements are dropped. The text of each
link is wrapped in LINK_START and LINK_END (two control characters, which normalize drops) so that
normalize can weigh a line's link density, the best evidence of navigation and link lists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

_BLOCKS = ("address,article,aside,blockquote,br,dd,div,dl,dt,figcaption,figure,footer,form,"
           "h1,h2,h3,h4,h5,h6,header,hr,li,main,nav,ol,p,pre,section,table,td,th,tr,ul")
LINK_START, LINK_END = "\x02", "\x03"  # ASCII start/end of text: never in real page text
_DATE_META = ('meta[property="article:published_time"]', 'meta[name="pubdate"]',
              'meta[name="publishdate"]', 'meta[itemprop="datePublished"]', 'meta[name="date"]')


@dataclass
class Page:
    text: str
    title: str | None
    date: str | None


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
    return Page("\n".join(line for line in lines if line.strip(LINK_START + LINK_END + " ")), title, date)


def link_density(line: str) -> float:
    """Share of the visible characters of `line` that are link text (between the link markers)."""
    if LINK_START not in line:
        return 0.0
    inside = total = 0
    depth = 0
    for char in line:
        if char == LINK_START:
            depth += 1
        elif char == LINK_END:
            depth = max(depth - 1, 0)
        elif not char.isspace():
            total += 1
            inside += depth > 0
    return inside / total if total else 0.0


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
