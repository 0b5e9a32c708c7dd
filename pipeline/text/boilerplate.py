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
"""
from __future__ import annotations

import re
from dataclasses import dataclass

GOOD, BAD, SHORT = "good", "bad", "short"

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
    "copyright": r"bản quyền\b|copyright\b|giấy phép (số|thiết lập|hoạt động)",
    "site_footer": r"(cơ quan chủ quản|tổng biên tập|phó tổng biên tập|chịu trách nhiệm (xuất bản|nội dung)|"
                   r"tòa soạn|toà soạn|trụ sở|hotline|đường dây nóng|liên hệ quảng cáo)\b.{0,150}$",
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
# Copyright notices wherever they stand in the line.
# (Spelled out in both cases: without IGNORECASE the search is several times faster.)
_COPYRIGHT_ANYWHERE = re.compile(r"©|\([cC]\) ?\d{4}|[gG]hi rõ nguồn|[cC]ấm sao chép|[aA]ll [rR]ights [rR]eserved")

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
    furniture = _FURNITURE_START.match(text)
    if furniture or _COPYRIGHT_ANYWHERE.search(text):
        line.kind, line.reason = BAD, furniture.lastgroup if furniture else "copyright"
        return
    words = len(text.split())
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


def _ends_like_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in (".", "!", "…", ";", ":")


def _is_title_like(line: Line) -> bool:
    return (line.kind == SHORT and len(line.text.split()) <= _MAX_TITLE_WORDS) or line.reason == "bullet"


def _mark_link_lists(lines: list[Line]) -> None:
    """Three or more title-like lines in a row are a list of links to other pages.

    A title-like line directly followed by prose is that prose's heading, not a link.
    """
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and _is_title_like(line):
            run.append(line)
            continue
        if run and line is not None and line.kind == GOOD and run[-1].reason != "bullet":
            run.pop()
        if sum(1 for item in run if item.reason != "bullet") >= _MIN_LINK_LIST:
            for item in run:
                item.kind, item.reason = BAD, item.reason or "link_list"
        run = []


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
