"""Text, title and date of an HTML page, with one line per block element (selectolax/lexbor).

Boilerplate is *not* removed here: the normalize stage removes it and records what it removed,
so the audit can show it. Script, style and other non-text elements are dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

_BLOCKS = ("address,article,aside,blockquote,br,dd,div,dl,dt,figcaption,figure,footer,form,"
           "h1,h2,h3,h4,h5,h6,header,hr,li,main,nav,ol,p,pre,section,table,td,th,tr,ul")
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
    raw = root.text(separator="")
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.splitlines())
    return Page("\n".join(line for line in lines if line), title, date)


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
