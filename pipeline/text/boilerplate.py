"""Finding the page furniture of crawled news: which lines are article text and which are not.

Structure first, then statistics. Where the document has structure (HTML and Markdown: the roles
of its lines, see text/html.py), it decides: the headline, and the subheadings, list items, table
rows and paragraphs of the article body are article text unless they are mostly links to other
pages or known furniture (a share prompt, a copyright line); the lines of menus, sidebars, share
bars, comments and site footers are furniture. What structure leaves open (plain text, and HTML
outside an explicit article body) is decided by evidence, in the manner of jusText: each line is
first judged on its own (known block headers, prompts, copyright and disclaimer lines, bullets,
long prose), then runs of title-like lines become link lists, and short lines that cannot decide
on their own take the class of their nearest decided neighbour.

A pattern decides only a line that looks like furniture: a paragraph of prose is never removed for
one phrase in it (`Tổng biên tập báo X cho biết ...`, a law that `cấm sao chép`); a notice or credit
glued into a line of text is cut out of it first (`split_glued`), and the line's text stays. And
when the rules would take most of a document all the same, they take none of it: the document
keeps its text and gets a warning (`protect_text`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from .credits import credit_spans, is_credit_line, notice_spans

GOOD, BAD, SHORT, CREDIT = "good", "bad", "short", "credit"

# Whole-line headers that open a block of links to other articles.
_BLOCK_HEADERS = {
    "related": r"bạn cũng có thể thích|có thể bạn quan tâm|có thể bạn chưa biết|tin liên quan|"
               r"bài viết liên quan|bài liên quan|tin tức liên quan|chủ đề liên quan|tin cùng chuyên mục|"
               r"cùng chuyên mục|xem thêm|đọc thêm|tin khác|các tin khác|bài khác|tin mới|tin mới nhất|"
               r"tin mới cập nhật|đọc tiếp|you may also like|related( articles| news)?|read more",
    "trending": r"thịnh hành|xu hướng|tin nổi bật|nổi bật|đọc nhiều( nhất)?|xem nhiều( nhất)?|"
                r"tin đọc nhiều|tin hot|tin nóng|trending|most read|popular",
}
_BLOCK_HEADER = re.compile(
    "|".join(f"(?P<{reason}>^(?:{words})\\s*[:»>›.]*$)" for reason, words in _BLOCK_HEADERS.items()),
    re.IGNORECASE)

# Lines that are furniture wherever they stand.
# Lines that are furniture wherever they stand, by how they begin (matched at the line start).
_FURNITURE = {
    "disclaimer": r"(tuyên bố )?miễn trừ trách nhiệm|disclaimer\b|lưu ý: (bài viết|thông tin) .*không phải",
    # A notice, not a sentence about rights: `Bản quyền thuộc về ...`, not `Bản quyền truyền hình ...`.
    "copyright": r"bản quyền (thuộc|©|\(c\)|\d{4}|nội dung|bài viết|tin bài)\b|copyright\b|"
                 r"giấy phép (số|thiết lập|hoạt động)",
    # A label and its value (`Tổng biên tập: ...`, `Hotline 0901 234 567`), not a sentence about an editor.
    "site_footer": r"(cơ quan chủ quản|tổng biên tập|phó tổng biên tập|chịu trách nhiệm (xuất bản|nội dung)|"
                   r"tòa soạn|toà soạn|trụ sở|hotline|đường dây nóng|liên hệ quảng cáo)\s*(:|\(?\+?\d).{0,150}$",
    "share_prompt": r"(chia sẻ|share|bình luận|gửi bình luận|viết bình luận|ý kiến của bạn|theo dõi|"
                    r"đăng ký|subscribe|tweet|in bài|gửi bài|lưu bài|bookmark|tải ứng dụng|tải app|"
                    r"(quay )?(lại|về|lên) đầu trang|follow us|like|báo lỗi|"
                    r"sao chép (liên kết|link)|copy link|nhận tin|đăng nhập)\b.{0,30}$|"
                    r"((facebook|twitter|zalo|email|messenger|linkedin|telegram|in|print|x)[\s|,·/-]*){1,6}$",
    "tags": r"(tags?|từ khóa|từ khoá|chủ đề)\s*:",
    "navigation": r"(trang chủ|home)\b|([^|»›>]{1,30}[|»›>]){2,}[^|»›>]{0,30}$",
    "bullet": r"[-–—•·*|+>]+$",
    "dated_headline": r"[-–•·*]\s.*\(\d{1,2}/\d{1,2}(/\d{2,4})?( \d{1,2}:\d{2})?\)$",
    # The time stamp or byline under another article's headline: `2 giờ trước`, `Hôm qua 08:15`.
    "byline": r"(.{0,40}[|·•-]\s*)?(\d{1,2} (phút|giờ|ngày|tuần|tháng) trước|hôm qua|vừa xong)"
              r"(\s*[|·•-].{0,40}|\s+\d{1,2}:\d{2})?$",
}
# One match per line: the reasons, in this order, as named alternatives.
_FURNITURE_START = re.compile("|".join(f"(?P<{reason}>{pattern})" for reason, pattern in _FURNITURE.items()),
                              re.IGNORECASE)
# The patterns that judge what a line says rather than its shape: a line of prose is never theirs,
# unless the line labels itself (`Tuyên bố miễn trừ trách nhiệm: ...`, `Từ khóa: ...`).
_PROSE_GUARDED = frozenset({"disclaimer", "copyright", "site_footer", "share_prompt", "tags", "navigation"})
# What the patterns remove (not the page's structure, not link density): what `protect_prose` watches.
_STRUCTURAL = frozenset({"link_dense", "page_furniture"})
# The rules that judge a line by its shape (short, in a run, a bullet), not by a phrase in it.
_SHAPE_RULES = frozenset({"link_list", "near_boilerplate", "bullet", "dated_headline", "byline"})
_CHEAP_NOTICE = re.compile(r"©|\([cC]\)|[sS]ao chép|[nN]guồn|[rR]ights|[cC]opyright|[bB]ản quyền")
_CHEAP_CREDIT = re.compile(r"Ảnh|Video|Clip|Đồ h|TTXVN|Theo |Nguồn|AFP|Reuters|\(AP\)|VNA")

_CLOSERS = "\"'”’»)]"
_INNER_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*\s+\S")
_MIN_PROSE_WORDS = 15
# jusText's limits: a line mostly made of links is navigation or a link list whatever its length;
# a short one with a fair share of links is too.
_MAX_LINK_DENSITY, _MAX_SHORT_LINK_DENSITY = 0.5, 0.25
_MAX_TITLE_WORDS = 30
_MIN_LINK_LIST = 3
_MIN_RESUMED_LINES, _MIN_RESUMED_CHARS = 3, 400


@dataclass
class Line:
    number: int  # line number in the text, blank lines counted
    start: int   # offsets of the stripped line in the text
    end: int
    text: str
    kind: str = SHORT
    reason: str = ""
    link_density: float = 0.0  # share of the line that is link text (HTML and Markdown only)
    role: str | None = None  # what the document's structure says the line is (HTML and Markdown only)
    by_structure: bool = False  # decided by the structure: the statistics leave it as it is


def classify_lines(lines: list[Line]) -> None:
    """Set `kind` (good/bad) and, for bad lines, `reason` on every line, in place."""
    for line in lines:
        _judge_alone(line)
        _judge_by_structure(line)
    _mark_link_lists(lines)
    _mark_blocks_after_headers(lines)
    _resolve_by_context(lines)


def _judge_alone(line: Line) -> None:
    text = line.text
    header = _BLOCK_HEADER.match(text)
    if header:
        line.kind, line.reason = BAD, f"{header.lastgroup}_header"
        return
    words = len(text.split())
    furniture = _FURNITURE_START.match(text)
    labelled = furniture is not None and (furniture.group().rstrip().endswith(":")
                                          or text[furniture.end():furniture.end() + 2].lstrip().startswith(":"))
    if furniture and (labelled or not (furniture.lastgroup in _PROSE_GUARDED and is_prose(text, words))):
        line.kind, line.reason = BAD, furniture.lastgroup
        return
    if _CHEAP_NOTICE.search(text) and _is_notice(text):
        line.kind, line.reason = BAD, "copyright"
        return
    if line.link_density > _MAX_LINK_DENSITY or (
            line.link_density > _MAX_SHORT_LINK_DENSITY and words < _MIN_PROSE_WORDS):
        line.kind, line.reason = BAD, "link_dense"
        return
    if words >= _MIN_PROSE_WORDS and (_ends_like_sentence(text) or _INNER_SENTENCE.search(text)):
        line.kind = GOOD


# Roles (text/html.py) that make a line article text, and the single-line verdicts they overrule:
# guesses from a line's look (a short line with one inline link, a table row's ` | `, a list dash)
# that the structure answers better. Block headers, prompts, copyright and footers still count.
_ARTICLE_ROLES = frozenset({"headline", "heading", "item", "row", "paragraph"})
_OVERRULED = {"link_dense", "bullet", "dated_headline", "byline"}
_OVERRULED_IN_ROWS = {*_OVERRULED, "navigation"}


def _judge_by_structure(line: Line) -> None:
    if line.role == "furniture":
        line.kind, line.reason = BAD, line.reason or "page_furniture"
        line.by_structure = True
        return
    if line.role not in _ARTICLE_ROLES or line.link_density > _MAX_LINK_DENSITY:
        return  # no say, or mostly links: a link to another page, whatever its place
    overruled = _OVERRULED_IN_ROWS if line.role == "row" else _OVERRULED
    if line.kind == BAD and line.reason not in overruled:
        return
    line.kind, line.reason, line.by_structure = GOOD, "", True


def is_prose(text: str, words: int | None = None) -> bool:
    """A sentence or more of article text: long enough, and ending like a sentence or holding one."""
    words = len(text.split()) if words is None else words
    return words >= _MIN_PROSE_WORDS and (_ends_like_sentence(text) or _INNER_SENTENCE.search(text) is not None)


def _is_notice(text: str) -> bool:
    """Whether the whole line is copyright notices (`© 2017 Báo X. Ghi rõ nguồn khi ...`)."""
    spans = notice_spans(text)
    return bool(spans) and sum(end - start for start, end in spans) >= len(text.replace(" ", "")) * 0.8


def split_glued(lines: list[Line], text: str) -> list[Line]:
    """The lines, with the notices and credits that crawled pages glue into a line of text cut out
    as lines of their own (offsets into `text`, where the lines come from), so that the notice or
    credit goes and the sentences around it stay."""
    result = []
    for line in lines:
        cuts = []
        if _CHEAP_NOTICE.search(line.text) and is_prose(line.text) and not _is_notice(line.text):
            cuts += notice_spans(line.text)  # a short line is decided whole
        if _CHEAP_CREDIT.search(line.text) and not is_credit_line(line.text):
            cuts += credit_spans(line.text)
        if not cuts:
            result.append(line)
            continue
        bounds = sorted({0, len(line.text), *(edge for cut in cuts for edge in cut)})
        for start, end in zip(bounds, bounds[1:]):
            piece = line.text[start:end]
            left = start + len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                result.append(replace(line, start=line.start + left, end=line.start + left + len(piece), text=piece))
    return result


def mark_credits(lines: list[Line]) -> None:
    """Lines of article text that are credits (`TTXVN/Tin Tức`, `Ảnh: H.N`, `Theo GĐVN`) are
    `CREDIT`: metadata, not text to analyse. A credit inside page furniture stays furniture."""
    for line in lines:
        if line.kind != BAD and _CHEAP_CREDIT.search(line.text) and is_credit_line(line.text):
            line.kind, line.reason = CREDIT, "credit"


def protect_text(lines: list[Line]) -> list[dict]:
    """When the rules that read a line's words and shape (not the page's structure) would remove
    more than half of a document's characters, they remove none of them: the lines stay. When a
    phrase pattern was the main one (a copyright, footer or share pattern, a block header), a
    warning says which and how much it would have taken; a document the shape rules would have
    emptied (a list of short lines: a Wikipedia year, ingredients, photo captions) is a list, and
    is kept without one."""
    total = sum(len(line.text) for line in lines)
    lost: Counter = Counter()
    for line in lines:
        if line.kind == BAD and not line.by_structure and line.reason not in _STRUCTURAL:
            lost[line.reason] += len(line.text)
    if not total or 2 * sum(lost.values()) <= total:
        return []
    for line in lines:
        if line.kind == BAD and line.reason in lost and not line.by_structure:
            line.kind, line.reason = GOOD, ""
    rule = lost.most_common(1)[0][0]
    if rule in _SHAPE_RULES:
        return []
    return [{"reason": "suspicious_removal", "rule": rule, "characters": sum(lost.values()),
             "document_characters": total}]


def _ends_like_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in (".", "!", "…", ";", ":")


def _is_title_like(line: Line) -> bool:
    """A line that reads like a headline: short, and not a sentence (headlines end without a stop)."""
    return (line.kind == SHORT and len(line.text.split()) <= _MAX_TITLE_WORDS
            and not line.text.rstrip(_CLOSERS).endswith(".")) or line.reason == "bullet"


def _mark_link_lists(lines: list[Line]) -> None:
    """Three or more title-like lines in a row are a list of links to other pages.

    A title-like line directly followed by prose is that prose's heading, not a link. A list the
    article introduces (after `Nguyên liệu:`, `Danh sách 3 người chết:`) or numbers (`1.`, `2.`)
    is the article's own: ingredients, victims, captions, not headlines of other pages.
    """
    run: list[Line] = []
    before: Line | None = None  # the line before the run
    for line in [*lines, None]:
        if line is not None and _is_title_like(line):
            run.append(line)
            continue
        if run and line is not None and line.kind == GOOD and run[-1].reason != "bullet":
            run.pop()
        if sum(1 for item in run if item.reason != "bullet") >= _MIN_LINK_LIST and not _article_list(before, run):
            for item in run:
                item.kind, item.reason = BAD, item.reason or "link_list"
        run, before = [], line


_ENUMERATED = re.compile(r"^\(?(\d{1,2}|[a-zđ])[.)]\s")


def _article_list(before: Line | None, run: list[Line]) -> bool:
    introduced = before is not None and before.kind != BAD and before.text.rstrip().endswith(":")
    numbered = sum(1 for item in run if _ENUMERATED.match(item.text)) * 2 >= len(run)
    return introduced or numbered


def _mark_blocks_after_headers(lines: list[Line]) -> None:
    """A block header takes the lines after it, up to article text that resumes for good; but a
    block never takes all the prose of a document (a short article under a `Tin mới cập nhật`
    header at the top of the page): then it ends at the first good line, or at the short line
    just before it, which is the article's title."""
    blocks = []
    for index, line in enumerate(lines):
        if not line.reason.endswith("_header"):
            continue
        following = lines[index + 1:]
        next_header = next((i for i, item in enumerate(following) if item.reason.endswith("_header")), None)
        following = following[:next_header]
        blocks.append((line.reason.removesuffix("_header"), following, _article_resumes(following)))
    taken = {item.number for _, following, resume in blocks for item in following[:resume]}
    if not any(line.kind == GOOD and line.number not in taken for line in lines):
        blocks = [(block, following, min(resume, _first_good(following))) for block, following, resume in blocks]
    for block, following, resume in blocks:
        for item in following[:resume]:
            if item.by_structure and (item.kind == BAD or not item.link_density):
                continue  # structure decided it; but an item with a link under `Tin liên quan` is one of them
            if item.kind != BAD or item.reason in ("", "link_list"):
                item.kind, item.reason = BAD, f"{block}_block"


