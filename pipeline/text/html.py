"""Text, title and date of an HTML page, with one line per block element (selectolax/lexbor).

Boilerplate is *not* removed here: the normalize stage removes it and records what it removed,
so the audit can show it. Script, style and other non-text elements are dropped. Two kinds of
evidence are kept beside the text for normalize, as character spans: where the page's links are
(`Page.links`: a line's link density is the best evidence of navigation and link lists), and what
the page's structure says each line is (`Page.blocks`: headline, subheading, list item, table row,
paragraph of the article body, or page furniture such as menus, share bars, comments and footers).
A table row is one line, its cells separated by ` | `.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

_BLOCKS = ("address,article,aside,blockquote,br,dd,div,dl,dt,figcaption,figure,footer,form,"
           "h1,h2,h3,h4,h5,h6,header,hr,li,main,nav,ol,p,pre,section,table,tr,ul")
LINK_START, LINK_END = "\x02", "\x03"  # mark link text while extracting; never in the result
ROLE_MARK = "\x05"  # followed by a role's one-letter code at the start of a line; never in the result
_DATE_META = ('meta[property="article:published_time"]', 'meta[name="pubdate"]',
              'meta[name="publishdate"]', 'meta[itemprop="datePublished"]', 'meta[name="date"]')

# What the structure says a line is (the roles normalize reads from `blocks`).
HEADLINE, HEADING, ITEM, ROW, PARAGRAPH, FURNITURE = "headline", "heading", "item", "row", "paragraph", "furniture"
_CODES = {HEADLINE: "H", HEADING: "h", ITEM: "i", ROW: "r", PARAGRAPH: "p", FURNITURE: "f"}
_ROLES = {code: role for role, code in _CODES.items()}
_NO_ROLE = "n"
# Containers whose lines are page furniture whatever they say: by tag, by ARIA role, or by the words
# sites use in their class and id names (as readability-style extractors read them).
_FURNITURE_TAGS = frozenset({"nav", "aside", "form"})
_FURNITURE_ARIA = frozenset({"navigation", "contentinfo", "complementary", "banner", "search"})
_FURNITURE_NAMES = re.compile(r"comment|share|social|related|breadcrumb|menu|sidebar|widget|footer|navbar|"
                              r"(?:^|[-_ ])nav(?:$|[-_ ])|banner|advert|(?:^|[-_ ])ads?(?:$|[-_ ])|"
                              r"(?:^|[-_ ])tags?(?:$|[-_ ])|newsletter|subscribe|popular|trending|most-?read|"
                              # and the Vietnamese ones: related, comments, share, other news, read more, ads
                              r"lien-?quan|binh-?luan|chia-?se|tin-?khac|xem-?them|quang-?cao",
                              re.IGNORECASE)
_BODY_TAGS = frozenset({"article", "main"})
_TITLE_SEPARATOR = re.compile(r"\s+(?:[-|–—»:]|::)\s+")
_MAX_SITE_NAME_WORDS = 6


@dataclass
class Page:
    text: str
    title: str | None
    date: str | None
    links: list[tuple[int, int]] = field(default_factory=list)  # spans of link text in `text`
    blocks: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, role) of lines
    metadata: dict = field(default_factory=dict)  # other fields the page gives (Markdown front matter, byline)


def extract(html: str) -> Page:
    tree = LexborHTMLParser(html)
    for node in tree.css("script,style,noscript,template,svg,iframe,head > link"):
        node.decompose()
    date = _date(tree)
    root = tree.body or tree.root
    if root is None:
        return Page("", _title(tree, None), date)
    blocks = root.css(_BLOCKS)
    furniture = {node.mem_id for node in root.css("*") if _is_furniture(node)}
    has_body = any(node.tag in _BODY_TAGS and not _in_furniture(node, furniture) for node in blocks)
    roles = [_role(node, has_body, furniture) for node in blocks]  # read before the tree is marked up
    title = _title(tree, next((node for node, role in zip(blocks, roles) if role == HEADLINE and _is_headline(node)),
                              None))
    _mark_blocks(blocks, roles)
    _separate_cells(root)
    for node in root.css("a[href]"):
        node.insert_before(LINK_START)
        node.insert_after(LINK_END)
    lines, line_roles = _lines_and_roles(root.text(separator=""))
    text, links = _without_link_marks("\n".join(lines))
    return Page(text, title, date, links, _line_spans(text, line_roles))


def _mark_blocks(blocks: list[LexborNode], roles: list[str | None]) -> None:
    """A line break and the block's role mark before each block; after it, a line break and the mark
    of the block around it (the text that follows, up to the next block, is that block's)."""
    role_of = {node.mem_id: role for node, role in zip(blocks, roles)}
    for node, role in zip(blocks, roles):
        node.insert_before(f"\n{ROLE_MARK}{_CODES.get(role, _NO_ROLE)}")
        node.insert_after(f"\n{ROLE_MARK}{_CODES.get(_block_parent(node, role_of), _NO_ROLE)}")


def _separate_cells(root: LexborNode) -> None:
    """` | ` between the cells of a table row, which is one line."""
    for cell in root.css("td,th"):
        previous = cell.prev
        while previous is not None and not previous.is_element_node:
            previous = previous.prev
        if previous is not None and previous.tag in ("td", "th"):
            cell.insert_before(" | ")


def _lines_and_roles(raw: str) -> tuple[list[str], list[str | None]]:
    """The non-blank lines of the marked text, white space collapsed, and the role of each."""
    lines, roles = [], []
    role = None
    for line in raw.splitlines():
        if line.startswith(ROLE_MARK):
            role, line = _ROLES.get(line[1:2]), line[2:]
        # (a line without a mark is the same block's text after a line break in the source)
        line = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        if line.strip(LINK_START + LINK_END + " "):
            lines.append(line)
            roles.append(role)
    return lines, roles


def _line_spans(text: str, roles: list[str | None]) -> list[tuple[int, int, str]]:
    spans, start = [], 0
    for line, role in zip(text.split("\n"), roles):
        if role is not None:
            spans.append((start, start + len(line), role))
        start += len(line) + 1
    return spans


def _role(node: LexborNode, has_body: bool, furniture: set[int]) -> str | None:
    """What the structure says a block is; None when it says nothing (the line statistics decide)."""
    if _in_furniture(node, furniture):
        return FURNITURE
    if node.tag == "h1":
        return HEADLINE  # the page's headline, wherever it stands (often above <article>, after a menu)
    # Below h1, structure speaks only inside an explicit <article> or <main>: on a page without one,
    # a short <p> may be a site's slogan or a teaser, which the line statistics judge better.
    if not has_body or not _in_body(node):
        return None
    if node.tag in ("h2", "h3", "h4", "h5", "h6"):
        return HEADING
    if node.tag in ("li", "dt", "dd"):
        return ITEM
    if node.tag == "tr":
        return ROW
    return PARAGRAPH


def _is_headline(node: LexborNode) -> bool:
    """An <h1> that is not a link (a site's logo, linking home, is often an <h1>)."""
    text = node.text(strip=True)
    links = sum(len(link.text(strip=True)) for link in node.css("a[href]"))
    return bool(text) and links < len(text) / 2


def _ancestors(node: LexborNode | None):
    while node is not None and node.tag not in ("body", "html", "-undef", "-document"):
        yield node
        node = node.parent


def _in_body(node: LexborNode) -> bool:
    return any(item.tag in _BODY_TAGS for item in _ancestors(node))


def _in_furniture(node: LexborNode, furniture: set[int]) -> bool:
    return any(item.mem_id in furniture for item in _ancestors(node))


def _is_furniture(node: LexborNode) -> bool:
    """A site's furniture container: by tag, ARIA role or class and id names. Never one that holds
    the article (an ASP.NET page wraps all of it in a <form>; a layout <div class="has-sidebar">),
    nor an article's own <footer> (its author, its source)."""
    attributes = node.attributes
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    furniture = (node.tag in _FURNITURE_TAGS or (attributes.get("role") or "").lower() in _FURNITURE_ARIA
                 or (node.tag == "footer" and not any(item.tag in _BODY_TAGS for item in _ancestors(node.parent)))
                 or (bool(names.strip()) and _FURNITURE_NAMES.search(names) is not None))
    return furniture and node.tag not in _BODY_TAGS and node.css_first("article,main,h1") is None


def _block_parent(node: LexborNode, role_of: dict[int, str | None]) -> str | None:
    """The role of the nearest block element around `node`."""
    for item in _ancestors(node.parent):
        if item.mem_id in role_of:
            return role_of[item.mem_id]
    return None


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


def _title(tree: LexborHTMLParser, headline: LexborNode | None) -> str | None:
    """og:title, else the headline (<h1>), else <title> without the site's name after it."""
    node = tree.css_first('meta[property="og:title"]')
    for value in (node.attributes.get("content") if node is not None else None,
                  headline.text() if headline is not None else None):
        if value and value.strip():
            return " ".join(value.split())
    node = tree.css_first("title")
    value = " ".join(node.text().split()) if node is not None else ""
    return strip_site_name(value) or None


def strip_site_name(title: str) -> str:
    """`Giá vàng tăng mạnh - Tin nhanh 24h` -> `Giá vàng tăng mạnh`: the last part after a separator
    goes when it is short and shorter than the rest (a site's name); a dash inside the headline stays."""
    parts = list(_TITLE_SEPARATOR.finditer(title))
    if not parts:
        return title
    head, tail = title[:parts[-1].start()], title[parts[-1].end():]
    if 0 < len(tail.split()) <= _MAX_SITE_NAME_WORDS and len(tail) < len(head):
        return head
    return title


def _date(tree: LexborHTMLParser) -> str | None:
    for selector in _DATE_META:
        node = tree.css_first(selector)
        if node is not None and node.attributes.get("content"):
            return node.attributes["content"].strip()
    node = tree.css_first("time[datetime]")
    return node.attributes["datetime"].strip() if node is not None else None