def _first_good(lines: list[Line]) -> int:
    first = next((index for index, line in enumerate(lines) if line.kind == GOOD), len(lines))
    return first - 1 if 0 < first < len(lines) and lines[first - 1].kind == SHORT else first


def _article_resumes(lines: list[Line]) -> int:
    """Where prose resumes for good after a block header: the first of several good lines in a
    row with the length of article paragraphs (a teaser under a headline is one line), or
    len(lines) if it never does."""
    for index in range(len(lines)):
        run = lines[index:index + _MIN_RESUMED_LINES]
        if (len(run) == _MIN_RESUMED_LINES and all(line.kind == GOOD for line in run)
                and sum(len(line.text) for line in run) >= _MIN_RESUMED_CHARS):
            return index
    return len(lines)


def _resolve_by_context(lines: list[Line]) -> None:
    """Short lines take the class of the nearest decided line; a tie goes to boilerplate.

    The line just before the first article paragraph is kept: it is the title.
    """
    decided = [i for i, line in enumerate(lines) if line.kind != SHORT]
    first_good = next((i for i in decided if lines[i].kind == GOOD), None)
    for index, line in enumerate(lines):
        if line.kind != SHORT:
            continue
        if first_good is not None and index == first_good - 1:
            line.kind = GOOD
            continue
        before = next((i for i in reversed(decided) if i < index), None)
        after = next((i for i in decided if i > index), None)
        line.kind = _nearest_kind(lines, index, before, after)
        if line.kind == BAD:
            line.reason = "near_boilerplate"


def _nearest_kind(lines: list[Line], index: int, before: int | None, after: int | None) -> str:
    if before is None and after is None:
        return GOOD  # a page of short lines only: nothing says it is furniture
    if before is None or after is None:
        return lines[after if before is None else before].kind
    kind_before, kind_after = lines[before].kind, lines[after].kind
    if kind_before == kind_after:
        return kind_before
    distance_before = _gap(lines, before, index)
    distance_after = _gap(lines, index, after)
    if distance_before == distance_after:
        return BAD
    return kind_before if distance_before < distance_after else kind_after


def _gap(lines: list[Line], first: int, second: int) -> int:
    """Distance between two lines in the text, counted in lines (blank ones too)."""
    return lines[second].number - lines[first].number
